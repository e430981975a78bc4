"""Configuration: presets validate, every problem is one line naming file and key, and the
default locations follow platformdirs and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.config import ConfigError, load_config, load_config_text, preset_text


@pytest.mark.parametrize("preset", ["odsherred", "haderslev"])
def test_presets_validate(preset: str) -> None:
    c = load_config_text(preset_text(preset), preset)
    assert c.reports.default_preset == preset
    assert c.replies.extra_closed_days == ["12-24", "12-31", "06-05"]


def test_haderslev_models_the_reorganisation() -> None:
    import datetime as dt

    c = load_config_text(preset_text("haderslev"), "h")
    by = {d.name: d for d in c.taxonomy.departments}
    assert by["Beskæftigelse og integration"].valid_on(dt.date(2021, 6, 30))
    assert not by["Beskæftigelse og integration"].valid_on(dt.date(2021, 8, 1))
    assert by["Teknik og Klima"].valid_on(dt.date(2021, 8, 1))
    assert not by["Teknik og Klima"].valid_on(dt.date(2021, 7, 31))
    assert {a.name: a.outcomes for a in c.taxonomy.actions}["Afvist"] == [
        "Ikke fornødent grundlag",
        "Midlertidigt afvist",
    ]
    assert len(c.reports.preset("haderslev").tables) == 7


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("language = 'fr'", "key language: Input should be 'da' or 'en'"),
        ("[taxonomy]\ncategoriez = []", "key taxonomy.categoriez: unknown key"),
        (
            "[[taxonomy.departments]]\nname = 'A'\nvalid_from = 2022-01-01\nvalid_to = 2021-01-01",
            "key taxonomy.departments[0]: valid_to 2021-01-01 is before valid_from 2022-01-01",
        ),
        ("[replies]\nextra_closed_days = ['24-12']", "'24-12' is not a month-day"),
        (
            "[[mail.accounts]]\nname='m'\nhost='imap.example.dk'\nusername='u'\nsecurity='none'",
            'security = "none" is only allowed for a loopback host',
        ),
        (
            "[[mail.accounts]]\nname='m'\nhost='h'\nusername='u'\nport=99999",
            "key mail.accounts[0].port",
        ),
        ("x = [", "not valid TOML"),
        (
            "[taxonomy]\ncategories=['A']\n[[reports.presets]]\nname='p'\n"
            "[[reports.presets.tables]]\ntitle='t'\nunit='cases'\nrows='theme'\nwhere={category='B'}",
            "category = 'B' is not in the taxonomy",
        ),
    ],
)
def test_invalid_config_one_line(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_config_text(text, "/etc/borgerdesk.toml")
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("/etc/borgerdesk.toml: ")
    assert needle in msg, msg


def test_invalid_config_via_cli_exit_2(tmp_path: Path, cli) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[taxonomy]\ncategoriez = []\n", "utf-8")
    r = cli(
        "--config", str(cfg), "report", "--year", "2024", "--unit", "cases", "--rows", "category"
    )
    assert r.code == 2
    assert r.err.count("\n") == 1 and "taxonomy.categoriez" in r.err and str(cfg) in r.err


def test_default_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("BORGERDESK_CONFIG", raising=False)
    cfg, source = load_config()
    assert source is None and cfg.municipality == "Odsherred Kommune"  # embedded default
    own = tmp_path / "own.toml"
    own.write_text(preset_text("haderslev"), "utf-8")
    monkeypatch.setenv("BORGERDESK_CONFIG", str(own))
    cfg, source = load_config()
    assert source == own and cfg.municipality == "Haderslev Kommune"
    monkeypatch.setenv("BORGERDESK_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="config file not found"):
        load_config()


def test_init_writes_private_file_and_refuses_overwrite(tmp_path: Path, cli) -> None:
    cfg = tmp_path / "sub" / "c.toml"
    r = cli("--config", str(cfg), "init", "--preset", "haderslev")
    assert r.code == 0 and cfg.exists()
    assert cfg.stat().st_mode & 0o777 == 0o600
    r = cli("--config", str(cfg), "init", "--preset", "odsherred")
    assert r.code == 2 and "--force" in r.err
    r = cli("--config", str(cfg), "init", "--preset", "nowhere")
    assert r.code == 2 and "unknown preset 'nowhere'" in r.err
