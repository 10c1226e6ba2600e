"""The exception tree of dialer-gui.

Every error we raise on purpose derives from :class:`DialerError`, so callers can tell our
messages (meant for people) from bugs (anything else)::

    DialerError                  root; ``str(exc)`` is a sentence a receptionist understands
    ├── InputError               what the user or another program handed us is unusable
    │   ├── NumberError          not a phone number or extension we can dial
    │   ├── LinkError            a tel:/callto:/sip: link that is malformed or hostile
    │   ├── ContactFileError     a file to import is neither a vCard nor a contacts CSV
    │   └── IPCError             a message on the single-instance socket that we drop
    │       ├── AlreadyRunning   another instance of this user holds the socket or lock
    │       └── IPCRefused       the running instance answered "error <reason>"
    ├── ConfigError              the config file is wrong (names file, line and key)
    ├── SecretStoreError         no usable keyring, or it refused us
    ├── HistoryError             the history database cannot be read or written
    │   └── HistoryBusy          another program holds it locked for now; try again later
    ├── ContactsError            the phone book database cannot be read or written, or a
    │   │                        change is refused (a directory's contacts are read-only)
    │   └── ContactsBusy         another program holds it locked for now; try again later
    ├── ProviderError            the PBX did not take the call (see providers.errors)
    └── DirectoryError           a company directory could not be read (directories.errors)

Environment problems (bad credentials, PBX unreachable) are ``ProviderError`` with a category,
never a bare ``httpx`` or ``OSError``: foreign exceptions are mapped at one boundary per
subsystem with ``raise ... from exc``.
"""

from __future__ import annotations


class DialerError(Exception):
    """Root of all errors dialer-gui raises on purpose."""


class InputError(DialerError):
    """Input from a user or another program is unusable."""


class NumberError(InputError):
    """Text that is not a phone number or extension we can dial."""


class LinkError(InputError):
    """A tel:, callto: or sip: link that is malformed, unsupported or hostile."""


class IPCError(InputError):
    """A single-instance message that is malformed, too large or of the wrong version."""


class ContactFileError(InputError):
    """A file to import that cannot be read, or is neither a vCard file nor a contacts CSV."""


class AlreadyRunning(IPCError):
    """Another dialer-gui of this user is running (or starting): hand the request to it."""


class IPCRefused(IPCError):
    """The running instance read the request and said no; ``reason`` is its own sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The running dialer-gui refused the request: {reason}")
        self.reason = reason


class ConfigError(DialerError):
    """The configuration file is wrong; the message names the file, line and key."""


class SecretStoreError(DialerError):
    """The keyring is missing or refused to store or read a secret."""


class HistoryError(DialerError):
    """The history database cannot be opened, read or written."""


class HistoryBusy(HistoryError):
    """Another program holds the history database locked; the same write may work shortly."""


class ContactsError(DialerError):
    """The phone book cannot be opened, read or written, or refuses a change."""


class ContactsBusy(ContactsError):
    """Another program holds the phone book locked; the same change may work shortly."""
