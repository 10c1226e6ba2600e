"""Finding contacts as someone types: by any part of a name, organisation or number, or by the
letters on the keypad (``5646`` finds "John"), fast enough for every keystroke.

The index is built once from the store and follows its changes (:meth:`ContactStore.subscribe`;
:meth:`ContactIndex.refresh` reloads it when another process changed the file). It keeps, per
contact, three lines of folded text (``folding``): the words of the name and organisation, the
same words as keypad digits, and the digits of each number (as dialed and as written). The
lines are joined, in name order, into three long strings; each word starts with a marker
character, so "a word starting with jo" is one plain substring search (``str.find``, which runs
at memory speed), and a hit's contact is found by bisecting the lines' start offsets. No
search engine is involved: a few hundred lines here do what is needed over 100,000 contacts in
a millisecond or two, and an SQLite FTS table would still need the keypad and ranking rules.

Ranking, best first (within a rank by name):

1. every word typed begins a word of the name (whole words followed by the start of the next,
   as typed, first: "john sm" puts John Smith before Sam Johnson);
2. (digits typed) the keypad letters begin words of the name;
3. (digits typed) a number begins with them;
4. every word begins a word of the name or organisation;
5. (digits typed) the keypad letters begin words of the name or organisation;
6. (digits typed) a number contains them;
7. every word appears anywhere in the name or organisation.

A search stops as soon as ``limit`` results of the best ranks are certain, so a one-letter
query over the whole book costs no more than a longer one.
"""

from __future__ import annotations

import heapq
import itertools
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence

from dialer_gui.core.contacts import folding
from dialer_gui.core.contacts.store import Change, ContactStore, IndexRow
from dialer_gui.vocabulary.contacts import Contact

_WORD = "\x1f"  # starts every word in the lines
_SEP = "\x00"  # between the fields of an entry
# Digits and what people put between them: a query of only these is also a number.
_NUMBERISH = re.compile(r"[\s0-9+\-().\/]*[0-9][\s0-9+\-().\/]*")

DEFAULT_LIMIT = 50


# Each contact's lines, kept as one string (fewer objects: a third of the memory of a tuple
# of five): the name's words, the organisation's words, both as keypad digits, the numbers'
# digits. "\x1fjane\x1fdoe", "\x1facme", "\x1f5263\x1f363", "\x1f2263", "\x1f12125550100".
_FIELDS = 5
_NAME, _ORG, _KEYS_NAME, _KEYS_ORG, _DIGITS = range(_FIELDS)


def _entry(name: str, organisation: str, numbers: Iterable[tuple[str, str]]) -> str:
    name_words, org_words = folding.words(name), folding.words(organisation)
    found: list[str] = []
    for written, number in numbers:
        for digits in (folding.digits(number), folding.digits(written)):
            if digits and digits not in found:
                found.append(digits)
    return _SEP.join(
        (
            "".join(_WORD + w for w in name_words),
            "".join(_WORD + w for w in org_words),
            "".join(_WORD + folding.keypad(w) for w in name_words),
            "".join(_WORD + folding.keypad(w) for w in org_words),
            "".join(_WORD + d for d in found),
        )
    )


class _Lines:
    """Lines joined into one string, each starting with a newline, and where each starts."""

    def __init__(self, lines: Iterable[str]) -> None:
        parts = ["\n" + line for line in lines]
        self.text = "".join(parts)
        self.starts = array("q", itertools.accumulate((len(p) for p in parts), initial=0))

    def hits(self, needle: str) -> Iterator[int]:
        """The number of each line holding ``needle``, in order, each once."""
        starts, find = self.starts, self.text.find
        last = len(starts) - 1
        pos = find(needle)
        while pos != -1:
            line = bisect_right(starts, pos) - 1
            yield line
            if line + 1 >= last:
                return
            pos = find(needle, starts[line + 1])

    def count(self, needle: str) -> int:
        return self.text.count(needle)

    def line(self, index: int) -> str:
        return self.text[self.starts[index] + 1 : self.starts[index + 1]]


