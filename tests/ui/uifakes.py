"""Small fakes for the UI tests: an in-memory history with the store's query/count contract.

The UI tests use the real ``core`` modules wherever they exist; this fake only stands in for
the SQLite store in model tests that need thousands of rows or exact control over them.
"""

from __future__ import annotations

import dataclasses

from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source


class ListHistory:
    """Newest first, like the store; search matches number, call ID and error text."""

    def __init__(self) -> None:
        self.rows: list[CallAttempt] = []
        self.queries = 0

    def add(self, attempt: CallAttempt) -> int:
        attempt.id = len(self.rows) + 1
        self.rows.append(attempt)
        return attempt.id

    def _match(
        self, a: CallAttempt, search: str, state: CallState | None, provider: str | None
    ) -> bool:
        if state is not None and a.state is not state:
            return False
        if provider is not None and a.provider != provider:
            return False
        needle = search.casefold()
        return not needle or any(
            needle in (t or "").casefold() for t in (a.number, a.display, a.call_id, a.error)
        )

    def query(self, search="", *, state=None, provider=None, limit=200, offset=0):
        self.queries += 1
        hits = [a for a in reversed(self.rows) if self._match(a, search, state, provider)]
        return [dataclasses.replace(a) for a in hits[offset : offset + limit]]

    def count(self, search="", *, state=None, provider=None) -> int:
        return sum(1 for a in self.rows if self._match(a, search, state, provider))


def attempt(n: int, state: CallState = CallState.ACCEPTED, provider: str = "office") -> CallAttempt:
    number = f"+1555010{n:04d}"
    return CallAttempt(
        source=Source.DIALPAD,
        raw_input=number,
        number=number,
        display=f"+1 555-010-{n:04d}",
        provider=provider,
        dialed=number,
        state=state,
        call_id=f"call-{n}" if state is CallState.ACCEPTED else None,
        error="The PBX refused the password." if state is CallState.FAILED else None,
        error_category="credentials" if state is CallState.FAILED else None,
    )
