"""The simulator side of the config-test type ``fake``: it serves nothing, as the fake sends
nothing (``FakeProvider.place_call`` answers by itself); its demo profile is complete."""

from __future__ import annotations

from typing import Any

from dialer_gui.sandbox import demo


def register(sandbox: Any) -> None:
    """The fake API has no routes: its client never sends a request."""


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    return demo.DemoProfile({"url": base}, {"password": "fake-demo-password"})
