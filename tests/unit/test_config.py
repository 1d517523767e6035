"""Settings: one clear line for the operator when something is missing or malformed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_"


def test_missing_token_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="@BotFather"):
        load_settings(_env_file=None)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("default_timezone", "Mars/Base", "DEFAULT_TIMEZONE"),
        ("default_delivery_time", "25:61", "DEFAULT_DELIVERY_TIME"),
        ("telegram_api_url", "api.telegram.org", "TELEGRAM_API_URL"),
        ("log_level", "LOUD", "LOG_LEVEL"),
    ],
)
def test_malformed_settings_name_the_setting(field: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings(_env_file=None, bot_token=TOKEN, **{field: value})


def test_defaults_and_normalisation() -> None:
    s = load_settings(
        _env_file=None,
        bot_token=TOKEN,
        default_timezone="utc+2",
        default_delivery_time="8pm",
        telegram_api_url="http://localhost:8081/",
    )
    assert (s.default_timezone, s.default_delivery_time) == ("UTC+02:00", "20:00")
    assert s.telegram_api_url == "http://localhost:8081"
    assert s.database_url.startswith("sqlite:///")


def test_running_without_a_token_prints_one_line_and_exits(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]


def test_every_setting_is_documented_in_env_example_and_readme(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.config import Settings

    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"\n{name.upper()}=" in example, name
        assert f"| `{name.upper()}` |" in readme, name
    for key in list(os.environ):  # the example file alone must load, with its own values
        if key.upper() in {n.upper() for n in Settings.model_fields}:
            monkeypatch.delenv(key)
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert (
        settings.delivery_rate_per_second
        == Settings.model_fields["delivery_rate_per_second"].default
    )


def test_the_placeholder_token_is_refused_with_a_pointer_to_botfather() -> None:
    with pytest.raises(ConfigError, match=r"placeholder from \.env\.example.*@BotFather"):
        load_settings(_env_file=None, bot_token="123456789:replace-me")


@pytest.mark.parametrize(
    "token", ["123456", "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_", "123:short", f"'{TOKEN}'"]
)
def test_a_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(ConfigError, match=r"BOT_TOKEN does not look like a bot token"):
        load_settings(_env_file=None, bot_token=token)


def test_database_url_must_be_sqlite_or_postgresql() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings(_env_file=None, bot_token=TOKEN, database_url="mysql://x/y")
    for url in ("postgresql://u@db:5432/couplet", "postgres://u@db/couplet", "sqlite:///a.db"):
        assert load_settings(_env_file=None, bot_token=TOKEN, database_url=url).database_url == url
