"""The link schemes dialer-gui dials, listed once.

The hand-off path (``ipc``, ``cli``), the link parser (``core.links``) and every OS registration
(``platform``) read this list; the packaged desktop entry, AppStream file and Windows installer
repeat it in their own formats, and ``tests/test_schemes.py`` checks that they still agree.
It imports nothing: the hand-off path reads it before anything heavy is loaded.
"""

from __future__ import annotations

SCHEMES: tuple[str, ...] = ("tel", "callto", "sip", "sips")

# ``tel:``, ``callto:`` ... as prefixes, for a quick lower-cased ``startswith`` on an argument.
PREFIXES: tuple[str, ...] = tuple(f"{scheme}:" for scheme in SCHEMES)
