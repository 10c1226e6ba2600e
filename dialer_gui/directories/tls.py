"""The TLS contexts of directory connections: verified by default, like the PBX connections.

The contexts are ``dialer_gui.tls``'s, shared with the PBX connections. CardDAV hands one to
httpx, LDAP to ldap3 (see ``directories.ldap``, which makes ldap3 use it instead of its own
hostname check). The same rules as ``providers.http``: certifi's bundle when no CA file is
set, and verification off only when the profile says ``verify_tls = false``.
"""

from __future__ import annotations

import ssl

from dialer_gui import tls
from dialer_gui.directories.errors import DirectoryError, Problem


def client_context(directory: str, *, verify: bool, ca_file: str) -> ssl.SSLContext:
    """The context for connections to ``directory``.

    Raises:
        DirectoryError: ``CONFIG`` when the CA file cannot be read as certificates.
    """
    if not verify:
        return tls.unverified_context()
    try:
        return tls.verifying_context(ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise DirectoryError(
            Problem.CONFIG, directory, f"the CA file {ca_file} cannot be read as a certificate"
        ) from exc


def is_tls_error(exc: BaseException) -> bool:
    """Whether ``exc`` or anything it was raised from is a certificate or handshake failure."""
    seen: BaseException | None = exc
    for _ in range(16):  # a chain of causes is short; a cycle must not loop for ever
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        text = str(seen).lower()
        if "certificate" in text or "ssl" in text or "tls" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
