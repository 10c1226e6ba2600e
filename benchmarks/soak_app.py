"""The real app, plus a thread that reports what must stay flat while it runs (for soak.py).

``python benchmarks/soak_app.py STATS_FILE [dialer-gui arguments]`` runs ``dialer-gui`` as the
console script does. Each time ``STATS_FILE.request`` appears, the thread writes one JSON line
to ``STATS_FILE``: the reference counts of ``None``, ``True`` and ``False`` (a binding that
drops references to them makes the interpreter abort once one reaches zero), the process's
threads and open file descriptors, and its RSS. The reading happens in this process because a
reference count cannot be seen from outside; everything else could be, and is read the same
way so that each line is one moment.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path


def stats() -> dict[str, int]:
    """This process, now."""
    rss = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return {
        "none": sys.getrefcount(None),
        "true": sys.getrefcount(True),
        "false": sys.getrefcount(False),
        "threads": len(os.listdir("/proc/self/task")),
        "fds": len(os.listdir("/proc/self/fd")),
        "rss_kib": rss,
    }


def _reporter(path: Path) -> None:
    request = path.with_name(path.name + ".request")
    while True:
        if request.exists():
            line = json.dumps(stats())
            with path.open("a") as out:
                out.write(line + "\n")
            request.unlink()
        time.sleep(0.01)


def main() -> int:
    path = Path(sys.argv[1])
    sys.argv = ["dialer-gui", *sys.argv[2:]]
    threading.Thread(target=_reporter, args=(path,), name="soak-stats", daemon=True).start()
    from dialer_gui.cli import main as dialer_main

    return dialer_main()


if __name__ == "__main__":
    sys.exit(main())
