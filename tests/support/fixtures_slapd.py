"""A real LDAP server for the directory tests: OpenLDAP's ``slapd``, on free 127.0.0.1 ports.

Not the system service: a minimal ``slapd.conf`` in a temp dir, the data loaded with
``slapadd`` before the start (a few milliseconds), and ``slapd -d 0`` in the foreground as a
child of the test session, listening for LDAP (with StartTLS) and LDAPS, with a certificate
from a throwaway CA that names 127.0.0.1 only. One server per session (per xdist worker);
the tests only read from it. Starts in well under a second.

The directory is shaped like a small company's: people under ``ou=people`` with the
attributes an Active Directory has (``ipPhone`` and ``company`` come from a three-line schema
of AD's own attribute OIDs), a service account to bind as, and a hard limit of 5 entries for
any search that is not paged, as real servers have (Active Directory's is 1000), so only a
client that follows the paging cookie gets everyone.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import tls_certs

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMAS = Path("/etc/ldap/schema")
START_TIMEOUT = 10.0

SUFFIX = "dc=example,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
READER_DN = f"cn=phonebook,{SUFFIX}"
READER_PASSWORD = "phonebook-secret-42"
UNPAGED_LIMIT = 5
STAFF = 12  # "Staff Member 00" .. "Staff Member 11"

AD_SCHEMA = """\
attributetype ( 1.2.840.113556.1.4.721 NAME 'ipPhone' EQUALITY telephoneNumberMatch
  SUBSTR telephoneNumberSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )
attributetype ( 1.2.840.113556.1.2.146 NAME 'company' EQUALITY caseIgnoreMatch
  SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
objectclass ( 2.25.190474962414541626744744112547461224801 NAME 'dialerTestPhones'
  AUXILIARY MAY ( ipPhone $ company ) )
"""


def _person(uid: str, cn: str, **attrs: str | list[str]) -> str:
    lines = [
        f"dn: uid={uid},{PEOPLE}",
        "objectClass: inetOrgPerson",
        "objectClass: dialerTestPhones",
        f"uid: {uid}",
    ]
    sn = cn.rsplit(" ", 1)[-1]
    values: dict[str, str | list[str]] = {"cn": cn, "sn": sn, **attrs}
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item.isascii() and item.isprintable() and not item.startswith((" ", ":", "<")):
                lines.append(f"{key}: {item}")
            else:  # LDIF wants base64 for anything else
                import base64

                lines.append(f"{key}:: {base64.b64encode(item.encode()).decode()}")
    return "\n".join(lines) + "\n"


def ldif() -> str:
    parts = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\n"
        "dc: example\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {READER_DN}\nobjectClass: person\ncn: phonebook\nsn: phonebook\n"
        f"userPassword: {READER_PASSWORD}\n",
        _person(
            "jdoe",
            "Jane Doe",
            displayName="Jane Doe (Sales)",
            company="Acme Corp",
            telephoneNumber="+1 212 555 0100",
            mobile="+1 917 555 0101",
            ipPhone="4711",
            facsimileTelephoneNumber="+1 212 555 0199",
            mail="jane@example.test",
        ),
        _person("jroe", "John Roe", o="Roe & Sons", homePhone="+44 20 7946 0958"),
        _person("star", "Star (Asterisk) Person", telephoneNumber="+1 212 555 0142"),
        _person("mueller", "Jürgen Müller", telephoneNumber="+49 30 1234567"),
    ]
    for i in range(STAFF):
        number = f"+1 212 555 02{i:02d}"
        parts.append(_person(f"staff{i:02d}", f"Staff Member {i:02d}", company="Acme Corp",
                             telephoneNumber=number, ipPhone=f"5{i:02d}"))  # fmt: skip
    return "\n".join(parts)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class SlapdServer:
    workdir: Path
    ca: tls_certs.TestCA
    port: int = 0
    ldaps_port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.ldaps_port}"

    def _write_config(self) -> Path:
        cert = self.ca.issue("slapd", san="IP:127.0.0.1")
        (self.workdir / "ad.schema").write_text(AD_SCHEMA, encoding="ascii")
        (self.workdir / "db").mkdir()
        conf = self.workdir / "slapd.conf"
        conf.write_text(
            f"""include {SCHEMAS}/core.schema
include {SCHEMAS}/cosine.schema
include {SCHEMAS}/inetorgperson.schema
include {self.workdir}/ad.schema
pidfile {self.workdir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile {self.ca.cert}
TLSCertificateFile {cert.cert}
TLSCertificateKeyFile {cert.key}
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "cn=admin,{SUFFIX}"
rootpw admin-secret-not-used
directory {self.workdir}/db
limits * size.soft={UNPAGED_LIMIT} size.hard={UNPAGED_LIMIT} size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
""",
            encoding="utf-8",
        )
        return conf

    def start(self) -> None:
        conf = self._write_config()
        data = self.workdir / "data.ldif"
        data.write_text(ldif(), encoding="utf-8")
        subprocess.run([SLAPADD, "-q", "-f", conf, "-l", data], check=True, capture_output=True,
                       timeout=30)  # fmt: skip
        self.port, self.ldaps_port = _free_port(), _free_port()
        listen = f"ldap://127.0.0.1:{self.port}/ ldaps://127.0.0.1:{self.ldaps_port}/"
        with (self.workdir / "slapd.log").open("wb") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [SLAPD, "-f", str(conf), "-h", listen, "-d", "0"], stdout=log, stderr=log
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not (_answers(self.port) and _answers(self.ldaps_port)):
            if self.process.poll() is not None:
                text = (self.workdir / "slapd.log").read_text(errors="replace")
                raise RuntimeError(f"slapd exited with {self.process.returncode}: {text}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("slapd did not listen in time")
            time.sleep(0.02)  # polling a child process; there is no event to wait on

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlapdServer]:
    missing = [p for p in (SLAPD, SLAPADD) if not os.path.exists(p)] + (
        ["openssl"] if tls_certs.OPENSSL is None else []
    )
    if missing:
        reason = f"{', '.join(missing)} not installed (the slapd and openssl packages)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("slapd")
    server = SlapdServer(workdir, tls_certs.make_ca(workdir / "ca"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir / "db", ignore_errors=True)
