"""Process exit codes, in one place for the CLI, the app and the docs."""

from __future__ import annotations

import enum


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
