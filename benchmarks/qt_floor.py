"""The cold-start floor: a bare PySide6 QApplication showing one QWidget, then exiting.

With ``--hold SECONDS`` it stays up that long after ``ready`` (for the memory floor).

Prints ``ready`` from the first pass of the event loop after ``show()``, the same moment the
app is ready in ``cold_start.py`` (its event loop answering a request after the window is up).
"""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication(sys.argv[:1])
window = QWidget()
window.resize(360, 520)
window.show()


def ready() -> None:
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if "--hold" in sys.argv:
        QTimer.singleShot(int(float(sys.argv[sys.argv.index("--hold") + 1]) * 1000), app.quit)
    else:
        app.quit()


QTimer.singleShot(0, ready)
sys.exit(app.exec())
