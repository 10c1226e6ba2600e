"""Provider errors: one type, a category, and a sentence for people.

::

    ProviderError(DialerError)
        .category      ErrorCategory: what kind of problem, for icons, filters and advice
        .maybe_placed  True when the request may have reached the PBX, so the attempt is
                       recorded as "unknown" and never re-sent automatically
        .raw           the PBX's answer with secrets removed (details view), if any

Every module in ``providers`` raises only this; foreign errors (httpx, json, xml, redis) are
mapped in ``providers.http.map_transport_error`` or at the provider's own parse step, which
reads answers through ``providers.http.read_json`` / ``read_xml``: those raise only
``ValueError``, never ``RecursionError``, whatever the answer.
"""

from __future__ import annotations

import enum

from dialer_gui.errors import DialerError


class ErrorCategory(enum.StrEnum):
    CREDENTIALS = "credentials"  # user name, password, token, API key or hash refused
    REJECTED_NUMBER = "rejected_number"  # the PBX refused the number or a parameter
    NOT_PERMITTED = "not_permitted"  # account, role, rate plan or IP not allowed
    UNREACHABLE = "unreachable"  # DNS, refused, reset before sending
    TIMEOUT = "timeout"  # no answer in time
    TLS = "tls"  # certificate or handshake problem
    UNEXPECTED = "unexpected"  # an answer we cannot read, or a server error
    CONFIG = "config"  # the profile is incomplete (missing option or secret)
    CALL_UNKNOWN = "call_unknown"  # following or ending a call the PBX does not know (any more)


# Short advice shown under the message in the details view and by `doctor`.
ADVICE: dict[ErrorCategory, str] = {
    ErrorCategory.CREDENTIALS: "Check the user name and password (or API key) in Settings.",
    ErrorCategory.REJECTED_NUMBER: "Check the number, and the number format in Settings.",
    ErrorCategory.NOT_PERMITTED: "Ask your PBX administrator to allow this account to dial.",
    ErrorCategory.UNREACHABLE: "Check the PBX address in Settings and your network.",
    ErrorCategory.TIMEOUT: "The PBX is slow or down; check your phone before trying again.",
    ErrorCategory.TLS: "The PBX certificate is not trusted; set a CA file in Settings.",
    ErrorCategory.UNEXPECTED: "The PBX answered something unexpected; see the details.",
    ErrorCategory.CONFIG: "Complete this provider's settings.",
    ErrorCategory.CALL_UNKNOWN: "The call may already have ended; check your phone.",
}


class ProviderError(DialerError):
    """The PBX did not (or may not have) taken the call."""

    def __init__(
        self,
        message: str,
        *,
        category: ErrorCategory,
        maybe_placed: bool = False,
        raw: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.category = category
        self.maybe_placed = maybe_placed
        self.raw = raw

    @property
    def advice(self) -> str:
        return ADVICE[self.category]
