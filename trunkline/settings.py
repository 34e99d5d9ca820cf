"""Settings: one typed object, read from ``TRUNKLINE_*`` variables and ``.env``.

The embedded default needs no configuration: a SQLite file and generated development secrets in
the data dir, an in-process bus, development auth. Setting an Auth0 issuer makes the settings
production settings, which refuse development secrets unless explicitly allowed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Self

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = "dev-jwt-secret"
ENCRYPTION_KEY_FILE = "encryption-key"
DEV_ISSUER = "trunkline-dev"
DEV_AUDIENCE = "trunkline"


MAX_MEDIA_URL_TTL_SECONDS = 3600


class SettingsError(ValueError):
    """Settings that must not be used together (e.g. development secrets in production)."""


class Settings(BaseSettings):
    """Every knob the gateway has, each with an embedded default."""

    model_config = SettingsConfigDict(
        env_prefix="TRUNKLINE_", env_file=".env", extra="ignore", frozen=False
    )

    data_dir: Path = Path("./var")
    database_url: str = ""
    redis_url: str = ""
    auto_migrate: bool | None = Field(
        default=None,
        description="Apply pending migrations at start-up; default: only on the embedded SQLite.",
    )
    bus_prefix: str = Field(
        default="trunkline", description="Prefix of bus channel names; tests isolate runs with it."
    )

    auth0_issuer: str = ""
    auth0_audience: str = ""
    auth0_jwks_url: str = ""
    roles_claim: str = "https://trunkline.dev/roles"
    session_claim: str = Field(
        default="https://trunkline.dev/authenticated_at",
        description="Claim holding the login time (set by an Auth0 Action); auth_time, iat after.",
    )
    max_session_hours: float = 10.0
    jwks_timeout_seconds: float = 5.0
    jwks_refetch_cooldown_seconds: float = 30.0

    dev_jwt_secret: SecretStr | None = None
    allow_dev_auth_in_production: bool = False

    encryption_keys: SecretStr | None = None

    public_url: str = "http://127.0.0.1:8000"
    cors_origins: str = Field(
        default="", description="Comma-separated SPA origins; any origin in development."
    )
    sandbox: bool = Field(default=False, description="Mount the sandbox carrier and use it.")
    twilio_api_base: str = ""
    twilio_timeout_seconds: float = 10.0
    sandbox_step_seconds: float = 1.0

    media_url_ttl_seconds: int = Field(
        default=900,
        ge=10,
        le=MAX_MEDIA_URL_TTL_SECONDS,
        description="How long a signed /media URL stays valid (at most an hour: it needs no "
        "bearer header, so whoever holds it may fetch the file until then).",
    )
    media_max_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024,
        description="Largest file /media streams from Twilio; a larger one is refused (502) or "
        "cut off.",
    )
    media_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Connect timeout, and longest wait for each chunk, of a /media download.",
    )

    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_page_size: int = 100
    max_subscriptions_per_socket: int = 20
    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Largest /graphql request body and WebSocket message; a larger one is "
        "refused (413; WebSocket close 1009) before it is parsed.",
    )
    ws_compression: bool = Field(
        default=False,
        description="permessage-deflate on WebSockets: events are small, and compressing them "
        "costs CPU per subscriber per event and tens of KB of memory per socket.",
    )
    subscriber_queue_size: int = Field(
        default=256, description="Bus messages a subscriber may fall behind before it is dropped."
    )
    ingestion_queue_size: int = Field(
        default=4096,
        ge=1,
        description="Verified webhooks that may wait to be stored; beyond it they are answered "
        "503 (Twilio retries) rather than held in memory.",
    )
    ingestion_batch_size: int = Field(
        default=256, ge=1, description="Webhooks stored in one transaction at most."
    )

    metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, GET /metrics needs 'Authorization: Bearer <token>' (401 "
        "otherwise); empty means unset.",
    )
    metrics_tenant_labels: int = Field(
        default=100,
        ge=0,
        description="Tenants that get a label value of their own in per-tenant metrics; later "
        "ones count as 'other' (bounds the series a scrape holds).",
    )
    metrics_operation_labels: int = Field(
        default=200,
        ge=0,
        description="GraphQL operation names that get a label value of their own; later ones "
        "count as 'other'.",
    )
    metrics_bus_probe_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How often each process measures bus lag with a probe message; 0: never.",
    )

    @field_validator("auth0_issuer")
    @classmethod
    def _issuer_is_an_https_url_with_trailing_slash(cls, value: str) -> str:
        # Auth0's `iss` always ends with a slash; a configured issuer without it would reject
        # every real token, so say so at start-up rather than at the first request.
        if value and not value.endswith("/"):
            raise ValueError("TRUNKLINE_AUTH0_ISSUER must end with '/' (Auth0's iss does)")
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _empty_metrics_token_is_unset(cls, value: object) -> object:
        # An empty token would make "Bearer " the key: treat it as no token at all.
        return None if value == "" else value

    @model_validator(mode="after")
    def _production_refuses_development_secrets(self) -> Self:
        if self.is_development or self.allow_dev_auth_in_production:
            return self
        if self.dev_jwt_secret is not None:
            raise SettingsError(
                "TRUNKLINE_DEV_JWT_SECRET is set while TRUNKLINE_AUTH0_ISSUER is set: development "
                "auth is refused in production (set TRUNKLINE_ALLOW_DEV_AUTH_IN_PRODUCTION=true "
                "to allow it deliberately)"
            )
        if not self.auth0_audience:
            raise SettingsError("TRUNKLINE_AUTH0_AUDIENCE is required with an Auth0 issuer")
        if self.encryption_keys is None:
            raise SettingsError(
                "TRUNKLINE_ENCRYPTION_KEYS is required in production: generated keys are for "
                "development only"
            )
        return self

    @property
    def is_development(self) -> bool:
        """Development means no Auth0 issuer: dev auth, GraphiQL, introspection."""
        return not self.auth0_issuer

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite://{(self.data_dir / 'trunkline.sqlite3').resolve()}"

    @property
    def effective_twilio_api_base(self) -> str | None:
        """Where Twilio requests go: the configured base, the mounted sandbox, or Twilio itself."""
        if self.twilio_api_base:
            return self.twilio_api_base.rstrip("/")
        if self.sandbox:
            return f"{self.public_url.rstrip('/')}/sandbox/twilio"
        return None

    @property
    def migrate_on_start(self) -> bool:
        return self.auto_migrate if self.auto_migrate is not None else not self.database_url

    @property
    def cors_origin_list(self) -> list[str]:
        origins = [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]
        return origins or (["*"] if self.is_development else [])

    @property
    def effective_jwks_url(self) -> str:
        return self.auth0_jwks_url or (
            f"{self.auth0_issuer}.well-known/jwks.json" if self.auth0_issuer else ""
        )

    @cached_property
    def dev_secret(self) -> str | None:
        """The HS256 secret for development tokens, generated into the data dir when needed."""
        if self.dev_jwt_secret is not None:
            return self.dev_jwt_secret.get_secret_value()
        if not self.is_development:
            return None
        return _read_or_create(self.data_dir / DEV_SECRET_FILE, lambda: secrets.token_urlsafe(48))

    @cached_property
    def fernet_keys(self) -> list[str]:
        """Encryption keys, newest first; generated into the data dir on the embedded default."""
        if self.encryption_keys is not None:
            keys = [k.strip() for k in self.encryption_keys.get_secret_value().split(",")]
            return [k for k in keys if k]
        return [_read_or_create(self.data_dir / ENCRYPTION_KEY_FILE, _new_fernet_key)]


def _new_fernet_key() -> str:
    return Fernet.generate_key().decode()


def _read_or_create(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # O_EXCL: two processes starting together must not both write different secrets.
    try:
        with path.open("x") as handle:
            handle.write(value)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return value
