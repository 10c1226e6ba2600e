"""The sender writes its line without ``json``, byte for byte as ``json.dumps`` would.

``ipc.encode`` runs in the process the OS starts for each click, so it builds the line from
the string encoder ``json`` itself uses instead of importing ``json`` (and, through it, ``re``).
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from test_ipc_fuzz import FUZZ, near_args

from dialer_gui import ipc
from dialer_gui.errors import IPCError


@FUZZ
@given(st.text(max_size=200))
def test_each_string_is_escaped_as_json_dumps_escapes_it(text: str) -> None:
    assert ipc._json_string(text) == json.dumps(text, ensure_ascii=True)


@FUZZ
@given(st.sampled_from(sorted(ipc.KINDS)), near_args, st.sampled_from(sorted(ipc.SOURCES)))
def test_the_line_is_what_json_dumps_writes(kind: str, arg: str, source: str) -> None:
    try:
        data = ipc.encode(ipc.Message(kind, arg, source))
    except IPCError:
        return
    payload = {"v": ipc.PROTOCOL_VERSION, "kind": kind, "arg": arg, "source": source}
    assert data == (json.dumps(payload, ensure_ascii=True, separators=(",", ":")) + "\n").encode()
