"""Settings from the environment and ``.env``, validated by pydantic-settings."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.timeparse import parse_time, parse_timezone

TOKEN_HELP = (
    "BOT_TOKEN is not set: talk to @BotFather in Telegram, send /newbot, and put the token it "
    "gives you in .env as BOT_TOKEN=123456:ABC... (see .env.example)."
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite:///data/couplet.db"
    default_timezone: str = "UTC"
    default_delivery_time: str = "20:00"
    log_level: str = "INFO"
    content_language: str = "en"

    reminder_after_hours: float = Field(default=4.0, gt=0, le=23)
    answer_grace_hours: float = Field(default=12.0, ge=0, le=48)
    scheduler_interval_seconds: float = Field(default=30.0, gt=0, le=3600)

    # Delivery engine (see bot/delivery/limiter.py and scheduler/due.py).
    delivery_rate_per_second: float = Field(default=30.0, gt=0, le=1000)
    delivery_paid_rate_per_second: float = Field(default=1000.0, gt=0, le=1000)
    delivery_paid_broadcast: bool = False
    delivery_per_chat_per_second: float = Field(default=1.0, gt=0, le=100)
    delivery_per_chat_burst: int = Field(default=3, ge=1, le=100)
    delivery_concurrency: int = Field(default=64, ge=1, le=1000)
    catch_up_late_hours: float = Field(default=6.0, ge=0, le=48)
    reminder_drop_after_hours: float = Field(default=2.0, ge=0, le=24)

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        name = parse_timezone(value)
        if name is None:
            raise ValueError(f"unknown time zone {value!r} (try Europe/Berlin or UTC+2)")
        return name

    @field_validator("default_delivery_time")
    @classmethod
    def _time(cls, value: str) -> str:
        parsed = parse_time(value)
        if parsed is None:
            raise ValueError(f"not a time of day: {value!r} (use HH:MM, e.g. 20:00)")
        return parsed.strftime("%H:%M")

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors = exc.errors()
        if any(e["loc"] == ("bot_token",) and e["type"] == "missing" for e in errors):
            raise ConfigError(TOKEN_HELP) from None
        first = errors[0]
        field = ".".join(str(p) for p in first["loc"]).upper()
        raise ConfigError(f"Setting {field} is invalid: {first['msg']}") from None
