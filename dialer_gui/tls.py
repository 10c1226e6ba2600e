"""Verifying TLS contexts, shared by every outgoing connection (PBX providers, directories).

One context per CA file: loading a CA bundle takes about 60 ms, so it is built once and shared,
and read again when the file on disk changes. Without a CA file, certifi's bundle (httpx's own
default) is used. Host names are checked by OpenSSL itself (``check_hostname``). Built from
worker threads at warm-up and by directory searches, hence the lock.
"""

from __future__ import annotations

import os
import ssl
import threading

_CONTEXTS: dict[str, ssl.SSLContext] = {}
_LOCK = threading.Lock()


def verifying_context(ca_file: str = "") -> ssl.SSLContext:
    """The shared verifying context for ``ca_file`` ("" for certifi's bundle).

    Raises:
        OSError: the CA file cannot be read.
        ssl.SSLError: it holds no certificate OpenSSL can load.
    """
    key = ""
    if ca_file:
        info = os.stat(ca_file)  # a CA file replaced on disk must be read again
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


def unverified_context() -> ssl.SSLContext:
    """A context that checks nothing: only for a profile whose user turned checks off."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
