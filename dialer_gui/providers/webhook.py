"""A generic HTTP webhook: for PBXs and services with no provider of their own.

The address, headers and body are templates. Placeholders are written ``{name}``:

``{number}`` the dial string (formatted for this profile), ``{e164}``, ``{digits}``,
``{extension}`` (the part after an ``x``, or empty), ``{reference}`` (unique per call),
``{password}`` and ``{token}`` (the two secrets), and ``{<option>}`` for any other setting of
the profile (``{label}``, or a custom key added to the config table).

Each value is escaped for the place it lands in, so no value can change the request's shape:
URL-encoded in the address, JSON-escaped inside a JSON body (write the quotes yourself:
``{"to": "{number}"}``), URL-encoded in a form body, and refused in a header if it holds a
line break. A ``{word}`` that is not a known placeholder is an error, not sent as is; braces
that do not enclose a plain name (JSON objects) are left alone.

Success is any 2xx that is not a web page (a proxy's login page is not the service), narrowed
by ``success_json_path`` (a dotted path such as ``data.status``; with ``success_value`` it must
equal that text, without it the value must be truthy) or ``success_regex`` (searched in the
body). Only a success field holding another value means "not placed"; a web page, a missing
field or a pattern that does not match means "may have been placed", since the answer is not
the one the rules were written for. The call ID comes from ``call_id_json_path`` or
``call_id_regex`` (its first group, or the whole match).

After "accepted", optional status and hang-up requests (``providers.webhook_follow``) follow
and end a call by its ``{call_id}``; the profile's settings decide what it can do.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from dialer_gui.providers import webhook_follow
from dialer_gui.providers.base import CallRequest, CallResult, Provider, WireRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.following import FollowMemory, call_ids
from dialer_gui.providers.http import (
    AnswerOutOfBounds,
    http_status_error,
    read_json,
    send,
    unexpected_answer,
    whole,
)
from dialer_gui.providers.http import build as build_http_request
from dialer_gui.providers.redaction import MASK
from dialer_gui.vocabulary.calls import Capabilities, Progress
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

log = logging.getLogger("dialer_gui.providers.webhook")

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECRET_NAMES = ("password", "token")
# Options that are templates are not placeholders.
TEMPLATES = ("url", "body", "headers", *webhook_follow.TEMPLATE_OPTIONS)
CONTENT_TYPES = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "text": "text/plain; charset=utf-8",
}
_MISSING = object()


def json_path(data: Any, path: str) -> Any:
    """``data["a"]["b"]`` for ``"a.b"``; list items by index (``items.0.id``)."""
    current = data
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def as_text(value: Any) -> str:
    """A JSON value as people write it in a setting: ``true``, ``1``, ``ok``."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