class ContactIndex:
    """The in-memory search index over a phone book (see the module docstring).

    Args:
        store: where contacts are read from (results are fetched from it by id); the index
            subscribes to its changes. None for an index fed by :meth:`load` alone (tests).
    """

    def __init__(self, store: ContactStore | None = None) -> None:
        self.store = store
        # Each contact's lines as one string, while changes are applied; None when the joined
        # lines hold them all (after a build), which halves the memory the index takes.
        self._entries: dict[int, str] | None = {}
        self._dirty = True
        self._order: array[int] = array("q")
        self._lines = [_Lines(()) for _ in range(_FIELDS)]
        self._version: int | None = None
        self._unsubscribe: Callable[[], None] | None = None
        if store is not None:
            self._unsubscribe = store.subscribe(self.apply)
            self.reload()

    def __len__(self) -> int:
        return len(self._order) if self._entries is None else len(self._entries)

    # --- keeping up with the store ------------------------------------------------------------

    def load(self, rows: Iterable[IndexRow]) -> None:
        """Replace the whole index with ``rows``."""
        self._entries = {r.id: _entry(r.name, r.organisation, r.numbers) for r in rows}
        self._dirty = True

    def reload(self) -> None:
        """Read every contact from the store again."""
        if self.store is not None:
            self._version = self.store.data_version()
            self.load(self.store.index_rows())

    def refresh(self) -> bool:
        """Reload when another process changed the store since; True when it did."""
        if self.store is None or self.store.data_version() == self._version:
            return False
        self.reload()
        return True

    def apply(self, change: Change) -> None:
        """Follow one committed change of the store."""
        entries = self._unpack()
        for contact in change.written:
            if contact.id is not None:
                numbers = [(n.written, n.number) for n in contact.numbers]
                entries[contact.id] = _entry(contact.name, contact.organisation, numbers)
        for contact_id in change.removed:
            entries.pop(contact_id, None)
        self._dirty = True

    def _unpack(self) -> dict[int, str]:
        """Each contact's entry again, from the joined lines (after a build)."""
        if self._entries is None:
            lines = self._lines
            self._entries = {
                contact_id: _SEP.join(blob.line(i) for blob in lines)
                for i, contact_id in enumerate(self._order)
            }
        return self._entries

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _build(self) -> None:
        entries = self._unpack()
        # An entry starts with the name's words, so its text sorts by name.
        order = sorted(entries, key=lambda i: (entries[i], i))
        self._order = array("q", order)
        if order:
            columns = list(zip(*(entries[i].split(_SEP) for i in order), strict=True))
            self._lines = [_Lines(column) for column in columns]
        else:
            self._lines = [_Lines(()) for _ in range(_FIELDS)]
        self._entries = None
        self._dirty = False

    # --- searching ----------------------------------------------------------------------------

    def search(self, query: str, limit: int | None = DEFAULT_LIMIT) -> list[int]:
        """Ids of the contacts matching ``query``, best first (see the module docstring)."""
        if self._dirty:
            self._build()
        words = folding.words(query)
        if not words or not self._order:
            return []
        cap = len(self._order) if limit is None else limit
        folded = folding.fold(query).strip()
        digits = folding.digits(folded) if _NUMBERISH.fullmatch(folded) else ""
        names, orgs, keys_name, keys_org, numbers = self._lines
        out: list[int] = []
        seen: set[int] = set()

        def take(lines: Iterable[int]) -> bool:
            """Add these lines' contacts; True once ``cap`` are found."""
            for line in lines:
                contact_id = self._order[line]
                if contact_id not in seen:
                    seen.add(contact_id)
                    out.append(contact_id)
                    if len(out) >= cap:
                        return True
            return False

        def phrase(blob: _Lines) -> bool:
            """Lines with the words typed one after another as word starts ("john sm")."""
            return len(words) > 1 and take(blob.hits("".join(_WORD + w for w in words)))

        def within(blobs: Sequence[_Lines], prefix: str) -> Iterator[int]:
            """Lines where every word is in one of ``blobs`` (after ``prefix``: as a word
            start), found through the hits of the rarest word."""
            needles = [prefix + w for w in words]
            key = _rarest(needles, blobs)
            if len(blobs) == 1:
                (blob,) = blobs
                for line in blob.hits(key):
                    text = blob.line(line)
                    if all(n in text for n in needles):
                        yield line
                return
            hits = heapq.merge(*(blob.hits(key) for blob in blobs))
            for line, _same in itertools.groupby(hits):
                texts = [blob.line(line) for blob in blobs]
                if all(any(n in t for t in texts) for n in needles):
                    yield line

        if phrase(names) or take(within((names,), _WORD)):
            return out
        if digits and (
            phrase(keys_name)
            or take(within((keys_name,), _WORD))
            or take(numbers.hits(_WORD + digits))
        ):
            return out
        if take(within((names, orgs), _WORD)):
            return out
        if digits and (take(within((keys_name, keys_org), _WORD)) or take(numbers.hits(digits))):
            return out
        take(within((names, orgs), ""))
        return out

    def find(self, query: str, limit: int | None = DEFAULT_LIMIT) -> list[Contact]:
        """The contacts :meth:`search` finds, read from the store."""
        if self.store is None:
            raise ValueError("an index without a store has ids only; use search()")
        return self.store.get_many(self.search(query, limit))


def _rarest(needles: Sequence[str], blobs: Sequence[_Lines]) -> str:
    """The needle with the fewest hits (counted at C speed), so the fewest lines are checked."""
    if len(needles) == 1:
        return needles[0]
    return min(needles, key=lambda n: sum(blob.count(n) for blob in blobs))
