from __future__ import annotations

import pytest

from aggregator.settings import Settings, SettingsError


def test_defaults():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/aggregator.db"
    assert settings.redis_url is None
    assert settings.public_base_url == "http://127.0.0.1:8000"


def test_environment_values_are_converted():
    settings = Settings.from_env(
        {
            "AGGREGATOR_PORT": "9000",
            "AGGREGATOR_HOST": "0.0.0.0",
            "AGGREGATOR_RATE_LIMIT_PER_SECOND": "2.5",
            "AGGREGATOR_ACCESS_LOG": "false",
            "AGGREGATOR_PUBLIC_URL": "https://locks.example.com/",
            "UNRELATED": "ignored",
        }
    )
    assert settings.port == 9000
    assert settings.rate_limit_per_second == 2.5
    assert settings.access_log is False
    assert settings.public_base_url == "https://locks.example.com"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AGGREGATOR_PORT", "eighty"),
        ("AGGREGATOR_PORT", "70000"),
        ("AGGREGATOR_RATE_LIMIT_BURST", "0"),
        ("AGGREGATOR_ACCESS_LOG", "maybe"),
    ],
)
def test_an_invalid_value_names_its_variable(name: str, value: str):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_the_database_follows_the_var_dir_unless_given():
    assert Settings.from_env({"AGGREGATOR_VAR_DIR": "/srv/gw/"}).database_url == "sqlite:////srv/gw/aggregator.db"
    assert Settings.from_env({"AGGREGATOR_VAR_DIR": "data"}).database_url == "sqlite:///data/aggregator.db"
    given = {"AGGREGATOR_VAR_DIR": "data", "AGGREGATOR_DATABASE_URL": "postgresql://db/gw"}
    assert Settings.from_env(given).database_url == "postgresql://db/gw"


def test_log_levels_are_checked():
    assert Settings.from_env({"AGGREGATOR_LOG_LEVEL": "debug"}).log_level == "debug"
    with pytest.raises(SettingsError, match="AGGREGATOR_LOG_LEVEL"):
        Settings.from_env({"AGGREGATOR_LOG_LEVEL": "verbose"})