def render(template: str, values: Mapping[str, str], escape: Callable[[str], str]) -> str:
    """Replace every ``{name}`` with its escaped value; unknown names raise ``KeyError``."""

    def one(match: re.Match[str]) -> str:
        return escape(values[match.group(1)])

    return PLACEHOLDER.sub(one, template)


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _url_escape(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _form_escape(value: str) -> str:
    return urllib.parse.quote_plus(value)


def _text_escape(value: str) -> str:
    return value


BODY_ESCAPES: dict[str, Callable[[str], str]] = {
    "json": _json_escape,
    "form": _form_escape,
    "text": _text_escape,
}


def _header_escape(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("line break in a header value")
    return value


class WebhookProvider(Provider):
    """Any HTTP API that places a call from one templated request."""

    type_name: ClassVar[str] = "webhook"
    label: ClassVar[str] = "Generic webhook"
    default_number_format: ClassVar[str] = "e164"
    profile_noun: ClassVar[str] = "webhook"
    after_accepted: ClassVar[str] = (
        "What its settings give: a status request (status_url with {call_id}, "
        "status_json_path, status_states) follows each call, live when the table maps live "
        "states, and a hang-up request (hangup_url) ends it; both use the headers and success "
        "rules of the dial request, and a 404 means the service knows no such call."
    )
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "url",
            "Address",
            FieldKind.URL,
            "",
            "The request's address; may hold placeholders such as {number} (URL-encoded).",
            required=True,
        ),
        Field(
            "method", "HTTP method", FieldKind.CHOICE, "POST", "", choices=("POST", "GET", "PUT")
        ),
        Field(
            "headers",
            "Headers",
            FieldKind.MAPPING,
            {},
            "Extra request headers; values may use placeholders, e.g. Bearer {token}.",
        ),
        Field(
            "body",
            "Body template",
            FieldKind.STR,
            "",
            'Request body with placeholders, e.g. {"to": "{number}"}. Empty sends no body.',
        ),
        Field(
            "body_format",
            "Body format",
            FieldKind.CHOICE,
            "json",
            "How placeholder values are escaped in the body, and the Content-Type sent.",
            choices=tuple(CONTENT_TYPES),
        ),
        Field("password", "Password", FieldKind.SECRET, "", "Usable as {password}."),
        Field("token", "Token", FieldKind.SECRET, "", "Usable as {token}."),
        Field(
            "success_json_path",
            "Success field",
            FieldKind.STR,
            "",
            "Dotted path in a JSON answer that says the call was accepted, e.g. data.status.",
        ),
        Field(
            "success_value",
            "Success value",
            FieldKind.STR,
            "",
            "Text the success field must equal (true, ok, ...); empty: present and not false.",
        ),
        Field(
            "success_regex",
            "Success pattern",
            FieldKind.STR,
            "",
            "Regular expression the answer must contain; empty: any 2xx answer is success.",
        ),
        Field("call_id_json_path", "Call ID field", FieldKind.STR, "", "e.g. data.id"),
        Field(
            "call_id_regex",
            "Call ID pattern",
            FieldKind.STR,
            "",
            "Regular expression; its first group (or whole match) is the call ID.",
        ),
        *webhook_follow.FOLLOW_FIELDS,
    )
    # Which calls this instance asked the service to end (providers.following).
    _memory: FollowMemory | None = None

    @classmethod
    def sends_extension(cls, profile: ProviderProfile) -> bool:
        """True when the address, body or a header uses ``{extension}``."""
        headers = profile.get("headers") or {}
        parts = [str(profile.get("url") or ""), str(profile.get("body") or "")]
        if isinstance(headers, Mapping):
            parts += [str(v) for v in headers.values()]
        return any("extension" in PLACEHOLDER.findall(part) for part in parts)

    def values(self, request: CallRequest, *, masked: bool) -> dict[str, str]:
        """Placeholder values: profile options first, then call data and secrets on top."""
        values: dict[str, str] = {
            key: str(value)
            for key, value in self.profile.options.items()
            if isinstance(value, str | int | float)
            and not isinstance(value, bool)
            and key not in TEMPLATES
        }
        target = request.target
        values.update(
            number=request.dial_string,
            e164=target.e164,
            digits=target.digits,
            extension=target.extension or "",
            reference=request.reference,
        )
        for name in SECRET_NAMES:
            secret = self.secrets.get(name, "")
            values[name] = MASK if masked and secret else secret
        return values

    def build(self, request: CallRequest, *, masked: bool = False) -> WireRequest:
        """The request with every placeholder filled in (secrets masked for display)."""
        for key in ("success_regex", "call_id_regex"):
            self._regex(key)  # a broken pattern is found before anything is sent
        return self._render(
            self.values(request, masked=masked), "url", "method", "body", ("POST", "GET", "PUT")
        )

    def _render(
        self,
        values: Mapping[str, str],
        url_key: str,
        method_key: str,
        body_key: str,
        methods: tuple[str, ...],
    ) -> WireRequest:
        """One templated request: ``url_key``, ``method_key`` and ``body_key`` name its
        options; the headers and body format are the profile's."""
        url_template = self._text(url_key).strip()
        if not url_template:
            raise self._config("the address is missing")
        method = (self._text(method_key) or methods[0]).upper()
        if method not in methods:
            raise self._config(
                f"the HTTP method must be {', '.join(methods[:-1])} or {methods[-1]}"
            )
        body_format = self._text("body_format") or "json"
        if body_format not in CONTENT_TYPES:
            raise self._config("the body format must be json, form or text")
        body_escape = BODY_ESCAPES[body_format]
        raw_headers = self.option("headers") or {}
        if not isinstance(raw_headers, Mapping):
            raise self._config("the headers must be a table of names and values")
        try:
            url = render(url_template, values, _url_escape)
            body = render(self._text(body_key, strip=False), values, body_escape)
            headers: list[tuple[str, str]] = []
            for key, value in raw_headers.items():
                headers.append((str(key), render(str(value), values, _header_escape)))
        except KeyError as exc:
            raise self._config(f"the placeholder {{{exc.args[0]}}} is unknown") from None
        except ValueError:
            raise self._config("a header value would contain a line break") from None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self._config("the address must start with http:// or https://")
        if body and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", CONTENT_TYPES[body_format]))
        return WireRequest(method, url, tuple(headers), body)

    def describe(self, request: CallRequest) -> list[WireRequest]:
        return [self.build(request, masked=True)]

    def _secret_values(self) -> list[str]:
        return [self.secrets.get(name, "") for name in SECRET_NAMES]

    async def place_call(self, request: CallRequest) -> CallResult:
        wire = self.build(request)
        http_request = build_http_request(
            self.client,
            wire.method,
            wire.url,
            provider=self.name,
            headers=list(wire.headers),
            content=wire.body.encode() if wire.body else None,
        )
        response, raw = await send(
            self.client, http_request, provider=self.name, secrets=self._secret_values()
        )
        if not response.is_success:
            if response.status_code in (400, 422):
                raise ProviderError(
                    f"The service of “{self.name}” refused the request "
                    f"(HTTP {response.status_code}). Check the number and the body template.",
                    category=ErrorCategory.REJECTED_NUMBER,
                    raw=raw,
                )
            raise http_status_error(response, self.name, raw)
        if "html" in response.headers.get("content-type", "").lower():
            # An API answers data, not a web page: a page comes from a proxy login or a captive
            # portal, which may or may not have passed the request on.
            raise unexpected_answer(self.name, raw, "a web page instead of the service's answer")
        self._check_success(raw)
        call_id = self._call_id(raw)
        message = f"The service accepted the call (ID {call_id})." if call_id else ""
        return CallResult(call_id, raw, message or "The service accepted the call.")

    # -- after "accepted" ----------------------------------------------------------------------
    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        return webhook_follow.capabilities(profile)

    def _follow_values(self, call_id: str) -> dict[str, str]:
        """Placeholder values of a status or hang-up request: options, ``{call_id}``, secrets."""
        values: dict[str, str] = {
            key: str(value)
            for key, value in self.profile.options.items()
            if isinstance(value, str | int | float)
            and not isinstance(value, bool)
            and key not in TEMPLATES
        }
        values["call_id"] = call_id
        for name in SECRET_NAMES:
            values[name] = self.secrets.get(name, "")
        return values

    async def _follow_request(self, wire: WireRequest, doing: str) -> str:
        """Send a status or hang-up request; its answer, if it passes the success rules."""
        http_request = build_http_request(
            self.client,
            wire.method,
            wire.url,
            provider=self.name,
            headers=list(wire.headers),
            content=wire.body.encode() if wire.body else None,
        )
        try:
            response, raw = await send(
                self.client, http_request, provider=self.name, secrets=self._secret_values()
            )
        except ProviderError as exc:
            exc.maybe_placed = False
            raise
        if response.status_code == 404:
            raise ProviderError(
                f"The service of “{self.name}” knows no such call (HTTP 404) while {doing}; it "
                "may already have ended.",
                category=ErrorCategory.CALL_UNKNOWN,
                raw=raw,
            )
        if not response.is_success:
            error = http_status_error(response, self.name, raw)
            error.maybe_placed = False
            raise error
        try:
            if "html" in response.headers.get("content-type", "").lower():
                raise unexpected_answer(self.name, raw, "a web page")
            self._check_success(raw)
        except ProviderError as exc:
            raise ProviderError(
                f"The service of “{self.name}” did not confirm the request {doing}.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            ) from exc
        return raw

    @property
    def _followed(self) -> FollowMemory:
        if self._memory is None:
            self._memory = FollowMemory()
        return self._memory

    async def progress(self, call_ids_: Sequence[str]) -> list[Progress]:
        """One status request per call; a state word the table lacks says nothing."""
        if not self._text("status_url"):
            return await super().progress(call_ids_)
        table = self.option("status_states") or {}
        path = self._text("status_json_path")
        duration_path = self._text("status_duration_json_path")
        reports: list[Progress] = []
        for call_id in call_ids(call_ids_):
            wire = self._render(
                self._follow_values(call_id), "status_url", "status_method", "status_body",
                ("GET", "POST"),
            )  # fmt: skip
            raw = await self._follow_request(wire, "asking how a call is going")
            data = self._status_data(raw, bool(path or duration_path))
            word = json_path(data, path) if path else (data if data is not None else raw.strip())
            if word is _MISSING or isinstance(word, dict | list):
                raise ProviderError(
                    f"The status answer of “{self.name}” has no state at “{path}”.",
                    category=ErrorCategory.UNEXPECTED,
                    raw=raw,
                )
            seconds = json_path(data, duration_path) if duration_path else None
            seen = self._followed.get(call_id)
            report = webhook_follow.report(
                call_id,
                as_text(word) if not isinstance(word, str) else word,
                table,
                None if seconds is _MISSING else seconds,
                end_requested=bool(seen and seen.end_requested),
            )
            if report is None:
                log.info("%s: a state word its status table lacks; ignored", self.name)
                continue
            reports.append(report)
        return reports

    def _status_data(self, raw: str, needed: bool) -> Any:
        """The status answer as JSON; ``None`` for a text answer when no path needs JSON."""
        try:
            return read_json(raw)
        except AnswerOutOfBounds:
            pass
        except ValueError:
            if not needed:
                return None
        raise ProviderError(
            f"The status answer of “{self.name}” is not JSON this dialer can read.",
            category=ErrorCategory.UNEXPECTED,
            raw=raw,
        )

    async def end_call(self, call_id: str) -> str:
        if not self._text("hangup_url"):
            return await super().end_call(call_id)
        wanted = call_ids([call_id])
        if not wanted:
            raise ProviderError(
                "This call has no call ID from the service, so it cannot be ended from here.",
                category=ErrorCategory.CALL_UNKNOWN,
            )
        wire = self._render(
            self._follow_values(wanted[0]), "hangup_url", "hangup_method", "hangup_body",
            ("POST", "DELETE", "PUT", "GET"),
        )  # fmt: skip
        await self._follow_request(wire, "ending a call")
        self._followed.ending(wanted[0])
        return "The service is ending the call."

    def _json(self, raw: str) -> Any:
        try:
            return read_json(raw)
        except AnswerOutOfBounds as exc:
            raise unexpected_answer(self.name, raw, str(exc)) from None
        except ValueError:
            raise unexpected_answer(self.name, raw, "not JSON") from None

    def _regex(self, key: str) -> re.Pattern[str] | None:
        pattern = self._text(key, strip=False)
        if not pattern:
            return None
        try:
            return re.compile(pattern)
        except re.error:
            raise self._config(
                f"the pattern in “{key}” is not a valid regular expression"
            ) from None

    def _check_success(self, raw: str) -> None:
        path = self._text("success_json_path").strip()
        if path:
            value = json_path(self._json(raw), path)
            if value is _MISSING:
                # Not the answer the rule was written for: we cannot tell whether it dialed.
                raise unexpected_answer(self.name, raw, f"“{path}” is missing")
            expected = self._text("success_value").strip()
            ok = as_text(value) == expected if expected else bool(value) and value != "false"
            if not ok:
                # The service said no in its own words: the call was not placed.
                raise ProviderError(
                    f"The service of “{self.name}” answered but did not confirm the call "
                    f"(“{path}” is {as_text(value)}).",
                    category=ErrorCategory.UNEXPECTED,
                    raw=raw,
                )
        pattern = self._regex("success_regex")
        if pattern is not None and not pattern.search(_whole(self.name, raw)):
            # A pattern that does not match says nothing about the call either way.
            raise unexpected_answer(self.name, raw, "its answer does not match the success pattern")

    def _call_id(self, raw: str) -> str | None:
        path = self._text("call_id_json_path").strip()
        if path:
            value = json_path(self._json(raw), path)
            if value is not _MISSING and value not in (None, ""):
                return as_text(value)
        pattern = self._regex("call_id_regex")
        if pattern is not None:
            match = pattern.search(_whole(self.name, raw))
            if match:
                return match.group(1) if pattern.groups else match.group(0)
        return None


def _whole(provider: str, raw: str) -> str:
    """``raw`` for a pattern rule; an answer cut at the size cap cannot be judged as a whole."""
    try:
        return whole(raw)
    except AnswerOutOfBounds as exc:
        raise unexpected_answer(provider, raw, str(exc)) from None
