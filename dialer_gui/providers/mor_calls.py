"""MOR's requests after "accepted": the part of :class:`~dialer_gui.providers.mor.MorProvider`
that follows and ends calls, kept apart from placing them.

It reads the call states with ``providers.mor_follow`` (active calls, call records) and ends
calls with ``providers.mor_v2``; see those modules for what MOR documents and how its silences
are read. Following needs the ``callback_uniqueid`` (the call ID) and MOR X14; the records need
the numeric ``user_id``; hanging up needs ``hang_up_v2`` (MOR X18) and the MOR ``password``.
"""

from __future__ import annotations

import logging
import re
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from dialer_gui.providers import mor_follow
from dialer_gui.providers.base import Provider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.following import FollowMemory, call_ids, gone
from dialer_gui.providers.http import build, http_status_error, read_xml, send, sha1_hex
from dialer_gui.providers.mor_follow import Placed, Row
from dialer_gui.providers.mor_v2 import MorV2
from dialer_gui.vocabulary.calls import Capabilities, Follows, Progress
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

# Not at run time: httpx costs ~70 ms of start-up; it is imported by providers.http when the
# first client is built, in the warm-up thread.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import httpx

log = logging.getLogger("dialer_gui.providers.mor")

DECLARATION = re.compile(r"<\?xml[^>]*\?>", re.IGNORECASE)
DANGEROUS = ("<!doctype", "<!entity")

FOLLOW_FIELDS: tuple[Field, ...] = (
    Field(
        "follow_calls",
        "Follow calls",
        FieldKind.BOOL,
        True,
        "Show each call's progress from MOR's active calls (MOR X14 and later); needs the "
        "call ID (callback_uniqueid).",
    ),
    Field(
        "user_id",
        "MOR user ID",
        FieldKind.STR,
        "",
        "Your numeric user ID in MOR (Users list): with it, how each call ended is read from "
        "MOR's call records. Empty: no records are read.",
    ),
    Field(
        "hang_up_v2",
        "Hang up through MOR's v2 API",
        FieldKind.BOOL,
        False,
        "Offer Hang up and Cancel through MOR's REST API (MOR X18 and later, set up by the "
        "MOR administrator), logging in with your MOR user name and password.",
    ),
    Field(
        "password",
        "MOR password",
        FieldKind.SECRET,
        "",
        "Your MOR login password: only for hanging up through the v2 API.",
    ),
)


