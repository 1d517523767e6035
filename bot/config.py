"""Settings from the environment and ``.env``, validated by pydantic-settings."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.timeparse import parse_time, parse_timezone

GET_A_TOKEN = (
    "talk to @BotFather in Telegram, send /newbot, and put the token it gives you in .env as "
    "BOT_TOKEN=123456789:AA... (see .env.example)"
)
TOKEN_HELP = f"BOT_TOKEN is not set: {GET_A_TOKEN}."
PLACEHOLDER_TOKEN = "123456789:replace-me"  # the value in .env.example
# What @BotFather hands out: the bot's numeric id, a colon and 35 URL-safe characters.
TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{35}")
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite:///data/couplet.db"
    default_timezone: str = "UTC"
    default_delivery_time: str = "20:00"
    log_level: str = "INFO"

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

    # Webhook mode (polling when WEBHOOK_URL is unset): the public https URL Telegram calls,
    # the secret it sends back in X-Telegram-Bot-Api-Secret-Token, and where this instance
    # listens (the webhook at the URL's path, GET /healthz on the same port).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # in a container, behind the reverse proxy
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    # Data hygiene (see scheduler/retention.py): delivered outbox rows and old delivery
    # bookkeeping go after this many days; answers and history stay until the couple erases them.
    retention_days: float = Field(default=7.0, ge=2, le=3650)

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError(
                "must start with sqlite:/// (e.g. sqlite:///data/couplet.db) or postgresql://"
                " (e.g. postgresql://couplet:secret@db:5432/couplet)"
            )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if not value:
            return None
        loopback = value.startswith(("http://127.0.0.1", "http://localhost"))
        if not value.startswith("https://") and not loopback:
            raise ValueError("must start with https:// (Telegram calls webhooks over TLS only)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @property
    def webhook_path(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.webhook_url or "").path or "/"

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


def check_token(token: str) -> None:
    """Refuse a token that cannot work before anything touches the network."""
    if token.strip() == PLACEHOLDER_TOKEN:
        raise ConfigError(f"BOT_TOKEN is still the placeholder from .env.example: {GET_A_TOKEN}.")
    if not TOKEN_SHAPE.fullmatch(token):
        raise ConfigError(
            "BOT_TOKEN does not look like a bot token (expected <digits>:<35 characters>, "
            f"with no spaces or quotes): {GET_A_TOKEN}."
        )


def load_settings(**overrides: object) -> Settings:
    """Settings for the bot process, the token's shape included; one-line ``ConfigError``s."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors = exc.errors()
        if any(e["loc"] == ("bot_token",) and e["type"] == "missing" for e in errors):
            raise ConfigError(TOKEN_HELP) from None
        first = errors[0]
        field = ".".join(str(p) for p in first["loc"]).upper()
        raise ConfigError(f"Setting {field} is invalid: {first['msg']}") from None
    check_token(settings.bot_token.get_secret_value())
    if settings.webhook_url and settings.webhook_secret is None:
        raise ConfigError(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is not: choose a random secret (e.g. the"
            " output of `openssl rand -hex 32`) so the bot can refuse requests not from Telegram."
        )
    return settings
