"""Finding contacts as someone types: by any part of a name, organisation or number, or by the
letters on the keypad (``5646`` finds "John"), fast enough for every keystroke.

The index is built once from the store and follows its changes (:meth:`ContactStore.subscribe`;
:meth:`ContactIndex.refresh` reloads it when another process changed the file). It keeps, per
contact, four lines of folded text (``folding``): the words of the name; the words of the name
and organisation; the same as keypad digits; and the digits of each number (as dialed and as
written). Each kind of line is joined, in name order, into one long string, each line ending
with its contact's id and each word starting with a marker character, so "a word starting with
jo" is one plain substring search (``str.find``, which runs at memory speed) and a hit's line
is found by looking for the newlines around it. No search engine is involved: these few
hundred lines do what is needed over 100,000 contacts in a few milliseconds, and an SQLite FTS
table would still need the keypad and ranking rules written here.

Ranking, best first (within a rank by name):

1. every word typed begins a word of the name (whole words followed by the start of the next,
   as typed, first: "john sm" puts John Smith before Sam Johnson);
2. (one run of digits typed) the keypad letters begin a word of the name;
3. (digits typed) a number begins with them;
4. every word begins a word of the name or organisation;
5. (one run of digits typed) the keypad letters begin a word of the organisation;
6. (digits typed) a number contains them;
7. every word appears anywhere in the name or organisation.

Each rank is a scan of its own, through the hits of its rarest word, that stops once
``limit`` results are certain, so a one-letter query over the whole book costs no more than a
longer one; several words in few lines are ranked in one pass instead. A text found nowhere is
remembered, so the keystrokes after a miss ("471" after "47") skip the scans it rules out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from dialer_gui.core.contacts import folding
from dialer_gui.core.contacts.store import Change, ContactStore, IndexRow
from dialer_gui.vocabulary.contacts import Contact

_WORD = "\x1f"  # starts every word in the lines
_PART = "\x1e"  # ends the name's words; the organisation's follow
_ID = "\x02"  # ends a line's text; the contact's id follows
_SEP = "\x00"  # between the fields of an entry
# Digits and what people put between them: a query of only these is also a number.
_NUMBERISH = re.compile(r"[\s0-9+\-().\/]*[0-9][\s0-9+\-().\/]*")

DEFAULT_LIMIT = 50
_SAMPLE = 32 * 1024
_ABSENT = 256  # needles remembered as found nowhere, per kind of line, until the next build

# Each contact's lines, kept as one string (fewer objects: a third of the memory of a tuple):
# the name's words; the name's and the organisation's words; the name's words as keypad
# digits; the name's and organisation's as keypad digits; the numbers' digits.
# "\x1fjane\x1fdoe", "\x1fjane\x1fdoe\x1e\x1facme", "\x1f5263\x1f363",
# "\x1f5263\x1f363\x1e\x1f2263", "\x1f12125550100\x1f2125550100". Folded words hold letters
# and digits only, so none of the marker characters can come from a name.
_FIELDS = 5


def _entry(name: str, organisation: str, numbers: Iterable[tuple[str, str]]) -> str:
    name_words, org_words = folding.words(name), folding.words(organisation)
    found: list[str] = []
    for written, number in numbers:
        for digits in (folding.digits(number), folding.digits(written)):
            if digits and digits not in found:
                found.append(digits)
    named = "".join(_WORD + w for w in name_words)
    keyed = "".join(_WORD + folding.keypad(w) for w in name_words)
    return _SEP.join(
        (
            named,
            named + _PART + "".join(_WORD + w for w in org_words),
            keyed,
            keyed + _PART + "".join(_WORD + folding.keypad(w) for w in org_words),
            "".join(_WORD + d for d in found),
        )
    )


class _Lines:
    """Lines joined into one string: ``\\n`` text ``\\x02`` id, ..., and a last ``\\n``."""

    def __init__(self, lines: Iterable[tuple[int, str]]) -> None:
        self.text = "".join(f"\n{text}{_ID}{contact_id}" for contact_id, text in lines) + "\n"
        # Needles found nowhere. A needle holding one of them is nowhere either, so typing
        # "4", "47", "471", "4711" scans the text once for the first that is missing.
        self._absent: set[str] = set()

    def hits(self, needle: str) -> Iterator[tuple[int, str]]:
        """The contact id and text of each line holding ``needle``, in order, each once."""
        if any(missing in needle for missing in self._absent):
            return
        text = self.text
        find, rfind = text.find, text.rfind
        pos = find(needle)
        found = False
        while pos != -1:
            start = rfind("\n", 0, pos) + 1
            end = find("\n", pos)
            line, _, contact_id = text[start:end].rpartition(_ID)
            if pos - start < len(line):  # digits may also be found in the id: not a hit
                found = True
                yield int(contact_id), line
            pos = find(needle, end)
        if not found and len(self._absent) < _ABSENT:
            self._absent.add(needle)

    def entries(self) -> Iterator[tuple[int, str]]:
        """Every line as (contact id, text)."""
        for raw in self.text.split("\n")[1:-1]:
            line, _, contact_id = raw.rpartition(_ID)
            yield int(contact_id), line

    def estimate(self, needle: str) -> int:
        """About how many times ``needle`` occurs, from :meth:`sample_count`."""
        size = len(self.text)
        if size <= _SAMPLE * 8:
            return self.sample_count(needle)
        return self.sample_count(needle) * size // (_SAMPLE * 8)

    def sample_count(self, needle: str) -> int:
        """How often ``needle`` occurs in eight slices spread over the text."""
        text = self.text
        size = len(text)
        if size <= _SAMPLE * 8:
            return text.count(needle)
        step = size // 8
        return sum(text.count(needle, i * step, i * step + _SAMPLE) for i in range(8))


class ContactIndex:
    """The in-memory search index over a phone book (see the module docstring).

    Args:
        store: where contacts are read from (results are fetched from it by id); the index
            subscribes to its changes. None for an index fed by :meth:`load` alone (tests).
    """

    def __init__(self, store: ContactStore | None = None) -> None:
        self.store = store
        # Each contact's lines as one string while changes are applied; None once the joined
        # lines hold them all (after a build), which halves the memory the index takes.
        self._entries: dict[int, str] | None = {}
        self._size = 0
        self._dirty = True
        self._lines = [_Lines(()) for _ in range(_FIELDS)]
        self._version: int | None = None
        self._unsubscribe: Callable[[], None] | None = None
        if store is not None:
            self._unsubscribe = store.subscribe(self.apply)
            self.reload()

    def __len__(self) -> int:
        return self._size if self._entries is None else len(self._entries)

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

    def follow(self, store: ContactStore) -> None:
        """Read results from ``store`` and follow its changes (an index built elsewhere, in a
        worker thread with a connection of its own, is handed over this way)."""
        self.close()
        self.store = store
        self._version = store.data_version()
        self._unsubscribe = store.subscribe(self.apply)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _unpack(self) -> dict[int, str]:
        """Each contact's entry again, from the joined lines (after a build)."""
        if self._entries is None:
            columns = [blob.entries() for blob in self._lines]
            self._entries = {
                parts[0][0]: _SEP.join(text for _, text in parts)
                for parts in zip(*columns, strict=True)
            }
        return self._entries

    def _build(self) -> None:
        entries = self._unpack()
        # An entry starts with the name's words, so its text sorts by name.
        order = sorted(entries, key=lambda i: (entries[i], i))
        split = [(i, entries[i].split(_SEP)) for i in order]
        self._lines = [_Lines((i, fields[f]) for i, fields in split) for f in range(_FIELDS)]
        self._size = len(order)
        self._entries = None
        self._dirty = False

    # --- searching ----------------------------------------------------------------------------

    def search(self, query: str, limit: int | None = DEFAULT_LIMIT) -> list[int]:
        """Ids of the contacts matching ``query``, best first (see the module docstring)."""
        if self._dirty:
            self._build()
        words = folding.words(query)
        if not words or not self._size:
            return []
        cap = self._size if limit is None else limit
        folded = folding.fold(query).strip()
        digits = folding.digits(folded) if _NUMBERISH.fullmatch(folded) else ""
        keypad = digits if digits == folded else ""  # "5646"; but "+44 79" is only a number
        names, texts, name_keys, keys, numbers = self._lines
        begins = [_WORD + w for w in words]
        out: list[int] = []
        seen: set[int] = set()

        def having(lines: _Lines, needles: Sequence[str]) -> Iterator[int]:
            """Contacts whose line holds every needle, found through the rarest one's hits."""
            for contact_id, text in lines.hits(_rarest(needles, lines)):
                if all(n in text for n in needles):
                    yield contact_id

        def ids(lines: _Lines, needle: str) -> Iterator[int]:
            return (contact_id for contact_id, _ in lines.hits(needle))

        # Each rank, lazily: a scan that runs only when the ranks before it found too few.
        ranks: list[Callable[[], Iterable[int]]] = []
        either: list[int] | None = None
        anywhere: list[int] | None = None
        if len(words) > 1 and (few := _few_lines(texts, words)) is not None:
            named, either, anywhere = few
            ranks.append(lambda: named)
        else:
            if len(words) > 1:  # the words as typed, one after another, first
                ranks.append(lambda: ids(names, "".join(begins)))
            ranks.append(lambda: having(names, begins))
        if keypad:
            ranks.append(lambda: ids(name_keys, _WORD + keypad))
        if digits:
            ranks.append(lambda: ids(numbers, _WORD + digits))
        ranks.append(lambda: either if either is not None else having(texts, begins))
        if keypad:
            ranks.append(lambda: ids(keys, _WORD + keypad))
        if digits:
            ranks.append(lambda: ids(numbers, digits))
        ranks.append(lambda: anywhere if anywhere is not None else having(texts, words))
        for rank in ranks:
            for contact_id in rank():
                if contact_id not in seen:
                    seen.add(contact_id)
                    out.append(contact_id)
                    if len(out) >= cap:
                        return out
        return out

    def find(self, query: str, limit: int | None = DEFAULT_LIMIT) -> list[Contact]:
        """The contacts :meth:`search` finds, read from the store."""
        if self.store is None:
            raise ValueError("an index without a store has ids only; use search()")
        return self.store.get_many(self.search(query, limit))


