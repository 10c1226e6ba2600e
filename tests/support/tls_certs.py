"""A throwaway certificate authority and server certificates, made at test time.

Uses the ``openssl`` command (no extra Python dependency). Everything is written into a
directory the test owns, and nothing is trusted outside the test that asks for it.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

OPENSSL = shutil.which("openssl")


@dataclass(frozen=True, slots=True)
class ServerCert:
    cert: Path
    key: Path

    def context(self) -> ssl.SSLContext:
        """A server-side context presenting this certificate."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


@dataclass(frozen=True, slots=True)
class TestCA:
    directory: Path
    cert: Path
    key: Path

    def issue(self, name: str, *, san: str) -> ServerCert:
        """A server certificate signed by this CA; ``san`` like ``IP:127.0.0.1``."""
        key = self.directory / f"{name}.key"
        csr = self.directory / f"{name}.csr"
        cert = self.directory / f"{name}.pem"
        ext = self.directory / f"{name}.ext"
        ext.write_text(
            f"subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
            encoding="ascii",
        )
        _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                 "-out", csr, "-subj", f"/CN={name}")  # fmt: skip
        _openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                 "-CAcreateserial", "-out", cert, "-days", "2", "-sha256",
                 "-extfile", ext)  # fmt: skip
        return ServerCert(cert, key)


def _openssl(*args: object) -> None:
    assert OPENSSL is not None
    subprocess.run(
        [OPENSSL, *(str(a) for a in args)],
        check=True,
        capture_output=True,
        timeout=60,
    )


def make_ca(directory: Path) -> TestCA:
    """A new self-signed CA in ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = directory / "ca.key"
    cert = directory / "ca.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
             "-days", "2", "-subj", "/CN=dialer-gui test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    return TestCA(directory, cert, key)
