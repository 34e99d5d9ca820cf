"""The redaction on the log handler: each known secret shape, written through a configured
logger, reaches the line as ``<redacted>``; ordinary text stays as it was."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from tests.logs.capture import configured_logging
from trunkline.logs import known_secrets, redact
from trunkline.logs.redaction import ACCESS_LOG_REDACTION

AUTH_TOKEN = "9f1c2d3e4b5a69788796a5b4c3d2e1f0"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
SENDGRID = "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"
FERNET = Fernet.generate_key().decode()


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    with configured_logging(log_format="text", level="DEBUG") as stream:
        yield stream


@pytest.mark.parametrize(
    ("template", "secret"),
    [
        ('saveTwilioCredentials(input: {authToken: "<S>"})', AUTH_TOKEN),
        ('{"AuthToken": "<S>"}', AUTH_TOKEN),
        (r'{"query": "mutation { s(input: {authToken: \"<S>\"}) }"}', AUTH_TOKEN),
        ("TwilioAccount(auth_token='<S>')", AUTH_TOKEN),
        ("apiKeySecret: '<S>'", AUTH_TOKEN),
        ("GET /x?password=<S>&a=1", AUTH_TOKEN),
        ("GET /graphql?token=<S> HTTP/1.1", AUTH_TOKEN),
        ("secret=<S>", AUTH_TOKEN),
        ("Authorization: Bearer <S>", AUTH_TOKEN),
        ("the token <S> was refused", JWT),
        ("sendgrid said no to <S>", SENDGRID),
        ("invalid key <S> in settings", FERNET),
        ("postgres://app:<S>@db:5432/trunkline", AUTH_TOKEN),
        ("GET /media/m.1.41.0.1800000000.<S> HTTP/1.1", "A" * 43),
    ],
)
def test_a_secret_in_a_message_is_redacted(lines: io.StringIO, template: str, secret: str) -> None:
    logging.getLogger("trunkline.test").info("%s", template.replace("<S>", secret))

    line = lines.getvalue()
    assert secret not in line
    assert "<redacted>" in line


def test_a_secret_in_an_exception_is_redacted(lines: io.StringIO) -> None:
    try:
        raise ValueError(f"could not use authToken={AUTH_TOKEN}")
    except ValueError:
        logging.getLogger("trunkline.test").exception("failed")

    line = lines.getvalue()
    assert "Traceback" in line
    assert "ValueError: could not use authToken=<redacted>" in line
    assert AUTH_TOKEN not in line


def test_a_secret_split_across_message_and_arguments_is_redacted(lines: io.StringIO) -> None:
    logging.getLogger("trunkline.test").warning("authToken=%s", AUTH_TOKEN)

    assert AUTH_TOKEN not in lines.getvalue()


def test_a_known_secret_is_redacted_whatever_its_shape(lines: io.StringIO) -> None:
    shapeless = "plain-words-but-the-dev-secret-0123"
    known_secrets.add([shapeless])

    logging.getLogger("trunkline.test").error("loaded %s", shapeless)

    assert shapeless not in lines.getvalue()
    assert "loaded <redacted>" in lines.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "rejected access token: token expired",
        "webhook /webhooks/twilio/messaging rejected: bad signature",
        "applied migration 4_20261130013833_voice.py",
        "FORBIDDEN at saveTwilioCredentials: You do not have permission to do this",
        'POST /graphql HTTP/1.1" 200',
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_access_log_filter_keeps_uvicorns_arguments_a_tuple() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/healthz?token={AUTH_TOKEN}", "1.1", 200),
        None,
    )

    assert ACCESS_LOG_REDACTION.filter(record) is True
    assert record.args == ("127.0.0.1:5000", "GET", "/healthz?token=<redacted>", "1.1", 200)
