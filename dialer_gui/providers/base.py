"""The provider interface, shaped like an httpx transport: one async method that places a call.

A provider instance belongs to one *profile* (a ``[providers.NAME]`` table in the config). It
owns one long-lived :class:`httpx.AsyncClient`, created lazily and closed by :meth:`aclose`, so a
tel: click reuses a warm connection. Tests and the demo mode inject a transport.

Each provider type declares its settings once, as ``vocabulary.fields.Field`` tuples; the config
loader validates against them and the settings dialog is generated from them.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.vocabulary.calls import Capabilities, Outcome, Progress
from dialer_gui.vocabulary.fields import Field
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget

# Not at run time: httpx costs ~70 ms of start-up; it is imported by providers.http when the
# first client is built, in the warm-up thread.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True, slots=True)
class CallRequest:
    """What a provider needs to place one call.

    ``dial_string`` is the target already formatted for this profile (``core.formatting``);
    ``reference`` is unique per attempt and safe for any API (letters, digits, ``-``).
    """

    target: DialTarget
    dial_string: str
    reference: str


@dataclass(frozen=True, slots=True)
class CallResult:
    """The PBX accepted the request. ``raw`` is its answer with secrets removed.

    ``call_id`` is whatever the PBX called the call, cleaned here once for every provider: a
    PBX answer is untrusted, and the ID ends up in notifications, history and the clipboard.
    Anything but a short printable token becomes ``None`` (the raw answer keeps it).
    """

    call_id: str | None
    raw: str
    message: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "call_id", clean_call_id(self.call_id))


MAX_CALL_ID = 128


def clean_call_id(value: object) -> str | None:
    """A PBX's call ID as a short printable string, or ``None`` when it is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if not text or len(text) > MAX_CALL_ID or not text.isprintable():
        return None
    return text


@dataclass(frozen=True, slots=True)
class WireRequest:
    """A request as it would go on the wire, secrets masked: the dry run and details view."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""

    def render(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{k}: {v}" for k, v in self.headers]
        if self.body:
            lines += ["", self.body]
        return "\n".join(lines)


OnOutcome = Callable[[Outcome], None]
OnFeedStatus = Callable[[str], None]


class OutcomeListener(Protocol):
    """A running reader of late outcomes (``Provider.listen_for_outcomes``)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


