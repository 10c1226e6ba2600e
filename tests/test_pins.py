"""The versions users get are the versions tested: every dependency is pinned in constraints.txt."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def pins() -> dict[str, Version]:
    found = {}
    for raw in (ROOT / "constraints.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line}"
            found[canonicalize_name(name)] = Version(version)
    return found


def test_every_declared_dependency_is_pinned_to_a_version_it_allows():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared.extend(extra)
    pinned = pins()
    for text in declared:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not pinned in constraints.txt"
        assert pinned[name] in req.specifier, f"{name} {pinned[name]} breaks {text}"


def test_the_binding_pin_is_the_verified_one_and_matches_shiboken():
    pinned = pins()
    assert pinned["pyside6-essentials"] == pinned["shiboken6"]
    assert pinned["pyside6-essentials"] != Version("6.12.0")  # drops references (refcounts test)
