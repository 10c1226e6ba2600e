"""The browser door: what to tell the browser companion about the text it sent, at once.

The extension waits for an answer to each click, and the user should see it within moments:
"calling", "asking" (a confirmation is open), "choosing" (the text held several numbers), or
why nothing happens. :func:`triage` works that out from the very plan and guards the dialer
then applies (``Dialer.plan`` and ``Dialer.web_door_refusal``), before anything is awaited,
so the answer and what the dialer does agree. It sends nothing and records nothing; the app
then hands the plan to the dialer (which records every refusal, as for links), records the
refusal of a busy app at once (:meth:`Dialer.refuse`: the guard that said "busy" may say
otherwise a moment later), or opens the chooser.

Text is read the way the clipboard is (:func:`core.numbers.extract_numbers`): a link dials
as a link, one number dials, several open the chooser, none is a plain refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dialer_gui.core import links
from dialer_gui.core.numbers import extract_numbers
from dialer_gui.core.planner import DialPlan
from dialer_gui.errors import DialerError
from dialer_gui.vocabulary.calls import Source
from dialer_gui.vocabulary.reasons import Reason
from dialer_gui.vocabulary.target import DialTarget

if TYPE_CHECKING:
    from dialer_gui.core.dialer import Dialer

__all__ = [
    "ALREADY_CALLING",
    "ASKING",
    "CALLING",
    "CHOOSING",
    "READY",
    "STARTING",
    "Triage",
    "triage",
]

# What the extension is told when the app took the request (the ``state`` of its reply).
READY = "ready"  # a ping: the app is running and listening
STARTING = "starting"  # the app is starting; it takes the request once it is up
CALLING = "calling"  # the number goes to the PBX now
ASKING = "asking"  # the number waits for the user's confirmation in the app
CHOOSING = "choosing"  # the text holds several numbers: the app asks which one
ALREADY_CALLING = "already calling"  # the same number was dialed moments ago: merged with it

CHOOSER_OPEN = (
    "dialer-gui is waiting for you to choose a number from an earlier request; "
    "choose one or cancel it first."
)


@dataclass(frozen=True, slots=True)
class Triage:
    """What becomes of one request from the browser.

    Attributes:
        state: what the extension is told when the request is taken; empty when refused.
        error: why nothing is dialed, in plain words; empty when taken.
        plan: the plan for the one number (or link), for the dialer: also when it refuses
            the call, so the history and the notices say what happened, as they do for links.
        busy: why the app is busy (the door guard's reason and sentence); the app records
            this refusal itself, at once, instead of handing ``plan`` on.
        targets: the numbers to choose from, when there are several.
    """

    state: str = ""
    error: str = ""
    plan: DialPlan | None = None
    busy: tuple[Reason, str] | None = None
    targets: tuple[DialTarget, ...] = ()


def _shown(text: str) -> str:
    """The text as the user may recognise it in a sentence: one line, not too long."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:39] + "…"


def triage(dialer: Dialer, text: str, page: str | None = None, *, choosing: bool = False) -> Triage:
    """Decide what the app does with ``text`` from the browser, and what the extension hears.

    Args:
        dialer: the app's dialer (its settings, plan and door guards).
        text: what the extension sent, already checked by the IPC protocol.
        page: the page that asked, kept with the plan.
        choosing: whether a chooser for an earlier browser request is still open.
    """
    stripped = text.strip()
    if links.looks_like_link(stripped):
        raw = stripped
    else:
        general = dialer.config.general
        lengths = (int(general.extension_lengths[0]), int(general.extension_lengths[1]))
        try:
            targets = extract_numbers(stripped, region=dialer.region, extension_lengths=lengths)
        except DialerError as exc:
            return Triage(error=str(exc))
        if not targets:
            return Triage(error=f"No phone number was found in “{_shown(stripped)}”.")
        if len(targets) > 1:
            if choosing:
                return Triage(error=CHOOSER_OPEN)
            return Triage(state=CHOOSING, targets=tuple(targets))
        # The matched text, not the E.164 form, so an extension written after it is kept.
        raw = targets[0].raw or targets[0].e164
    plan = dialer.plan(raw, Source.BROWSER)
    plan.page = page
    if plan.error or plan.target is None:
        return Triage(error=plan.error or "Nothing to dial.", plan=plan)
    if plan.blocked:
        return Triage(error=plan.blocked, plan=plan)
    if plan.duplicate_of is not None:
        return Triage(state=ALREADY_CALLING, plan=plan)
    busy = dialer.web_door_refusal(plan)
    if busy is not None:
        return Triage(error=busy[1], plan=plan, busy=busy)
    return Triage(state=ASKING if plan.needs_confirm else CALLING, plan=plan)
