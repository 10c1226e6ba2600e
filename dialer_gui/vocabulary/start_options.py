"""What the GUI app is started with: parsed by ``cli.py``, read by ``app.py``.

Stdlib only and without dataclasses, enum or typing at run time: the process the OS starts for
every tel: click builds one of these before it knows whether the app must start at all.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


class StartOptions:
    """Options of one start of the app (see ``app.run``)."""

    __slots__ = ("background", "clipboard", "config", "demo", "link")

    def __init__(
        self,
        config: Path | None = None,
        demo: bool = False,
        background: bool = False,
        link: str | None = None,
        clipboard: bool = False,
    ) -> None:
        self.config = config
        self.demo = demo
        self.background = background
        self.link = link  # dial this once the app is ready
        self.clipboard = clipboard  # dial the clipboard once the app is ready

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"StartOptions({fields})"