class Provider(abc.ABC):
    """Base class of every provider type.

    Subclasses set the class attributes and implement :meth:`place_call` and :meth:`describe`.
    """

    type_name: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    # Name of a core.formatting.NumberFormat member that satisfies the API's number rules.
    default_number_format: ClassVar[str] = "e164"
    # The API's name as settings errors say it: "The Enswitch profile “x” is not usable: ...".
    profile_noun: ClassVar[str] = "provider"
    # For people (the docs): what the PBX tells and does after "accepted", and what it needs.
    after_accepted: ClassVar[str] = "Nothing: “accepted” is the last word."

    def __init__(
        self,
        profile: ProviderProfile,
        secrets: Mapping[str, str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.profile = profile
        self.secrets = dict(secrets)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    @property
    def name(self) -> str:
        return self.profile.name

    def _text(self, key: str, *, strip: bool = True) -> str:
        """The option ``key`` as text: empty when unset, trimmed unless ``strip`` is False."""
        value = self.option(key)
        text = "" if value is None else str(value)
        return text.strip() if strip else text

    def _config(self, what: str) -> ProviderError:
        """A settings error: "The <profile_noun> profile “name” is not usable: <what>."."""
        return ProviderError(
            f"The {self.profile_noun} profile “{self.name}” is not usable: {what}.",
            category=ErrorCategory.CONFIG,
        )

    def option(self, key: str) -> Any:
        """The profile's value for ``key``, or the field's declared default."""
        if key in self.profile.options:
            return self.profile.options[key]
        for f in self.all_fields():
            if f.name == key:
                return f.default
        raise KeyError(key)

    @classmethod
    def all_fields(cls) -> tuple[Field, ...]:
        from dialer_gui.providers.common import COMMON_FIELDS

        return cls.fields + COMMON_FIELDS

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            from dialer_gui.providers.http import make_client

            self._client = make_client(self.profile, transport=self._transport)
        return self._client

    @abc.abstractmethod
    async def place_call(self, request: CallRequest) -> CallResult:
        """Ask the PBX to place the call. Raises ``ProviderError`` only."""

    @abc.abstractmethod
    def describe(self, request: CallRequest) -> list[WireRequest]:
        """The request(s) ``place_call`` would send, secrets masked (dry run)."""

    def expected_call_id(self, request: CallRequest) -> str | None:
        """The call ID known before sending, so a call whose answer is lost can still be matched.

        An API that takes our own reference as its call ID (Teleforge) knows the ID before the
        request leaves; if the answer then never arrives, a later outcome (a CDR) still finds the
        call. ``None`` (the default) when the PBX chooses the ID.
        """
        return None

    @classmethod
    def sends_extension(cls, profile: ProviderProfile) -> bool:
        """Whether a call through ``profile`` carries the extension behind a number (``x12``).

        None of the click-to-call APIs documents digits to send once the call connects (DTMF
        after a pause), so by default the PBX gets the number alone and the caller must key
        the extension in; the planner says so wherever the call is shown.
        """
        return False

    # -- after "accepted" ---------------------------------------------------------------------
    @classmethod
    def outcome_feed(cls, profile: ProviderProfile) -> str | None:
        """Where late outcomes of ``profile``'s calls arrive, or ``None`` if nothing reports them.

        Profiles that name the same feed share one listener (a Redis list read by two
        listeners would have each steal the other's records). The default: no outcomes.
        """
        return None

    @classmethod
    def listen_for_outcomes(
        cls, feed: str, on_outcome: OnOutcome, on_status: OnFeedStatus
    ) -> OutcomeListener:
        """A listener (not yet started) for ``feed``, as named by :meth:`outcome_feed`.

        ``on_outcome`` gets each outcome; ``on_status`` a sentence when outcomes stop arriving
        and ``""`` when they arrive again.
        """
        raise NotImplementedError(f"{cls.__name__} reports no outcomes")

    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        """What ``profile``'s PBX can tell about, and do to, a call it took.

        The tracker calls :meth:`progress` only for a profile that follows calls (``FINAL``
        or ``LIVE``), and offers Hang up / Cancel only where this says the PBX can. Default:
        nothing after "accepted".
        """
        return Capabilities()

    async def progress(self, call_ids: Sequence[str]) -> list[Progress]:
        """One look at the PBX: what it says now about the calls ``call_ids`` (its IDs).

        Returns one :class:`Progress` per call it has news of (its current state, or how it
        ended); a call it says nothing about is left out. The tracker asks again later, one
        request in flight per profile, while any of the calls is live.

        Raises:
            ProviderError: with ``NOT_PERMITTED`` when the account may not ask (the tracker
                stops following this profile's calls and says so once); any other category
                is a passing trouble (asked again later, within the tracker's bound).
        """
        # A provider that follows nothing says so as a refusal, which stops the asking.
        raise ProviderError(
            f"The PBX of “{self.name}” cannot tell how a call is going.",
            category=ErrorCategory.NOT_PERMITTED,
        )

    async def end_call(self, call_id: str) -> str:
        """Hang up or cancel the call ``call_id``; returns the PBX's confirmation in plain words.

        Raises:
            ProviderError: the PBX did not confirm (``CALL_UNKNOWN`` when it knows no such
                call, ``NOT_PERMITTED`` when the account may not end calls).
        """
        raise ProviderError(
            f"The PBX of “{self.name}” cannot end a call from here: hang up on your phone.",
            category=ErrorCategory.NOT_PERMITTED,
        )

    async def check(self) -> str:
        """A harmless request proving the profile works; default is a dry run of a call."""
        return "No test request exists for this API; settings look complete."

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
