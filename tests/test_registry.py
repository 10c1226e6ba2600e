"""The provider registry is complete: every entry has each of its parts, and they agree.

Tests that run once per provider take their parameters from ``PROVIDERS``, so a new entry is
tested everywhere at once; this file fails first when an entry lacks a part.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from dialer_gui.core.config import Config, validate_config
from dialer_gui.providers import PROVIDERS, provider_class, sandbox_module
from dialer_gui.providers.base import Provider
from dialer_gui.sandbox import Sandbox
from dialer_gui.sandbox.demo import DemoProfile, demo_profiles, demo_secrets
from dialer_gui.vocabulary.fields import Field
from dialer_gui.vocabulary.profiles import ProviderProfile

ROOT = Path(__file__).resolve().parent.parent
TYPES = list(PROVIDERS)


@pytest.mark.parametrize("type_name", TYPES)
def test_the_client_class_is_a_complete_provider(type_name: str) -> None:
    cls = provider_class(type_name)
    assert issubclass(cls, Provider) and not inspect.isabstract(cls)
    assert cls.type_name == type_name
    assert cls.label and cls.profile_noun
    assert cls.fields and all(isinstance(f, Field) and f.label for f in cls.fields)
    names = [f.name for f in cls.all_fields()]
    assert len(names) == len(set(names)), "a field is declared twice"


@pytest.mark.parametrize("type_name", TYPES)
def test_the_sandbox_module_serves_it_and_gives_a_demo_profile(type_name: str) -> None:
    module = sandbox_module(type_name)
    assert callable(module.register)
    demo = module.demo_profile("http://127.0.0.1:9", "")
    assert isinstance(demo, DemoProfile)
    secrets = {f.name for f in provider_class(type_name).fields if f.secret}
    assert set(demo.secrets) <= secrets, "a demo secret is not a secret field"
    assert demo_profiles("http://127.0.0.1:9")[f"demo-{type_name}"].type == type_name
    assert f"demo-{type_name}" in demo_secrets()


def test_every_sandbox_module_adds_routes_of_its_own() -> None:
    """Each API registers under its own name (the fault switch and request log key on it)."""
    apis = {route.api for route in Sandbox().routes}
    assert apis == set(TYPES)


@pytest.mark.parametrize("type_name", TYPES)
def test_the_demo_profile_is_a_valid_config(type_name: str) -> None:
    profile = demo_profiles("http://127.0.0.1:9")[f"demo-{type_name}"]
    validate_config(Config(providers={profile.name: profile}))


@pytest.mark.parametrize("type_name", TYPES)
def test_the_docs_example_is_a_valid_profile_that_fills_every_required_setting(
    type_name: str,
) -> None:
    example = dict(PROVIDERS[type_name].example)
    cls = provider_class(type_name)
    required = {f.name for f in cls.fields if f.required and not f.secret}
    assert required <= set(example), f"the example leaves out {required - set(example)}"
    assert not {f.name for f in cls.fields if f.secret} & set(example), "a secret in the docs"
    profile = ProviderProfile(f"{type_name}-office", type_name, example)
    validate_config(Config(providers={profile.name: profile}))
    for value in example.values():
        assert "127.0.0.1" not in str(value) and "localhost" not in str(value)


@pytest.mark.parametrize("type_name", TYPES)
def test_the_generated_docs_cover_it(type_name: str) -> None:
    docs = (ROOT / "docs" / "providers.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    label = provider_class(type_name).label
    assert label in docs and f"[providers.{type_name}-office]" in docs
    assert f'type = "{type_name}"' in readme
