"""Fixtures that start the loopback PBX simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dialer_gui.sandbox import SandboxThread


@pytest.fixture
def sandbox() -> Iterator[SandboxThread]:
    """The simulator of every API on a free loopback port, on its own thread."""
    thread = SandboxThread(cdr_delay=0.05)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()
