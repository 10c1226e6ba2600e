"""Names instead of digits: a number that belongs to exactly one contact carries the contact's
name (and its label there) through the plan into the history and the notices, for every door."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fake_secrets import StaticSecrets

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.contacts.lookup import NamedNumber, NumberNames
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus, Notice
from dialer_gui.core.history import HistoryStore
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import Source
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

JANE = Contact(
    "Jane Doe",
    "Acme",
    (
        ContactNumber("work", "020 7946 0958", "+442079460958"),
        ContactNumber("mobile", "07911 123456", "+447911123456"),
    ),
)
# Two people answer at the front desk: its number names neither.
DESK = (
    Contact("Ann Front", numbers=(ContactNumber("work", "020 7946 0000", "+442079460000"),)),
    Contact("Bob Front", numbers=(ContactNumber("work", "020 7946 0000", "+442079460000"),)),
)


@pytest.fixture
def store(tmp_path: Path):
    with ContactStore(tmp_path / "contacts.sqlite3") as store:
        store.add(JANE)
        for contact in DESK:
            store.add(contact)
        yield store


def make(sandbox, store: ContactStore | None) -> tuple[Dialer, list[object]]:
    config = Config(
        general=GeneralSettings(region="GB", default_provider="demo-simotel"),
        providers=demo_profiles(sandbox.base_url),
    )
    events = EventBus()
    seen: list[object] = []
    events.subscribe(seen.append)
    names = NumberNames(store) if store is not None else None
    dialer = Dialer(
        config, StaticSecrets(demo_secrets()), HistoryStore(":memory:"), events, names=names
    )
    return dialer, seen


def test_a_number_of_one_contact_names_it_with_its_label(store: ContactStore) -> None:
    names = NumberNames(store)
    assert names("+447911123456") == NamedNumber("Jane Doe", "mobile")
    assert names("+442079460958") == NamedNumber("Jane Doe", "work")
    assert names("+442079460000") is None  # shared by two: no guess
    assert names("+15555550100") is None
    assert names("") is None


def test_a_closed_phone_book_names_nobody_and_does_not_raise(store: ContactStore) -> None:
    store.close()
    assert NumberNames(store)("+447911123456") is None


@pytest.mark.parametrize("source", [Source.DIALPAD, Source.LINK, Source.CLIPBOARD, Source.CLI])
def test_every_door_puts_the_name_on_the_plan_and_the_attempt(
    sandbox, store: ContactStore, source: Source
) -> None:
    dialer, seen = make(sandbox, store)
    raw = "tel:+447911123456" if source is Source.LINK else "07911 123456"
    plan = dialer.plan(raw, source)
    assert (plan.contact, plan.contact_label) == ("Jane Doe", "mobile")
    assert plan.callee == "Jane Doe, mobile (+44 7911 123456)"

    async def confirm(_plan: object) -> bool:
        return True

    async def go():
        try:
            return await dialer.dial(raw, source, confirm=confirm)
        finally:
            await dialer.aclose()

    attempt = asyncio.run(go())
    stored = dialer.history.get(attempt.id)
    assert stored is not None and stored.contact == "Jane Doe"
    assert stored.shown_number == "+44 7911 123456"
    assert [r.id for r in dialer.history.query("jane")] == [attempt.id]
    assert any(isinstance(e, Notice) and "Jane Doe" in e.text + e.title for e in seen)


def test_a_number_no_single_contact_has_shows_as_today(sandbox, store: ContactStore) -> None:
    dialer, _ = make(sandbox, store)
    for raw in ("020 7946 0000", "020 7946 0123"):
        plan = dialer.plan(raw, Source.DIALPAD)
        assert plan.contact is None and plan.callee == plan.target.display
    without, _ = make(sandbox, None)
    assert without.plan("07911 123456", Source.DIALPAD).contact is None
