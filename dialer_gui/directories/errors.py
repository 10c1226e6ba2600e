"""Directory errors: one type, a problem code, and the one table of sentences for people.

::

    DirectoryError(DialerError)
        .problem    Problem: what went wrong, for advice and for tests
        .directory  the configured name of the directory ("office")
        .message    the plain sentence (``str(exc)``), from SENTENCES

Every module in ``directories`` raises only this. Foreign errors (httpx, ssl, XML parsers,
vobject, ldap3) are mapped where they are caught, by choosing a :class:`Problem`; the sentence
comes from :data:`SENTENCES`, here and nowhere else, so a directory that is down, slow, wrong
about the password or answering garbage always reads the same, whichever protocol it speaks.
A detail added to a sentence is ours (an HTTP status, a count), never text from the server,
which may be hostile and is not shown.
"""

from __future__ import annotations

import enum

from dialer_gui.errors import DialerError


class Problem(enum.StrEnum):
    UNREACHABLE = "unreachable"  # refused, DNS, no route: nothing was exchanged
    TIMEOUT = "timeout"  # connected, but no answer in time
    CREDENTIALS = "credentials"  # user name or password refused
    NOT_PERMITTED = "not_permitted"  # logged in, but this account may not read it
    TLS = "tls"  # certificate not trusted, for another host, or the handshake failed
    NOT_FOUND = "not_found"  # no address book or base DN at the configured address
    UNREADABLE = "unreadable"  # an answer that is not a directory answer (garbage XML)
    TOO_LARGE = "too_large"  # an answer bigger than we read at once
    REDIRECTED = "redirected"  # sent elsewhere; not followed, credentials stay home
    CONFIG = "config"  # the settings are incomplete or contradict each other
    UNEXPECTED = "unexpected"  # a server error or an answer we did not plan for


# The one table of sentences ({name} is the directory's configured name).
SENTENCES: dict[Problem, str] = {
    Problem.UNREACHABLE: (
        "Could not reach the directory “{name}”: the server is down, or its address is wrong."
    ),
    Problem.TIMEOUT: "The directory “{name}” did not answer in time.",
    Problem.CREDENTIALS: "The directory “{name}” refused the user name or password.",
    Problem.NOT_PERMITTED: "The directory “{name}” does not let this account read it.",
    Problem.TLS: (
        "The certificate of the directory “{name}” is not trusted or belongs to another "
        "server, so no password was sent."
    ),
    Problem.NOT_FOUND: "No address book was found at the address set for the directory “{name}”.",
    Problem.UNREADABLE: (
        "The directory “{name}” answered something dialer-gui cannot read; nothing was changed."
    ),
    Problem.TOO_LARGE: (
        "The directory “{name}” sent a larger answer than dialer-gui reads at once; "
        "nothing was changed."
    ),
    Problem.REDIRECTED: (
        "The directory “{name}” sent the request to another server; dialer-gui did not follow, "
        "so the password stays with the server you set."
    ),
    Problem.CONFIG: "The settings of the directory “{name}” are not usable.",
    Problem.UNEXPECTED: "The directory “{name}” had a problem answering.",
}

# Short advice for each problem: shown under the message, by `doctor` and the command line.
ADVICE: dict[Problem, str] = {
    Problem.UNREACHABLE: "Check the directory's address in the config and your network.",
    Problem.TIMEOUT: "The server is slow or down; try again later, or raise its timeout.",
    Problem.CREDENTIALS: "Set the password again: dialer-gui secret set NAME password.",
    Problem.NOT_PERMITTED: "Ask the directory's administrator to let this account read it.",
    Problem.TLS: "Set a CA file (ca_file) for the directory, or check its address.",
    Problem.NOT_FOUND: "Check the url (CardDAV) or base_dn (LDAP) in the config.",
    Problem.UNREADABLE: "Check that the address points at the directory and not a web page.",
    Problem.TOO_LARGE: "Point the directory at a smaller address book, or ask its administrator.",
    Problem.REDIRECTED: "Set the address it redirects to as the directory's url.",
    Problem.CONFIG: "Complete the directory's settings in the config file.",
    Problem.UNEXPECTED: "Try again later; if it stays, the details are in the log.",
}


class DirectoryError(DialerError):
    """A directory could not be read (or searched). ``str(exc)`` is the sentence for people."""

    def __init__(self, problem: Problem, directory: str, detail: str = "") -> None:
        message = SENTENCES[problem].format(name=directory)
        if detail:
            message = f"{message} ({detail})"
        super().__init__(message)
        self.problem = problem
        self.directory = directory
        self.message = message

    @property
    def advice(self) -> str:
        return ADVICE[self.problem]
