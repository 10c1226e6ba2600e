"""The settings being edited, tested without a window (core/settings_draft.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer_gui.core.config import Config, GeneralSettings, load_config, validate_config
from dialer_gui.core.settings_draft import SettingsDraft, type_fields
from dialer_gui.errors import SecretStoreError
from dialer_gui.vocabulary.profiles import ProviderProfile


class Store:
    """A secret store that remembers what was done to it."""

    def __init__(self, values: dict[tuple[str, str], str] | None = None) -> None:
        self.values = dict(values or {})
        self.refuse_delete = False

    def get(self, profile: str, field: str) -> str | None:
        return self.values.get((profile, field))

    def set(self, profile: str, field: str, value: str) -> None:
        self.values[(profile, field)] = value

    def delete(self, profile: str, field: str) -> None:
        if self.refuse_delete:
            raise SecretStoreError("The keyring refused to forget it.")
        self.values.pop((profile, field), None)


def general() -> dict[str, object]:
    defaults = GeneralSettings()
    return {name: getattr(defaults, name) for name in GeneralSettings.__dataclass_fields__}


def simotel(name: str = "office") -> ProviderProfile:
    return ProviderProfile(
        name, "simotel", {"url": "https://pbx.example.com", "username": "u", "caller": "557"}
    )


def never(_draft: object, _field: str) -> bool:
    return False


def test_new_profiles_get_names_no_other_profile_has() -> None:
    model = SettingsDraft(Config(providers={"office": simotel()}))
    assert [model.add().name, model.add().name] == ["office-2", "office-3"]


def test_a_type_change_keeps_shared_options_and_drops_the_rest() -> None:
    model = SettingsDraft(Config(providers={"office": simotel()}))
    draft = model.drafts[0]
    model.change_type(draft, "fonality")
    assert draft.options == {"url": "https://pbx.example.com"}


def test_profiles_keep_no_empty_values_or_defaults_and_secrets_only_when_typed() -> None:
    model = SettingsDraft(Config())
    draft = model.add("simotel")
    specs = {f.name: f for f in type_fields("simotel")}
    model.put(draft, specs["timeout"], specs["timeout"].default)
    model.put(draft, specs["caller"], "")
    model.put(draft, specs["url"], "https://pbx.example.com")
    model.put(draft, specs["password"], "")
    model.put(draft, specs["api_key"], "k3y")
    assert draft.options == {"url": "https://pbx.example.com"}
    assert draft.secrets == {"api_key": "k3y"}


def test_build_says_every_problem_and_builds_nothing() -> None:
    model = SettingsDraft(Config(providers={"office": simotel()}))
    model.add("simotel").name = "office"
    model.add("fonality").name = ""
    config, problems = model.build(
        general(), [("prefix:44", "office"), ("", "")], secret_stored=never
    )
    assert config is None
    assert "Every profile needs a name." in problems
    assert "Two profiles are called “office”." in problems
    assert any(p.startswith("office: ") and "is required" in p for p in problems)
    assert any(p.startswith("Routing rule 1:") for p in problems)


def test_a_valid_draft_builds_the_config_the_file_will_hold(tmp_path: Path) -> None:
    model = SettingsDraft(Config(providers={"office": simotel()}, path=tmp_path / "c.toml"))
    values = {**general(), "region": "GB", "default_provider": "office"}
    config, problems = model.build(values, [("*", "office")], secret_stored=lambda d, f: True)
    assert problems == [] and config is not None
    validate_config(config)
    assert config.general.region == "GB" and config.routes[0].provider == "office"
    assert config.path == tmp_path / "c.toml"


def test_state_changes_only_with_what_a_save_would_change() -> None:
    model = SettingsDraft(Config(providers={"office": simotel()}))
    before = model.state()
    draft = model.drafts[0]
    specs = {f.name: f for f in type_fields("simotel")}
    model.put(draft, specs["timeout"], specs["timeout"].default)  # a default: no change
    assert model.state() == before
    model.put(draft, specs["caller"], "558")
    assert model.state() != before


def test_renaming_moves_the_secrets_and_removing_forgets_them() -> None:
    store = Store({("office", "password"): "pw", ("old", "api_key"): "k"})
    model = SettingsDraft(Config(providers={"office": simotel(), "old": simotel("old")}))
    model.drafts[0].name = "front-desk"
    model.remove(1)
    failures = model.save_secrets(store, [d.copy() for d in model.drafts], model.removed)
    assert failures == []
    assert store.values == {("front-desk", "password"): "pw"}


def test_a_keyring_that_refuses_is_reported_not_raised() -> None:
    store = Store({("old", "api_key"): "k"})
    store.refuse_delete = True
    model = SettingsDraft(Config(providers={"old": simotel("old")}))
    model.remove(0)
    failures = model.save_secrets(store, [], model.removed)
    assert failures == ["The keyring refused to forget it."]


@pytest.mark.parametrize("index", [-1, 5])
def test_removing_nothing_changes_nothing(index: int) -> None:
    model = SettingsDraft(Config(providers={"office": simotel()}))
    assert model.remove(index) is None and len(model.drafts) == 1 and model.removed == []


def test_drafts_start_from_the_loaded_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[providers.a]\ntype = "simotel"\nurl = "https://x.example"\n')
    model = SettingsDraft(load_config(path))
    assert [(d.name, d.type, d.original) for d in model.drafts] == [("a", "simotel", "a")]
