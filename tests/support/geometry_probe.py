"""Start the app on whatever screen Qt is given and print its windows' geometry as JSON.

``tests/ui/test_window_scaling.py`` runs this in a subprocess, because a screen's size and
scale factor are fixed once a process has its QApplication: offscreen, with a screen from a
config file (``QT_QPA_PLATFORM=offscreen:configfile=...``) and ``QT_SCALE_FACTOR``.
"""

from __future__ import annotations

import asyncio
import json
import sys

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from dialer_gui.app import Application
from dialer_gui.ui.event_loop import new_event_loop
from dialer_gui.vocabulary.start_options import StartOptions


def rect(widget_or_rect) -> list[int]:
    g = widget_or_rect if isinstance(widget_or_rect, QRect) else widget_or_rect.geometry()
    return [g.x(), g.y(), g.width(), g.height()]


async def probe(qapp: QApplication) -> dict[str, object]:
    app = Application(StartOptions(demo=True), qapp, tray_available=False, listen=False)
    await app.start()
    await asyncio.sleep(0.2)
    window = app.window
    assert window is not None and app.dialpad is not None
    out: dict[str, object] = {"screen": rect(window.screen().availableGeometry())}
    out["dial"] = rect(window)
    out["key"] = [app.dialpad.keys["5"].width(), app.dialpad.keys["5"].height()]
    window.show_history()
    await asyncio.sleep(0.1)
    out["history"] = rect(window)
    window.show_dialpad()
    await asyncio.sleep(0.1)
    out["dial_again"] = rect(window)
    app.show_settings()
    await asyncio.sleep(0.2)
    assert app.settings_dialog is not None
    out["settings"] = rect(app.settings_dialog)
    app.settings_dialog.close_for_quit()
    await app.aclose()
    return out


def main() -> None:
    qapp = QApplication(sys.argv[:1])
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    task = loop.create_task(probe(qapp))
    task.add_done_callback(lambda _t: loop.stop())
    loop.run_forever()
    print(json.dumps(task.result()))


if __name__ == "__main__":
    main()
