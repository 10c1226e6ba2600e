"""The planner: text, the door it came through and the settings -> a plan, or a refusal.

Pure: it sends nothing, writes nothing and keeps no state between calls, so previews (the dial
pad's "will call" line, ``dialer-gui call --dry-run``) and the real call read the very same
plan. What depends on what happened moments ago (a duplicate, the link rate) is the dialer's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dialer_gui.core import formatting, links, numbers
from dialer_gui.core.policy import decide
from dialer_gui.core.routing import choose_profile
from dialer_gui.errors import DialerError
from dialer_gui.providers import provider_class
from dialer_gui.vocabulary.calls import Source
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.reasons import Reason
from dialer_gui.vocabulary.target import DialTarget

if TYPE_CHECKING:
    from dialer_gui.core.config import Config


@dataclass(slots=True)
class DialPlan:
    """Everything known about a request before anything is sent; drives previews and prompts.

    ``error`` (with ``reason``) says why it cannot be dialed at all; ``blocked`` why a guard
    refuses it. ``duplicate_of`` is filled in by the dialer, which knows what is in flight.
    """

    raw: str
    source: Source
    target: DialTarget | None = None
    profile: ProviderProfile | None = None
    dial_string: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    blocked: str | None = None
    reason: Reason | None = None
    needs_confirm: bool = False
    confirm_reason: str = ""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing to do
    duplicate_of: int | None = None
    number_type: str = "unknown"
    emergency: bool = False  # a short emergency number (911, 112), which looks like an extension
    page: str | None = None  # the web page that asked (the browser companion), as checked
    unsent_extension: str = ""  # the extension behind the number, which the PBX will not get
    contact: str | None = None  # the contact's name: picked by name, or the number's only one
    contact_label: str = ""  # the contact's label for the number ("mobile"), when known

    @property
    def callee(self) -> str:
        """Who is called, for the prompt: "Jane Doe, mobile (+1 212-555-0100)", or the number
        when it names no contact."""
        shown = self.target.display if self.target else self.raw
        if not self.contact:
            return shown
        label = f", {self.contact_label}" if self.contact_label else ""
        return f"{self.contact}{label} ({shown})"

    @property
    def ok(self) -> bool:
        return self.error is None and self.blocked is None

    def refuse(self, reason: Reason, text: str) -> DialPlan:
        self.reason, self.error = reason, text
        return self


def default_profile_name(config: Config) -> str | None:
    default = config.general.default_provider
    if default in config.providers:
        return default
    return next(iter(config.providers), None)


def parse(config: Config, raw: str) -> DialTarget:
    """``raw`` (a number, an extension or a link) as a target; raises ``DialerError``."""
    g = config.general
    lengths = (int(g.extension_lengths[0]), int(g.extension_lengths[1]))
    text = raw.strip()
    if links.looks_like_link(text):
        return links.target_from_link(text, region=g.region, extension_lengths=lengths)
    return numbers.parse_target(text, region=g.region, extension_lengths=lengths)


def plan(
    config: Config,
    raw: str,
    source: Source,
    provider: str | None = None,
) -> DialPlan:
    """Parse, route, format and judge ``raw`` without sending anything."""
    result = DialPlan(raw=raw, source=source)
    try:
        target = parse(config, raw)
    except DialerError as exc:
        return result.refuse(Reason.NOT_DIALABLE, str(exc))
    result.target = target
    text = raw.strip()
    spelled = (
        links.spelled_number(text) if links.looks_like_link(text) else numbers.spelled_number(text)
    )
    if spelled:
        result.notes.append(f"{spelled} → {target.display} (letters dialed as keypad digits)")
    if provider is not None and provider not in config.providers:
        return result.refuse(Reason.UNKNOWN_PROVIDER, f"There is no provider called “{provider}”.")
    name = provider or choose_profile(
        target, config.routes, config.providers, default_profile_name(config)
    )
    if name is None:
        return result.refuse(Reason.NO_PROVIDER, "No provider is set up yet. Add one in Settings.")
    profile = config.providers[name]
    result.profile = profile
    try:
        # Each provider type declares the format its API documents.
        fmt = profile.get("number_format") or provider_class(profile.type).default_number_format
        prefix = str(profile.get("outside_line_prefix", "") or "")
        rules = [tuple(r) for r in (profile.get("rewrite") or [])]
        result.steps = formatting.explain_format(
            target, fmt, outside_prefix=prefix, rules=rules, region=config.general.region
        )
        result.dial_string = result.steps[-1][1]
    except (ValueError, KeyError) as exc:
        return result.refuse(
            Reason.PROVIDER_UNUSABLE, f"The number format of “{name}” is wrong: {exc}"
        )
    extension = target.extension or ""
    if extension and not provider_class(profile.type).sends_extension(profile):
        result.unsent_extension = extension
        result.warnings.append(unsent_extension_text(extension))
    if not profile.get("verify_tls", True):
        result.warnings.append(
            f"TLS certificate checks are OFF for “{name}”: "
            "someone on the network could read or change this call request."
        )
    result.number_type = numbers.number_type(target)
    valid = target.is_extension or result.number_type != "unknown"
    decision = decide(target, result.number_type, valid, source, config.general)
    if decision.blocked:
        result.blocked, result.reason = decision.blocked, Reason.BLOCKED_NUMBER
    result.needs_confirm = decision.needs_confirm
    result.confirm_reason = decision.reason
    if target.is_extension and _is_emergency(target.digits, config.general.region):
        # Short emergency numbers look like extensions; never dial one from a click alone.
        result.needs_confirm = True
        result.emergency = True
        result.confirm_reason = f"{target.digits} is an emergency number."
    return result


def unsent_extension_text(extension: str) -> str:
    """What every place that shows the call says of an extension the PBX will not get."""
    return f"ext. {extension} is not dialed: enter it when the call connects."


def prime(region: str) -> None:
    """Load what the first call would otherwise load on the event loop.

    phonenumbers reads a country's metadata on first use, and httpx imports its async network
    backend on its first request; together tens of milliseconds.
    """
    import anyio._backends._asyncio  # noqa: F401  (httpcore's backend, imported lazily)
    import httpcore  # noqa: F401

    example = phonenumbers_example(region)
    with contextlib.suppress(DialerError):
        target = numbers.parse_target(example, region=region)
        numbers.number_type(target)
        formatting.format_dial_string(target, "local", region=region)


def phonenumbers_example(region: str) -> str:
    """An example number of ``region`` (to load its metadata), or a US one."""
    import phonenumbers

    example = phonenumbers.example_number(region) or phonenumbers.example_number("US")
    if example is None:  # pragma: no cover - the US always has one
        return "+12015550123"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def _is_emergency(digits: str, region: str) -> bool:
    from phonenumbers import shortnumberinfo

    try:
        return bool(shortnumberinfo.is_emergency_number(digits, region))
    except Exception:  # phonenumbers metadata gaps must not block dialing an extension
        return False
