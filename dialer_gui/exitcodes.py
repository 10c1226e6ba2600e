"""Process exit codes, in one place for the CLI, the app and the docs."""

from __future__ import annotations

import enum

from dialer_gui.vocabulary.reasons import Reason


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1  # unexpected error (a bug); details in the log
    USAGE = 2  # wrong command-line arguments
    CALL_FAILED = 3  # the PBX refused the call or could not be reached
    NO_PROVIDER = 4  # no provider profile to dial with
    CONFIG = 5  # the config file is wrong
    INPUT = 6  # the number or link cannot be dialed
    CANCELLED = 7  # blocked by a guard or cancelled by the user
    UNKNOWN = 8  # the PBX may have placed the call; we never saw its answer


EXIT_CODES: dict[Reason, ExitCode] = {
    Reason.ACCEPTED: ExitCode.OK,
    Reason.FINISHED: ExitCode.OK,
    Reason.NOT_DIALABLE: ExitCode.INPUT,
    Reason.NO_PROVIDER: ExitCode.NO_PROVIDER,
    Reason.UNKNOWN_PROVIDER: ExitCode.NO_PROVIDER,
    Reason.PROVIDER_UNUSABLE: ExitCode.CALL_FAILED,  # the profile is incomplete (README)
    Reason.BLOCKED_NUMBER: ExitCode.CANCELLED,
    Reason.RATE_LIMITED: ExitCode.CANCELLED,
    Reason.NEEDS_CONFIRMATION: ExitCode.CANCELLED,
    Reason.PROMPT_BUSY: ExitCode.CANCELLED,
    Reason.CANCELLED: ExitCode.CANCELLED,
    Reason.DUPLICATE: ExitCode.CANCELLED,
    Reason.REFUSED: ExitCode.CALL_FAILED,
    Reason.MAYBE_PLACED: ExitCode.UNKNOWN,
    Reason.INTERNAL_ERROR: ExitCode.UNKNOWN,
}
"""The exit code of each reason; ``tests/test_reasons.py`` fails when one is missing."""
