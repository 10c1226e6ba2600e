"""The browser door in the dialer: the page it came from is kept, and web pages share the links'
guards (one rate limit, one open question at a time)."""

from __future__ import annotations

import asyncio

from test_dialer import _closing, make, run

from dialer_gui.core.history import HistoryStore
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.reasons import Reason

PAGE = "https://crm.example.com/contacts/42"


def test_the_asking_page_is_recorded_with_the_attempt(sandbox, tmp_path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    dialer, _ = make(sandbox, history=store, confirm_browser=False)
    attempt = run(_closing(dialer, dialer.dial("020 7946 0958", Source.BROWSER, page=PAGE)))
    assert attempt.state is CallState.ACCEPTED
    (row,) = store.query(limit=5)
    assert row.source is Source.BROWSER and row.page == PAGE
    assert [a.id for a in store.query(search="crm.example.com")] == [attempt.id]
    store.close()


def test_a_refused_browser_request_keeps_its_page_too(sandbox) -> None:
    dialer, _ = make(sandbox)  # confirm_browser is on and nobody can be asked
    attempt = run(_closing(dialer, dialer.dial("020 7946 0958", Source.BROWSER, page=PAGE)))
    assert attempt.state is CallState.BLOCKED and attempt.reason is Reason.NEEDS_CONFIRMATION
    assert dialer.history.get(attempt.id).page == PAGE
    assert sandbox.requests == []


def test_links_and_web_pages_share_one_rate_limit(sandbox) -> None:
    dialer, _ = make(sandbox, confirm_links=False, confirm_browser=False, link_rate_limit=2)

    async def scenario():
        return [
            await dialer.dial("tel:+442079460951", Source.LINK),
            await dialer.dial("+44 20 7946 0952", Source.BROWSER),
            await dialer.dial("+44 20 7946 0953", Source.BROWSER),
            await dialer.dial("+44 20 7946 0954", Source.DIALPAD),  # typed: never limited
        ]

    results = run(_closing(dialer, scenario()))
    states = [r.state for r in results]
    assert states == [CallState.ACCEPTED, CallState.ACCEPTED, CallState.BLOCKED, CallState.ACCEPTED]
    assert results[2].reason is Reason.RATE_LIMITED
    assert "links and web pages" in (results[2].error or "")


def test_a_web_page_cannot_ask_while_a_link_waits_for_an_answer(sandbox) -> None:
    dialer, _ = make(sandbox)
    gate: list[asyncio.Event] = []
    asked: list[str] = []

    async def confirm(plan):
        asked.append(plan.raw)
        await gate[0].wait()
        return True

    async def scenario():
        gate.append(asyncio.Event())
        link = asyncio.ensure_future(dialer.dial("tel:+442079460961", Source.LINK, confirm=confirm))
        while not asked:
            await asyncio.sleep(0.01)
        plan = dialer.plan("+44 20 7946 0962", Source.BROWSER)
        busy = dialer.web_door_refusal(plan)
        page = await dialer.dial("+44 20 7946 0962", Source.BROWSER, confirm=confirm)
        typed = dialer.web_door_refusal(dialer.plan("+44 20 7946 0963", Source.DIALPAD))
        gate[0].set()
        return busy, page, typed, await link

    busy, page, typed, link = run(_closing(dialer, scenario()))
    assert busy is not None and busy[0] is Reason.PROMPT_BUSY and "Answer that one" in busy[1]
    assert page.state is CallState.BLOCKED and page.reason is Reason.PROMPT_BUSY
    assert typed is None
    assert link.state is CallState.ACCEPTED
    assert asked == ["tel:+442079460961"]
    # Once answered, the next web request may ask again.
    assert dialer.web_door_refusal(dialer.plan("+44 20 7946 0964", Source.BROWSER)) is None
