"""The /media route's access-log hygiene (its behaviour end to end: tests/resolvers)."""

from __future__ import annotations

import logging

from trunkline.logs.redaction import ACCESS_LOG_REDACTION

SIGNATURE = "A" * 43


def _access_record(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_a_media_links_signature_never_reaches_the_access_log() -> None:
    record = _access_record(f"/media/m.1.41.0.1800000000.{SIGNATURE}")

    assert ACCESS_LOG_REDACTION.filter(record) is True
    assert SIGNATURE not in record.getMessage()
    assert record.getMessage() == (
        '127.0.0.1:5000 - "GET /media/m.1.41.0.1800000000.<redacted> HTTP/1.1" 200'
    )


def test_other_paths_are_logged_as_they_are() -> None:
    record = _access_record("/graphql?x=1.2")

    assert ACCESS_LOG_REDACTION.filter(record) is True
    assert record.getMessage() == '127.0.0.1:5000 - "GET /graphql?x=1.2 HTTP/1.1" 200'


def test_the_redaction_is_on_the_access_logger_once_the_app_is_built(gateway: str) -> None:
    assert logging.getLogger("uvicorn.access").filters.count(ACCESS_LOG_REDACTION) == 1
