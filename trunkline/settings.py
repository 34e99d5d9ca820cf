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
from typing import Literal, Self

from cryptography.fernet import Fernet
from limits import RateLimitItem, parse_many
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = "dev-jwt-secret"
ENCRYPTION_KEY_FILE = "encryption-key"
DEV_ISSUER = "trunkline-dev"
DEV_AUDIENCE = "trunkline"


MAX_MEDIA_URL_TTL_SECONDS = 3600
RATE_LIMIT_OFF = "off"
# The costly mutations, each with a `rate_limit_{name}` (per user) and `rate_limit_{name}_tenant`.
RATE_LIMITED = ("send_message", "place_call", "buy_number", "send_test_sms", "send_email")
_RATE_LIMIT_FIELDS = tuple(
    f"rate_limit_{name}{scope}" for name in RATE_LIMITED for scope in ("", "_tenant")
)
# Request headers a browser may send cross-origin in production when TRUNKLINE_CORS_HEADERS is
# unset: the token, JSON, Apollo Client's identification and a request id for tracing.
DEFAULT_CORS_HEADERS = (
    "Authorization",
    "Content-Type",
    "apollographql-client-name",
    "apollographql-client-version",
    "X-Request-ID",
)


class SettingsError(ValueError):
    """Settings that must not be used together (e.g. development secrets in production)."""


class Settings(BaseSettings):
    """Every knob the gateway has, each with an embedded default."""

    # An empty variable is unset, in the environment and in `.env` alike: compose and shell
    # scripts pass `${X:-}` as "", which must mean the embedded default (a generated key), not
    # an empty value that fails later.
    model_config = SettingsConfigDict(
        env_prefix="TRUNKLINE_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        frozen=False,
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
    cors_headers: str = Field(
        default="",
        description="Comma-separated request headers SPAs may send cross-origin; any in "
        "development, DEFAULT_CORS_HEADERS in production.",
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

    receipt_retention_hours: float = Field(
        default=72,
        ge=24,
        description="How long webhook receipts (and mutations' idempotency keys) are kept: "
        "Twilio and SendGrid retry within a day; a receipt pruned sooner lets a retry in twice.",
    )
    activity_retention_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days of activity log kept per tenant, unless the tenant sets its own.",
    )
    retention_interval_seconds: float = Field(
        default=3600, gt=0, description="Time between retention runs (one process at a time)."
    )
    retention_batch_size: int = Field(
        default=5000, ge=1, le=100_000, description="Rows one retention statement deletes."
    )

    # Costly mutations (services/rate_limits.py): each is limited per user and per tenant, in
    # the `limits` library's notation ("60/minute", several joined by ";": "30/hour;100/day"),
    # or "off". Counted in Redis when TRUNKLINE_REDIS_URL is set (shared by every instance).
    rate_limits_enabled: bool = Field(
        default=True, description="false: no mutation is rate limited (the limits below unused)."
    )
    rate_limit_send_message: str = "60/minute"
    rate_limit_send_message_tenant: str = "600/minute"
    # Twilio starts one call per second per account by default (and queues the rest).
    rate_limit_place_call: str = "30/minute"
    rate_limit_place_call_tenant: str = "60/minute"
    # Every number bought costs a monthly fee until released.
    rate_limit_buy_number: str = "10/hour"
    rate_limit_buy_number_tenant: str = "30/hour;100/day"
    rate_limit_send_test_sms: str = "5/minute"
    rate_limit_send_test_sms_tenant: str = "20/hour"
    # For sendEmail, once it exists.
    rate_limit_send_email: str = "60/minute"
    rate_limit_send_email_tenant: str = "600/minute"

    @field_validator(*_RATE_LIMIT_FIELDS, mode="before")
    @classmethod
    def _rate_limit_in_the_limits_notation(cls, value: object, info: ValidationInfo) -> object:
        name = info.field_name or ""
        if isinstance(value, str) and not value.strip():
            # An empty variable (as compose passes an unset one) means the default, not "none".
            return cls.model_fields[name].default
        if not isinstance(value, str) or value.strip().lower() == RATE_LIMIT_OFF:
            return value
        # The message names the variable; the value is the operator's own, but errors quote
        # no setting's value (some are secrets).
        variable = f"TRUNKLINE_{name.upper()}"
        try:
            items = parse_many(value)
        except ValueError:
            raise ValueError(
                f"{variable} must read like '60/minute' or '30/hour;100/day', or be 'off'"
            ) from None
        if any(item.amount < 1 for item in items):
            raise ValueError(f"{variable}: a limit allows at least 1 (use 'off' for none)")
        return value.strip()

    log_format: Literal["json", "text"] | None = Field(
        default=None,
        description="json (one object per line) or text (one readable line); default: text in "
        "development, json in production.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format_in_any_case(cls, value: object) -> object:
        # An empty value means the default (text in development, json in production).
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_in_any_case(cls, value: object) -> object:
        # `TRUNKLINE_LOG_LEVEL=debug` means DEBUG; an empty value means the default.
        if isinstance(value, str):
            return value.strip().upper() or "INFO"
        return value

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
    def effective_log_format(self) -> Literal["json", "text"]:
        return self.log_format or ("text" if self.is_development else "json")

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
    def cors_header_list(self) -> list[str]:
        headers = [header.strip() for header in self.cors_headers.split(",") if header.strip()]
        if headers:
            return headers
        return ["*"] if self.is_development else list(DEFAULT_CORS_HEADERS)

    @property
    def effective_jwks_url(self) -> str:
        return self.auth0_jwks_url or (
            f"{self.auth0_issuer}.well-known/jwks.json" if self.auth0_issuer else ""
        )

    def rate_limit(self, name: str) -> tuple[RateLimitItem, ...]:
        """The limits of ``rate_limit_{name}`` (none when off, or when all are disabled)."""
        value: str = getattr(self, f"rate_limit_{name}")
        if not self.rate_limits_enabled or value.lower() == RATE_LIMIT_OFF:
            return ()
        return tuple(parse_many(value))

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


def settings_problems(error: ValidationError) -> list[str]:
    """One line per refused setting, naming its variable and never its value.

    pydantic's own wording of the error quotes the value it was given (``input_value=...``),
    which for a secret setting is the secret itself.
    """
    problems = []
    for detail in error.errors(include_input=False, include_url=False):
        location = [str(part) for part in detail["loc"]]
        variable = f"TRUNKLINE_{'_'.join(location).upper()}" if location else "settings"
        problems.append(f"{variable}: {detail['msg']}")
    return problems


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
