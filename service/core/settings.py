"""All configuration, from ``ACCOUNTS_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_BYTES = 32


class ConfigurationError(Exception):
    """A setting is missing or invalid: the service refuses to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCOUNTS_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    data_dir: Path = Path(".data/run")

    mongodb_uri: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = "accounts"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    events_topic: str = "accounts.events"
    notifications_topic: str = "accounts.notifications"

    jwt_secret: str | None = None
    jwt_previous_secret: str | None = None
    jwt_issuer: str = "accounts-service"
    data_key: str | None = None

    access_token_ttl_seconds: int = Field(900, ge=30)
    refresh_token_ttl_seconds: int = Field(2_592_000, ge=60)
    otp_ttl_seconds: int = Field(900, ge=60)
    bcrypt_rounds: int = Field(12, ge=4, le=16)

    bootstrap_username: str = "admin"
    bootstrap_password: str | None = None
    bootstrap_org: str = "root"

    login_max_failures_per_username: int = Field(5, ge=1)
    login_max_failures_per_address: int = Field(50, ge=1)
    login_lock_seconds: int = Field(900, ge=1)
    password_reset_max_per_window: int = Field(3, ge=1)
    otp_max_tries: int = Field(5, ge=1)

    graphiql: bool | None = None
    introspection: bool | None = None
    graphql_max_depth: int = Field(12, ge=2)
    graphql_max_aliases: int = Field(30, ge=1)
    graphql_max_tokens: int = Field(4000, ge=100)
    graphql_max_batch: int = Field(10, ge=1)
    graphql_max_cost: int = Field(100_000, ge=100)

    trusted_proxies: Annotated[list[str], NoDecode] = []

    oauth_email_linking: bool = False
    oauth_auto_provision: bool = False
    oauth_allow_private_networks: bool = False

    outbox_poll_seconds: float = Field(1.0, gt=0)
    outbox_lease_seconds: float = Field(30.0, gt=0)
    outbox_retention_seconds: int = Field(7 * 24 * 3600, ge=0)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _production_needs_explicit_secrets(self) -> Settings:
        if self.env == "production":
            for name in ("jwt_secret", "data_key"):
                if not getattr(self, name):
                    raise ValueError(f"ACCOUNTS_{name.upper()} is required in production")
        for name in ("jwt_secret", "jwt_previous_secret", "data_key"):
            value = getattr(self, name)
            if value is not None and len(value.encode()) < MIN_SECRET_BYTES:
                raise ValueError(f"ACCOUNTS_{name.upper()} must be at least 32 bytes")
        return self

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.env != "production"

    @property
    def introspection_enabled(self) -> bool:
        if self.introspection is not None:
            return self.introspection
        return self.env != "production"

    @property
    def signing_secret(self) -> str:
        assert self.jwt_secret, "resolve_generated_secrets() runs at start-up"
        return self.jwt_secret

    @property
    def encryption_key(self) -> str:
        assert self.data_key, "resolve_generated_secrets() runs at start-up"
        return self.data_key


def _kept_secret(data_dir: Path, name: str) -> str:
    """A secret generated once for local runs and kept in the data folder."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad one raises ConfigurationError naming it, in one line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        name = f"ACCOUNTS_{field.upper()}: " if field else ""
        raise ConfigurationError(f"invalid setting {name}{first['msg']}") from None
    if settings.jwt_secret is None:
        settings.jwt_secret = _kept_secret(settings.data_dir, "jwt-secret")
    if settings.data_key is None:
        settings.data_key = _kept_secret(settings.data_dir, "data-key")
    return settings
