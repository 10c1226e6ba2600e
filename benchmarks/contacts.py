"""Phone book at scale: 100,000 contacts imported from one vCard file, then searched per keystroke.

Measured:

- import: a generated vCard 3.0 file of 100,000 cards (one to three numbers each: national,
  international and extensions) read, normalised and written to a new store, as
  ``dialer-gui contacts import`` does; split into reading the file and writing the store; and
  the same file imported again (nothing changes, nothing doubles);
- the search index: built from the store in a fresh process (as the app would at start), its
  build time and the RSS it adds to that process;
- each search keystroke: sequences typed one character at a time (names, keypad digits,
  numbers, two words), each prefix searched and its 50 best contacts read from the store, as
  the dial pad's list would show them; a new index for each round, so what one round's misses
  taught the index does not speed up the next. Median, p95 and max over every keystroke.
"""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

NAME = "contacts"
KEY_TARGET_MS = 16.0

_WORDS = """
James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Jörg
Hélène Søren María José Zoë Nguyễn Aisha Kenji Olivia Noah Amelia Oliver Sofia Lukas Emma Mateo
Chloé Omar Fatima Wei Priya Arjun Ingrid Piotr Anna Giulia Tomás
|
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Müller
Schmidt Schneider Fischer Weber Lefèvre Dubois Rossi Russo Nowak Kowalski Novák O’Brien Murphy
Kelly Nguyen Tran Kim Lee Park Chen Wang Patel Shah Khan Ali Hansen Berg Johansson Andersson
Ødegård Silva Santos Costa Yilmaz Kaya Cohen Levi
|
Acme Contoso Fabrikam Northwind Initech Umbrella Globex Hooli Stark Wayne Tyrell Soylent Wonka
Cyberdyne Vandelay Oceanic Massive Dynamic Aperture Black Mesa
"""
FIRST, LAST, ORGS = (tuple(part.split()) for part in _WORDS.split("|"))
# What a receptionist types: the start of a name, keypad digits, a number, first and last name.
TYPED = (
    "johnson",
    "maria jose",
    "5646",
    "76484",
    "2125550",
    "+44 7911 12",
    "4711",
    "kowalski",
    "acme sales",
    "o'brien",
)


def _cards(count: int, seed: int = 14) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        tels = [f"TEL;TYPE=work,voice:(212) 555-{rng.randrange(10000):04d}"]
        if rng.random() < 0.6:
            tels.append(f"TEL;TYPE=cell:+44 7911 {rng.randrange(1000000):06d}")
        if rng.random() < 0.3:
            tels.append(f"TEL;TYPE=work:{rng.randrange(2000, 8000)}")
        org = f"ORG:{rng.choice(ORGS)} {rng.choice(('Sales', 'Support', 'Labs', 'Ltd'))}\r\n"
        out.append(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-{i}\r\nFN:{name}\r\n"
            f"N:{name.rsplit(maxsplit=1)[-1]};{name.split(maxsplit=1)[0]};;;\r\n{org}"
            + "".join(t + "\r\n" for t in tels)
            + f"EMAIL:person{i}@example.com\r\nEND:VCARD\r\n"
        )
    return "".join(out)


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(db: str, rounds: int) -> dict[str, Any]:
    """In a fresh process: build the index from the store, then type every sequence."""
    from dialer_gui.core.contacts.search import ContactIndex
    from dialer_gui.core.contacts.store import ContactStore

    store = ContactStore(db, read_only=True)
    store.count()
    gc.collect()
    before = _rss_kib()
    t0 = time.perf_counter()
    index = ContactIndex(store)
    index.search("warm")  # the first search joins the lines
    build = time.perf_counter() - t0
    gc.collect()
    added = _rss_kib() - before
    keys: list[float] = []
    hits: dict[str, int] = {}
    for round_ in range(rounds + 1):
        if round_ > 1:  # a new index each round: nothing learnt typing the last round helps
            index.close()
            index = ContactIndex(store)
            index.search("warm")
        for text in TYPED:
            for n in range(1, len(text) + 1):
                t0 = time.perf_counter()
                found = index.find(text[:n], 50)
                if round_:  # the first round warms SQLite's page cache
                    keys.append((time.perf_counter() - t0) * 1000)
                hits[text[:n]] = len(found)
    store.close()
    return {"build_s": build, "rss_added_kib": added, "keys_ms": keys, "hits": hits}


def run(quick: bool = False) -> list[dict[str, Any]]:
    from dialer_gui.core.contacts import importing
    from dialer_gui.core.contacts.normalise import Normaliser
    from dialer_gui.core.contacts.store import ContactStore

    count = 2_000 if quick else 100_000
    rounds = 1 if quick else 5
    with tempfile.TemporaryDirectory(prefix="dialer-bench-contacts-") as tmp:
        path = Path(tmp) / "contacts.vcf"
        path.write_text(_cards(count), encoding="utf-8", newline="")
        size = path.stat().st_size
        db = Path(tmp) / "contacts.sqlite3"
        normaliser = Normaliser("US", (3, 5))
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        parsed = importing.read_file(path, normaliser)
        read_s = time.perf_counter() - t0
        store = ContactStore(db)
        t1 = time.perf_counter()
        counts = store.import_contacts(parsed.contacts)
        write_s = time.perf_counter() - t1
        total_s = time.perf_counter() - t0
        cpu_s = time.process_time() - cpu0
        del parsed
        t0 = time.perf_counter()
        again = importing.import_file(store, path, Normaliser("US", (3, 5)))
        again_s = time.perf_counter() - t0
        store.close()
        assert counts.added == count and again.unchanged == count, (counts, again)
        child = subprocess.run(
            [common.PYTHON, __file__, "--measure", str(db), str(rounds)],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        found = json.loads(child.stdout)
    keys = found["keys_ms"]
    p95 = common.percentile(keys, 95)
    sample = {k: v for k, v in found["hits"].items() if k in ("j", "jo", "5", "56", "2125550")}
    return [
        common.row(
            NAME,
            f"import {count:,} contacts from a vCard file (read + store)",
            unit="s",
            value=total_s,
            note=f"{size / 1024 / 1024:.1f} MiB file; reading and normalising "
            f"{read_s:.1f} s, writing the store {write_s:.1f} s; "
            f"{count / total_s:,.0f} contacts/s; {cpu_s:.1f} s of CPU",
        ),
        common.row(
            NAME, f"import the same {count:,} again (all unchanged)", unit="s", value=again_s
        ),
        common.row(
            NAME,
            f"search index over {count:,}: build in a fresh process",
            unit="s",
            value=found["build_s"],
        ),
        common.row(
            NAME,
            f"search index over {count:,}: RSS added",
            unit="MiB",
            value=found["rss_added_kib"] / 1024,
        ),
        common.row(
            NAME,
            "search keystroke (prefix typed, 50 best read from the store)",
            keys,
            target=KEY_TARGET_MS,
            note=f"p95 {p95:.2f} ms, max {max(keys):.2f} ms over {len(keys)} keystrokes "
            f"of {', '.join(repr(t) for t in TYPED)}; matches shown of: {sample}",
        ),
    ]


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
        return
    common.standalone(NAME, run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
