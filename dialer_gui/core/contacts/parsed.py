"""What reading a contacts file gives: the contacts, and each card or row skipped with why."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialer_gui.vocabulary.contacts import Contact


@dataclass(frozen=True, slots=True)
class Skip:
    """A card or row that was not imported: the line it starts on, why, and its name if any."""

    line: int | None
    reason: str
    name: str = ""

    def describe(self) -> str:
        where = f"line {self.line}" if self.line is not None else "the file"
        who = f" ({self.name})" if self.name else ""
        return f"{where}{who}: {self.reason}"


@dataclass(slots=True)
class Parsed:
    """The contacts a file holds (``format`` names the kind: vCard, Outlook CSV...)."""

    format: str
    contacts: list[Contact] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
