"""One scheme list: every place that names the schemes we open agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialer_gui import ipc, platform
from dialer_gui.core import links
from dialer_gui.vocabulary.schemes import PREFIXES, SCHEMES

ROOT = Path(__file__).resolve().parent.parent


def test_every_scheme_is_recognised_as_a_link_by_each_door() -> None:
    for scheme in SCHEMES:
        text = f"{scheme.upper()}:+15551234567" + ("@pbx.example.com" if "sip" in scheme else "")
        assert links.looks_like_link(f"  {text}")
        message = ipc.decode(ipc.encode(ipc.Message("dial", text, "link")))
        assert message.arg == text
    assert platform.SCHEMES == SCHEMES
    assert tuple(s + ":" for s in SCHEMES) == PREFIXES
    assert not links.looks_like_link("mailto:x@example.com")


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("packaging/linux/dialer-gui.desktop", r"x-scheme-handler/([a-z]+)"),
        ("packaging/linux/org.dialer_gui.DialerGui.metainfo.xml", r"x-scheme-handler/([a-z]+)"),
        (
            "packaging/windows/dialer-gui.iss",
            r'URLAssociations"; ValueType: string; ValueName: "([a-z]+)"',
        ),
    ],
)
def test_packaged_files_list_the_same_schemes(path: str, pattern: str) -> None:
    found = re.findall(pattern, (ROOT / path).read_text(encoding="utf-8"))
    assert sorted(set(found)) == sorted(SCHEMES), path