# Several words whose rarest is in fewer lines than this are ranked in one pass over those
# lines (a few milliseconds) instead of a scan per rank, which costs three times as much when
# the ranks find little; more lines mean common words, and the first rank fills quickly.
_FEW = 4000
_Ranked = tuple[list[int], list[int], list[int]]


def _few_lines(
    texts: _Lines, words: Sequence[str]
) -> tuple[list[int], list[int], list[int]] | None:
    """Ranks 1, 4 and 7 in one pass, when the rarest word is in few lines; else None."""
    key = _rarest(words, texts)
    if texts.estimate(key) > _FEW:
        return None
    begins = [_WORD + w for w in words]
    phrase = "".join(begins)
    first: list[int] = []
    named: list[int] = []
    either: list[int] = []
    anywhere: list[int] = []
    for contact_id, text in texts.hits(key):
        if not all(w in text for w in words):
            continue
        name = text[: text.find(_PART)]
        if phrase in name:
            first.append(contact_id)
        elif all(b in name for b in begins):
            named.append(contact_id)
        elif all(b in text for b in begins):
            either.append(contact_id)
        else:
            anywhere.append(contact_id)
    return first + named, either, anywhere


def _rarest(needles: Sequence[str], lines: _Lines) -> str:
    """The needle with the fewest hits, so the fewest lines are checked; counted in a sample
    of the lines (eight slices, 256 KiB in all), a tenth of the cost of counting them all."""
    if len(needles) == 1:
        return needles[0]
    return min(needles, key=lines.sample_count)
