"""The windows fit a 1280x800 screen at 100 %, 150 % and 200 % scaling, whatever tab is shown.

Each case is a fresh process (``tests/support/geometry_probe.py``): a screen's size and scale
are fixed once Qt starts. The screen is the offscreen platform's, from a config file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROBE = Path(__file__).parent.parent / "support" / "geometry_probe.py"
FRAME = (16, 48)  # what the app leaves for a title bar and borders


def probe(tmp_path: Path, scale: str, size=(1280, 800)) -> dict[str, list[int]]:
    screen = {"name": "laptop", "x": 0, "y": 0, "width": size[0], "height": size[1],
              "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}  # fmt: skip
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": scale,
    }
    done = subprocess.run(
        [sys.executable, str(PROBE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def fits(window: list[int], screen: list[int]) -> bool:
    x, y, w, h = window
    return w + FRAME[0] <= screen[2] and h + FRAME[1] <= screen[3] and x >= 0 and y >= 0


@pytest.mark.parametrize("scale", ["1", "1.5", "2"])
def test_every_window_fits_the_screen_and_keeps_its_size(tmp_path: Path, scale: str) -> None:
    # 200 % is for screens twice that size; on 1280x800 it leaves 640x400.
    size = (2560, 1600) if scale == "2" else (1280, 800)
    found = probe(tmp_path, scale, size=size)
    screen = found["screen"]
    for name in ("dial", "history", "settings"):
        assert fits(found[name], screen), (name, found[name], screen)
    assert found["history"][2:] == found["dial"][2:]
    assert found["dial_again"][2:] == found["dial"][2:]
