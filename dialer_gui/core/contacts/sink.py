"""The phone book as the directories' sync sees it: a ``directories.sync.ContactSink``.

A CardDAV sync asks what its last run saw and hands back the changed cards, the deleted ones
and its new state in one call; :class:`StoreSink` keeps all three in one transaction of the
store (``ContactStore.apply_sync``), so a sync that breaks half-way leaves the last good copy
and the state that describes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.directories.sync import SyncState
from dialer_gui.vocabulary.contacts import Contact


class StoreSink:
    """A ``ContactSink`` over a :class:`ContactStore` (which it closes in :meth:`close`)."""

    def __init__(self, store: ContactStore) -> None:
        self.store = store

    def sync_state(self, source: str) -> SyncState | None:
        text = self.store.sync_state(source)
        return None if text is None else SyncState.from_json(text)

    def apply(
        self,
        source: str,
        changed: Sequence[Contact],
        deleted_uids: Sequence[str],
        state: SyncState,
    ) -> None:
        self.store.apply_sync(source, changed, deleted_uids, state.to_json())

    def close(self) -> None:
        self.store.close()
