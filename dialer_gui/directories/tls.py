"""The TLS contexts of directory connections: verified by default, like the PBX connections.

One verifying context per CA file (the bundle is read once; a file replaced on disk is read
again), hostname checked by OpenSSL itself. CardDAV hands it to httpx, LDAP to ldap3 (see
``directories.ldap``, which makes ldap3 use it instead of its own hostname check). The same
rules as ``providers.http``: certifi's bundle when no CA file is set, and verification off only
when the profile says ``verify_tls = false``.
"""

from __future__ import annotations

import os
import ssl
import threading

from dialer_gui.directories.errors import DirectoryError, Problem

_CONTEXTS: dict[str, ssl.SSLContext] = {}
_LOCK = threading.Lock()  # searches run in worker threads


def _verifying(ca_file: str) -> ssl.SSLContext:
    key = ""
    if ca_file:
        info = os.stat(ca_file)
        key = f"{ca_file}\0{info.st_mtime_ns}\0{info.st_size}"
    with _LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            if ca_file:
                context = ssl.create_default_context(cafile=ca_file)
            else:
                import certifi

                context = ssl.create_default_context(cafile=certifi.where())
            _CONTEXTS[key] = context
        return context


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def client_context(directory: str, *, verify: bool, ca_file: str) -> ssl.SSLContext:
    """The context for connections to ``directory``.

    Raises:
        DirectoryError: ``CONFIG`` when the CA file cannot be read as certificates.
    """
    if not verify:
        return _unverified()
    try:
        return _verifying(ca_file)
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
