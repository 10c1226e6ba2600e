"""History at scale: 100,000 call attempts through ``HistoryStore.add``, then the pane over them.

Measured:

- insert rate: rows per second through ``HistoryStore.add`` (one commit per row, as the app
  records each attempt before sending it);
- size on disk after closing (SQLite folds the WAL back in on close);
- opening the pane: open the store, build ``HistoryModel`` (count plus the first page), put it
  in the real ``HistoryView`` and show it, until the event loop has laid it out and painted it
  offscreen; and the model alone;
- each search keystroke: "4420", "44207", ... typed into the search box and applied as the
  debounce timer would (``HistoryView.apply_filter``: count plus first page), until the view
  has processed the reset.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import common

NAME = "history"
OPEN_TARGET_MS = 300.0
KEY_TARGET_MS = 50.0
TYPED = "4420794601"
FIRST_PREFIX = 4  # keystrokes measured from "4420" on


def _attempts(count: int, seed: int = 7) -> Any:
    """Realistic attempts: mixed countries, providers and states, spread over two years."""
    from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source

    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=730)
    step = timedelta(days=730) / max(1, count)
    sources = [Source.LINK] * 6 + [Source.DIALPAD] * 2 + [Source.CLIPBOARD, Source.HISTORY]
    providers = ["office", "office", "office", "branch", "backup"]
    for i in range(count):
        kind = rng.random()
        if kind < 0.4:
            e164 = f"+44207946{rng.randrange(1000):04d}"
            display = f"+44 20 7946 {e164[-4:]}"
        elif kind < 0.7:
            e164 = f"+1201555{rng.randrange(100, 200):04d}"
            display = f"+1 201-555-{e164[-4:]}"
        elif kind < 0.9:
            e164 = f"+49301234{rng.randrange(5000, 6000):04d}"
            display = f"+49 30 1234{e164[-4:]}"
        else:
            e164 = str(rng.randrange(200, 300))
            display = e164
        fate = rng.random()
        state, error, category, call_id, outcome = CallState.ACCEPTED, None, None, None, None
        if fate < 0.08:
            state, error, category = (
                CallState.FAILED,
                "The PBX refused the user name or password.",
                "auth",
            )
        elif fate < 0.1:
            state, error, category = CallState.UNKNOWN, "The PBX did not answer in time.", "timeout"
        else:
            call_id = f"{rng.getrandbits(48):012x}"
            if fate > 0.7:
                state, outcome = CallState.COMPLETED, "answered"
        created = start + step * i
        yield CallAttempt(
            source=rng.choice(sources),
            raw_input=f"tel:{e164}",
            number=e164,
            display=display,
            provider=rng.choice(providers),
            dialed=e164.lstrip("+"),
            state=state,
            call_id=call_id,
            error=error,
            error_category=category,
            outcome=outcome,
            raw='{"success":1,"message":"Call originated","data":{"id":"%s"}}' % (call_id or ""),
            created=created,
            updated=created,
        )


def _disk_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name))


def run(quick: bool = False) -> list[dict[str, Any]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from dialer_gui.core.history import HistoryStore
    from dialer_gui.ui.history_model import HistoryModel
    from dialer_gui.ui.history_view import HistoryView

    rows_total = 2_000 if quick else 100_000
    opens = 3 if quick else 10
    sequences = 2 if quick else 10
    common.quiet_qt()
    qapp = QApplication.instance() or QApplication(sys.argv[:1])

    with tempfile.TemporaryDirectory(prefix="dialer-bench-history-") as tmp:
        path = Path(tmp) / "history.sqlite3"
        store = HistoryStore(path)
        attempts = list(_attempts(rows_total))
        t0 = time.perf_counter()
        for attempt in attempts:
            store.add(attempt)
        insert_s = time.perf_counter() - t0
        store.close()
        size = _disk_size(path)

        def open_pane() -> tuple[float, float, Any, Any, Any]:
            t0 = time.perf_counter()
            store = HistoryStore(path)
            model = HistoryModel(store)
            # What the table asks for first: the visible rows' text.
            for r in range(min(25, model.rowCount())):
                for c in range(model.columnCount()):
                    model.data(model.index(r, c))
            t_model = time.perf_counter() - t0
            view = HistoryView(model, store, lambda _a: None, lambda: ["office", "branch"])
            view.resize(900, 600)
            view.show()
            qapp.processEvents()
            return t_model, time.perf_counter() - t0, store, model, view

        model_ms: list[float] = []
        pane_ms: list[float] = []
        for _ in range(opens + 1):  # the first open is a warm-up (page cache, imports)
            t_model, t_pane, store, model, view = open_pane()
            model_ms.append(t_model * 1000)
            pane_ms.append(t_pane * 1000)
            view.close()
            view.deleteLater()
            model.close()
            store.close()
            qapp.processEvents()
        model_ms, pane_ms = model_ms[1:], pane_ms[1:]

        _, _, store, model, view = open_pane()
        key_ms: list[float] = []
        matches: dict[str, int] = {}
        for sequence in range(sequences + 1):
            for n in range(FIRST_PREFIX, len(TYPED) + 1):
                view.search.setText(TYPED[:n])
                t0 = time.perf_counter()
                view.apply_filter()
                qapp.processEvents()
                if sequence:  # the first sequence warms the page cache
                    key_ms.append((time.perf_counter() - t0) * 1000)
                matches[TYPED[:n]] = model._total
            view.search.setText("")
            view.apply_filter()
            qapp.processEvents()
        view.close()
        view.deleteLater()
        model.close()
        store.close()
        qapp.processEvents()

    hits = ", ".join(f"{k}: {v:,}" for k, v in matches.items())
    return [
        common.row(NAME, f"insert {rows_total:,} rows (HistoryStore.add)", unit="rows/s",
                   value=rows_total / insert_s, note=f"{insert_s:.1f} s in all"),
        common.row(NAME, f"database size, {rows_total:,} rows", unit="MiB",
                   value=size / 1024 / 1024, note=f"{size / rows_total:.0f} bytes per row"),
        common.row(NAME, "open pane: store + model + view shown", pane_ms,
                   target=OPEN_TARGET_MS),
        common.row(NAME, "open: store + model + visible rows", model_ms),
        common.row(NAME, f"search keystroke ({TYPED[:FIRST_PREFIX]} … {TYPED})", key_ms,
                   target=KEY_TARGET_MS, note=f"matches per prefix: {hits}"),
    ]  # fmt: skip


def main() -> None:
    common.standalone("history", run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
