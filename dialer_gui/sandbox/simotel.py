"""Simulator of the simotel API (routes are added by its provider work)."""

from __future__ import annotations

from typing import Any


def register(sandbox: Any) -> None:
    """Add this API's routes to the sandbox."""
