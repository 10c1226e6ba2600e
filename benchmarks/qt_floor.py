"""The cold-start floor: a bare PySide6 QApplication showing one QWidget, then exiting.

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
    app.quit()


QTimer.singleShot(0, ready)
sys.exit(app.exec())
