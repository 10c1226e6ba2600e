"""platform/memory.py: what the app does once start-up is over."""

from __future__ import annotations

import gc
import linecache
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialer_gui.platform import memory


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the suite must collect as usual


def test_settle_drops_cached_sources_and_freezes_survivors(tmp_path: Path, unfrozen: None) -> None:
    source = tmp_path / "module.py"
    source.write_text("x = 1\n")
    assert linecache.getline(str(source), 1) == "x = 1\n"
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    trimmed = memory.settle()
    assert str(source) not in linecache.cache
    assert gc.get_freeze_count() > 1000
    glibc = sys.platform.startswith("linux") and memory._is_glibc()
    assert trimmed is glibc


def test_settle_again_collects_what_the_last_one_froze(unfrozen: None) -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector frees it

    node = Node()
    probe = [node]
    memory.settle()

    ref = weakref.ref(node)
    del node, probe
    gc.collect()
    assert ref() is not None  # frozen: an ordinary collection leaves it
    memory.settle()
    assert ref() is None
