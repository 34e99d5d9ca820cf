"""Settings: the embedded default needs nothing; production refuses development secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from trunkline.settings import Settings

ISSUER = "https://example.eu.auth0.com/"


def test_embedded_default_is_development_with_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]

    assert settings.is_development is True
    assert (
        settings.effective_database_url == f"sqlite://{(tmp_path / 'trunkline.sqlite3').resolve()}"
    )
    assert settings.redis_url == ""
    assert settings.migrate_on_start is True


def test_embedded_default_generates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    second = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]

    assert first.dev_secret is not None
    assert len(first.dev_secret) >= 32
    assert second.dev_secret == first.dev_secret
    assert second.fernet_keys == first.fernet_keys
    Fernet(first.fernet_keys[0])  # a usable key
    assert (tmp_path / "dev-jwt-secret").stat().st_mode & 0o077 == 0


def test_environment_variables_configure_the_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUNKLINE_DATABASE_URL", "postgresql://postgres@db:5432/trunkline")
    monkeypatch.setenv("TRUNKLINE_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("TRUNKLINE_MAX_SESSION_HOURS", "8")

    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]

    assert settings.database_url == "postgresql://postgres@db:5432/trunkline"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.max_session_hours == 8
    assert settings.migrate_on_start is False


def _production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "auth0_issuer": ISSUER,
        "auth0_audience": "https://api.example.com",
        "encryption_keys": Fernet.generate_key().decode(),
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_production_settings_derive_the_jwks_url_from_the_issuer() -> None:
    settings = _production()

    assert settings.is_development is False
    assert settings.effective_jwks_url == f"{ISSUER}.well-known/jwks.json"
    assert settings.dev_secret is None


def test_production_refuses_a_development_jwt_secret() -> None:
    with pytest.raises(ValidationError, match="development auth is refused"):
        _production(dev_jwt_secret="s" * 40)


def test_production_accepts_development_auth_only_when_explicitly_allowed() -> None:
    settings = _production(dev_jwt_secret="s" * 40, allow_dev_auth_in_production=True)

    assert settings.dev_secret == "s" * 40


def test_production_refuses_generated_encryption_keys() -> None:
    with pytest.raises(ValidationError, match="TRUNKLINE_ENCRYPTION_KEYS is required"):
        _production(encryption_keys=None)


def test_issuer_without_trailing_slash_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="must end with '/'"):
        _production(auth0_issuer=ISSUER.rstrip("/"))


def test_media_urls_default_to_fifteen_minutes_and_are_capped_at_an_hour(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).media_url_ttl_seconds == 900
    assert Settings(data_dir=tmp_path, media_url_ttl_seconds=3600).media_url_ttl_seconds == 3600
    with pytest.raises(ValidationError, match="media_url_ttl_seconds"):
        Settings(data_dir=tmp_path, media_url_ttl_seconds=3601)


def test_retention_is_configured_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUNKLINE_RECEIPT_RETENTION_HOURS", "48")
    monkeypatch.setenv("TRUNKLINE_ACTIVITY_RETENTION_DAYS", "30")
    monkeypatch.setenv("TRUNKLINE_RETENTION_INTERVAL_SECONDS", "600")
    monkeypatch.setenv("TRUNKLINE_RETENTION_BATCH_SIZE", "1000")

    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]

    assert (
        settings.receipt_retention_hours,
        settings.activity_retention_days,
        settings.retention_interval_seconds,
        settings.retention_batch_size,
    ) == (48, 30, 600, 1000)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        # Shorter than the providers' retries: a retried webhook would be stored twice.
        ("TRUNKLINE_RECEIPT_RETENTION_HOURS", "23"),
        ("TRUNKLINE_ACTIVITY_RETENTION_DAYS", "0"),
        ("TRUNKLINE_RETENTION_INTERVAL_SECONDS", "0"),
        ("TRUNKLINE_RETENTION_BATCH_SIZE", "0"),
    ],
)
def test_retention_settings_out_of_range_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]


def test_rate_limits_read_the_limits_notation_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUNKLINE_RATE_LIMIT_SEND_MESSAGE", "30/hour;100/day")
    monkeypatch.setenv("TRUNKLINE_RATE_LIMIT_BUY_NUMBER", "OFF")
    monkeypatch.setenv("TRUNKLINE_RATE_LIMIT_PLACE_CALL", "")  # as compose passes an unset one

    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]

    assert [str(item) for item in settings.rate_limit("send_message")] == [
        "30 per 1 hour",
        "100 per 1 day",
    ]
    assert settings.rate_limit("buy_number") == ()
    assert [str(item) for item in settings.rate_limit("place_call")] == ["30 per 1 minute"]
    assert [str(item) for item in settings.rate_limit("send_message_tenant")] == [
        "600 per 1 minute"
    ]


def test_rate_limits_can_all_be_turned_off(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, rate_limits_enabled=False, _env_file=None)  # type: ignore[call-arg]

    assert settings.rate_limit("send_message") == ()
    assert settings.rate_limit("send_test_sms_tenant") == ()


@pytest.mark.parametrize("value", ["sixty a minute", "0/minute", "5/fortnight"])
def test_a_rate_limit_that_cannot_be_read_is_refused_naming_its_variable(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(rate_limit_send_test_sms_tenant=value, _env_file=None)  # type: ignore[call-arg]

    assert "TRUNKLINE_RATE_LIMIT_SEND_TEST_SMS_TENANT" in str(refused.value)


def test_empty_variables_are_unset_and_keep_the_embedded_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What compose passes for `${TRUNKLINE_ENCRYPTION_KEYS:-}` and friends when nothing is set.
    for name in ("ENCRYPTION_KEYS", "DEV_JWT_SECRET", "AUTH0_ISSUER", "PUBLIC_URL", "AUTO_MIGRATE"):
        monkeypatch.setenv(f"TRUNKLINE_{name}", "")

    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]

    assert settings.encryption_keys is None
    assert settings.is_development is True
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.auto_migrate is None
    Fernet(settings.fernet_keys[0])  # generated, as when the variable is absent
    assert settings.model_fields_set == {"data_dir"}


def test_empty_lines_in_dot_env_are_unset_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TRUNKLINE_ENCRYPTION_KEYS", "TRUNKLINE_MAX_SESSION_HOURS"):
        monkeypatch.delenv(name, raising=False)
    dot_env = tmp_path / ".env"
    dot_env.write_text('TRUNKLINE_ENCRYPTION_KEYS=\nTRUNKLINE_MAX_SESSION_HOURS=""\n')

    settings = Settings(data_dir=tmp_path, _env_file=dot_env)  # type: ignore[call-arg]

    assert settings.encryption_keys is None
    assert settings.max_session_hours == 10.0