class MorCalls(Provider):
    """Following and ending MOR callbacks; :class:`MorProvider` adds placing them."""

    # After "accepted": what this instance saw, the numbers it dialed per call ID, its v2
    # session, and why the call records cannot be read (once they could not).
    _memory: FollowMemory | None = None
    _placed: Placed | None = None
    _v2: MorV2 | None = None
    _records_problem: str = ""

    def _setting(self, key: str, label: str) -> str:
        value = str(self.option(key) or "").strip()
        if not value:
            raise ProviderError(
                f"The profile “{self.name}” has no {label}. Enter it in Settings.",
                category=ErrorCategory.CONFIG,
            )
        return value

    @property
    def _method(self) -> str:
        return "GET" if str(self.option("method") or "").upper() == "GET" else "POST"

    # -- after "accepted" ----------------------------------------------------------------------
    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        """Live legs with a call ID; hang-up and cancel through the v2 API when it is on."""
        if not profile.get("follow_calls", True):
            return Capabilities(note="Following calls is turned off for this profile.")
        if not profile.get("callback_uniqueid", True):
            return Capabilities(
                note="MOR gives a call ID only when “Ask for a call ID” is on, so this dialer "
                "cannot follow these calls: check your phone."
            )
        if profile.get("hang_up_v2", False):
            return Capabilities(Follows.LIVE, hang_up=True, cancel=True)
        return Capabilities(
            Follows.LIVE,
            note="Hanging up from here needs MOR's v2 API (MOR X18 and later): see Settings.",
        )

    @property
    def _followed(self) -> FollowMemory:
        if self._memory is None:
            self._memory = FollowMemory()
        return self._memory

    @property
    def _numbers(self) -> Placed:
        if self._placed is None:
            self._placed = Placed()
        return self._placed

    async def _quiet_request(
        self, method: str, url: str, headers: dict[str, str], extra: list[str]
    ) -> tuple[httpx.Response, str]:
        """One request that never places a call: no error of it says "may ring"."""
        request = build(self.client, method, url, provider=self.name, headers=headers)
        try:
            return await send(
                self.client,
                request,
                provider=self.name,
                secrets=self.secrets.values(),
                extra_secrets=extra,
            )
        except ProviderError as exc:
            exc.maybe_placed = False
            raise

    async def _quiet_send(
        self, method: str, url: str, headers: dict[str, str], extra: list[str]
    ) -> tuple[int, str]:
        """``_quiet_request`` as the v2 client wants it: the status and the redacted text."""
        response, raw = await self._quiet_request(method, url, headers, extra)
        return response.status_code, raw

    async def _classic(self, path: str, params: list[tuple[str, str]], hashed: str) -> ET.Element:
        """A classic XML API request signed with ``sha1(hashed + secret)``; its answer's root.

        Raises:
            ProviderError: MOR's refusal (see ``mor_follow.refusal``), a missing method (404,
                ``NOT_PERMITTED``) or an answer that is not MOR's XML (``UNEXPECTED``).
        """
        secret = self.secrets.get("secret", "")
        if not secret:
            raise self._config("the MOR API secret key is missing (set it in Settings)")
        digest = sha1_hex(hashed + secret)
        base = self._setting("url", "MOR address").rstrip("/")
        query = urllib.parse.urlencode([*params, ("hash", digest)])
        doing = "listing active calls" if path == mor_follow.ACTIVE_PATH else "reading call records"
        url = f"{base}/api/{path}?{query}"
        response, raw = await self._quiet_request(self._method, url, {}, [digest])
        if response.status_code == 404:
            raise ProviderError(
                f"This MOR has no {path} (it needs a newer MOR), so this dialer cannot follow "
                "calls there; your calls are not affected.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if response.status_code != 200:
            error = http_status_error(response, self.name, raw)
            error.maybe_placed = False
            raise error
        lowered = raw.lower()
        try:
            if any(mark in lowered for mark in DANGEROUS):
                raise ValueError("an HTML page")
            root = read_xml(DECLARATION.sub("", raw).strip())
        except ValueError:
            raise ProviderError(
                f"MOR gave an answer this dialer cannot read while {doing} (not its XML).",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            ) from None
        said = mor_follow.error_of(root)
        if said is not None:
            raise mor_follow.refusal(said, raw, doing)
        return root

    async def _active_rows(self) -> list[Row]:
        user = self._setting("u", "MOR user name")
        params = [("u", user)]
        user_id = str(self.option("user_id") or "").strip()
        if user_id:
            params.append(("s_user_id", user_id))
        root = await self._classic(mor_follow.ACTIVE_PATH, params, user)
        return mor_follow.active_rows(root)

    async def _record_rows(self, call_id: str) -> list[Row] | None:
        """The call records of ``call_id``; ``None`` when this MOR's records cannot be read."""
        user_id = str(self.option("user_id") or "").strip()
        if not user_id or self._records_problem:
            return None
        now = int(time.time())
        values = {
            "period_start": str(now - mor_follow.RECORD_WINDOW),
            "period_end": str(now + mor_follow.RECORD_WINDOW),
            "s_user": user_id,
            "s_callback_uniqueid": call_id,
        }
        params = [(k, values[k]) for k in mor_follow.RECORD_HASH_ORDER if k in values]
        try:
            root = await self._classic(
                mor_follow.RECORDS_PATH,
                [("u", self._setting("u", "MOR user name")), *params],
                "".join(v for _, v in params),
            )
        except ProviderError as exc:
            refused = exc.category in (ErrorCategory.NOT_PERMITTED, ErrorCategory.CREDENTIALS)
            if not (refused or exc.message.startswith(mor_follow.ERROR_ANSWER)):
                raise  # garbage, a timeout, a lost connection: a passing trouble
            # A refusal of the records alone: live states still work, endings are judged
            # from what was seen (providers.following.gone).
            self._records_problem = exc.message
            log.warning("MOR call records cannot be read for %s: %s", self.name, exc.message)
            return None
        return mor_follow.record_rows(root)

    async def progress(self, call_ids_: Sequence[str]) -> list[Progress]:
        """One look at MOR's active calls for all of them, and the records of those gone."""
        wanted = call_ids(call_ids_)
        if not wanted:
            return []
        rows = await self._active_rows()
        own_src = str(self.option("src") or "").strip()
        reports: list[Progress] = []
        for call_id in wanted:
            mine = mor_follow.ours(rows, call_id, self._numbers.get(call_id))
            live = mor_follow.live_state(call_id, mine, own_src)
            if live is not None:
                reports.append(self._followed.saw(live))
                continue
            records = await self._record_rows(call_id)
            seen = self._followed.get(call_id)
            final = (
                mor_follow.final_state(
                    call_id, records, own_src, end_requested=bool(seen and seen.end_requested)
                )
                if records
                else None
            )
            if final is not None:
                self._followed.forget(call_id)
            else:
                final = gone(self._followed, call_id)
            if final is not None:
                reports.append(final)
        return reports

    async def end_call(self, call_id: str) -> str:
        """Drop every active leg of the call through the v2 API."""
        if not self.option("hang_up_v2"):
            raise ProviderError(
                "Hanging up MOR calls from here is off: it needs MOR's v2 API (“Hang up through "
                "MOR's v2 API” in Settings).",
                category=ErrorCategory.NOT_PERMITTED,
            )
        password = self.secrets.get("password", "")
        if not password:
            raise self._config("the MOR password for the v2 API is missing (set it in Settings)")
        wanted = call_ids([call_id])
        rows = await self._active_rows() if wanted else []
        mine = [r for r in mor_follow.ours(rows, wanted[0], self._numbers.get(wanted[0])) if r.id]
        if not wanted or not mine:
            raise ProviderError(
                "MOR lists no such active call; it may already have ended.",
                category=ErrorCategory.CALL_UNKNOWN,
            )
        if self._v2 is None:
            base = self._setting("url", "MOR address")
            user = self._setting("u", "MOR user name")
            self._v2 = MorV2(self._quiet_send, base, user, password)
        said, unknown = "", None
        for row in mine:
            try:
                said = await self._v2.drop(row.id)
            except ProviderError as exc:
                if exc.category is not ErrorCategory.CALL_UNKNOWN:
                    raise
                unknown = exc  # this leg had ended; the others may still run
        if not said and unknown is not None:
            raise unknown
        self._followed.ending(wanted[0])
        return said
