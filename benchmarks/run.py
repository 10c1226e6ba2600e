"""Run every benchmark (or some) and print one table: ``.venv/bin/python benchmarks/run.py``.

Options:
    --quick        few repetitions and small data, to check that the scripts work (seconds);
                   the numbers are not meaningful.
    --only NAMES   comma-separated subset of: link, cold, memory, history, contacts,
                   responsiveness, soak.
    --out DIR      where the JSON results go (default benchmarks/results/, which git ignores).

Each benchmark also runs alone, e.g. ``python benchmarks/history_scale.py [--quick]``.
The exit status is 1 when a benchmark could not run; missed targets are reported, not failed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import common

BENCHMARKS = {
    "link": "link_to_wire",
    "cold": "cold_start",
    "memory": "memory",
    "history": "history_scale",
    "contacts": "contacts",
    "responsiveness": "responsiveness",
    "soak": "soak",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the dialer-gui benchmarks.")
    parser.add_argument("--quick", action="store_true", help="tiny runs that only prove it works")
    parser.add_argument("--only", default="", help=f"subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--out", type=Path, default=None, help="folder for the JSON results")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    print("dialer-gui benchmarks" + (" (quick: numbers not meaningful)" if args.quick else ""))
    common.print_machine(common.machine_info())
    rows: list[dict[str, Any]] = []
    failed = False
    for name in chosen:
        module = __import__(BENCHMARKS[name])
        print(f"\n… {name}", flush=True)
        t0 = time.monotonic()
        try:
            found = module.run(args.quick)
        except Exception:
            failed = True
            traceback.print_exc()
            continue
        print(f"  done in {time.monotonic() - t0:.0f} s", flush=True)
        rows.extend(found)
    print()
    common.print_table(rows)
    notes = [r for r in rows if r.get("note")]
    if notes:
        print("\nnotes:")
        for r in notes:
            print(f"  {r['benchmark']} / {r['case']}: {r['note']}")
    path = common.save("quick" if args.quick else "all", rows, args.out)
    print(f"\nsaved {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
