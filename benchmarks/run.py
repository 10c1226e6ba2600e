"""Run every benchmark (or some) and print one table: ``.venv/bin/python benchmarks/run.py``.

Options:
    --quick        few repetitions and small data, to check that the scripts work (seconds);
                   the numbers are not meaningful.
    --only NAMES   comma-separated subset of: link, coldlink, cold, memory, history, contacts,
                   responsiveness, soak, twinkle.
    --repeat N     run the chosen benchmarks N times in turn; a table per run, then the
                   median of each run's medians with the spread (the machine is shared).
    --baseline DIR also measure another checkout (say, the commit before a change) in the same
                   rounds, where a benchmark supports it (link, coldlink, cold).
    --out DIR      where the JSON results go (default benchmarks/results/, which git ignores).

``twinkle`` (``twinkle_side_by_side.py``) runs only when the ``twinkle`` softphone is installed
and never in CI (``CI=true``) or with ``--quick``.

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
    "coldlink": "cold_link",
    "cold": "cold_start",
    "memory": "memory",
    "history": "history_scale",
    "contacts": "contacts",
    "responsiveness": "responsiveness",
    "soak": "soak",
    "twinkle": "twinkle_side_by_side",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the dialer-gui benchmarks.")
    parser.add_argument("--quick", action="store_true", help="tiny runs that only prove it works")
    parser.add_argument("--only", default="", help=f"subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the whole selection")
    parser.add_argument("--baseline", type=Path, default=None, help="checkout to compare with")
    parser.add_argument("--out", type=Path, default=None, help="folder for the JSON results")
    args = parser.parse_args(argv)
    if args.baseline is not None:
        if not (args.baseline / "dialer_gui" / "__init__.py").is_file():
            parser.error(f"{args.baseline} holds no dialer_gui package")
        common.BASELINE = args.baseline.resolve()
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    print("dialer-gui benchmarks" + (" (quick: numbers not meaningful)" if args.quick else ""))
    common.print_machine(common.machine_info())
    rows: list[dict[str, Any]] = []
    failed = False
    runs = max(1, args.repeat)
    for run_no in range(runs):
        found_in_run: list[dict[str, Any]] = []
        for name in chosen:
            module = __import__(BENCHMARKS[name])
            label = f" (run {run_no + 1} of {runs})" if runs > 1 else ""
            print(f"\n… {name}{label}", flush=True)
            t0 = time.monotonic()
            try:
                found = module.run(args.quick)
            except Exception:
                failed = True
                traceback.print_exc()
                continue
            print(f"  done in {time.monotonic() - t0:.0f} s", flush=True)
            for r in found:
                r["run"] = run_no + 1
            found_in_run.extend(found)
        if runs > 1:
            print(f"\nrun {run_no + 1}:")
            common.print_table(found_in_run)
        rows.extend(found_in_run)
    print()
    common.print_table(rows if runs == 1 else across_runs(rows))
    notes = [r for r in rows if r.get("note")]
    if notes:
        print("\nnotes:")
        for r in notes:
            print(f"  {r['benchmark']} / {r['case']}: {r['note']}")
    path = common.save("quick" if args.quick else "all", rows, args.out)
    print(f"\nsaved {path}")
    return 1 if failed else 0


def across_runs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per case: the median of the runs' medians, the runs' range in the note."""
    by_case: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        by_case.setdefault((r["benchmark"], r["case"]), []).append(r)
    out = []
    for (benchmark, case), found in by_case.items():
        medians = [r["median"] for r in found if r["median"] is not None]
        first = found[0]
        summary = common.row(
            benchmark, f"{case} [{len(found)} runs]", medians or None, unit=first["unit"]
        )
        summary["p90"] = None
        ratios = [r["ratio"] for r in found if "ratio" in r]
        if ratios:
            summary["ratio"] = common.summary(ratios)["median"]
            summary["ratio_of"] = first.get("ratio_of", "")
        oks = {r["ok"] for r in found}
        summary["ok"] = None if oks == {None} else all(ok is not False for ok in oks)
        summary["target"] = first["target"]
        if medians:
            summary["note"] = f"run medians {min(medians):.1f} to {max(medians):.1f}"
        out.append(summary)
    return out


if __name__ == "__main__":
    sys.exit(main())
