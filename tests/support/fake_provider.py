"""A tiny provider type for config tests, registered as type ``fake`` by a fixture.

It declares one field of every kind, so the config loader's checks can be exercised without
depending on any real API module.
"""

from __future__ import annotations

from dialer_gui.providers.base import CallRequest, CallResult, Provider, WireRequest
from dialer_gui.vocabulary.fields import Field, FieldKind


class FakeProvider(Provider):
    type_name = "fake"
    label = "Fake PBX (tests)"
    fields = (
        Field("url", "Server address", FieldKind.URL, None, required=True),
        Field("caller", "Your extension", FieldKind.STR, ""),
        Field("password", "Password", FieldKind.SECRET, None, required=True),
        Field("api_key", "API key", FieldKind.SECRET, None),
        Field("mode", "Mode", FieldKind.CHOICE, "a", choices=("a", "b")),
        Field("retries", "Retries", FieldKind.INT, 0),
        Field("debug", "Debug", FieldKind.BOOL, False),
        Field("headers", "Extra headers", FieldKind.MAPPING, {}),
    )

    async def place_call(self, request: CallRequest) -> CallResult:
        return CallResult(call_id=request.reference, raw="{}")

    def describe(self, request: CallRequest) -> list[WireRequest]:
        return [WireRequest("POST", str(self.option("url")), body=request.dial_string)]
