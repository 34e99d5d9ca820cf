"""The last guard: known secret shapes scrubbed from every line before it is written.

The code logs no secret on purpose (GraphQL documents and variables are never logged, settings
errors name the variable only); this catches what slips through anyway: a library's message, an
exception's text, a value a client put where it did not belong. It runs as a filter on the
handlers, so only records that are actually written pay for it, with precompiled expressions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "<redacted>"

# Names whose value is a secret wherever it is written: `authToken: "..."` (GraphQL),
# `"AuthToken": "..."` (JSON), `auth_token='...'` (a repr), `password=...` (a query string).
_SECRET_NAMES = (
    r"auth_?token|api_?key_?secret|client_?secret|secret_?key|private_?key|verification_?key"
    r"|encryption_?keys?|jwt_?secret|password|passwd|secret|api_?key"
)
_VALUE = r"""(?P<value>\\"(?:(?!\\").)*\\"|"[^"]*"|'[^']*'|[^\s"',;&)}\]\\]+)"""
_NAMED = re.compile(rf"""(?P<key>(?:{_SECRET_NAMES})\\?["']?\s*[:=]\s*){_VALUE}""", re.IGNORECASE)
# A bare `token` is a secret only as `token=...` (a query parameter, a keyword argument): a
# message such as "rejected access token: expired" must stay readable.
_TOKEN_PARAMETER = re.compile(
    r"(?P<key>\b(?:access_|refresh_|id_)?token=)(?P<value>[^\s\"',;&)}\]]+)", re.IGNORECASE
)
_SCHEMES = re.compile(r"(?P<key>\b(?:bearer|basic)\s+)(?P<value>[A-Za-z0-9._~+/=-]{6,})", re.I)
# Secrets recognisable by their shape alone.
_SHAPES = re.compile(
    "|".join(
        (
            r"eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}",  # a JWT (its header is `{"`)
            r"\bSG\.[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]{8,})?",  # a SendGrid API key
            r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=",  # a Fernet key (32 bytes, base64url)
        )
    )
)
# The password in a URL's userinfo (a database or Redis URL in an error message).
_URL_PASSWORD = re.compile(r"(?P<key>://[^/\s:@]*:)(?P<value>[^/\s@]+)(?=@)")
# A signed media link's signature (trunkline.services.media_links): it grants the file until
# it expires, so the access log keeps the link's path without it.
_MEDIA_SIGNATURE = re.compile(r"(?P<key>/media/[a-z](?:\.[0-9]+){4}\.)(?P<value>[A-Za-z0-9_-]{43})")


def _keep_key(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[:2] if value.startswith('\\"') else value[:1] if value[:1] in "\"'" else ""
    return f"{match.group('key')}{quote}{REDACTED}{quote}"


class _KnownSecrets:
    """Secret values this process holds (the development JWT secret, the encryption keys),
    scrubbed wherever they appear, whatever their shape.

    Process-wide on purpose: logging's handlers and filters are, and so are these secrets.
    """

    MIN_LENGTH = 8  # shorter values would scrub ordinary words

    def __init__(self) -> None:
        self._values: set[str] = set()
        self.pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str | None]) -> None:
        fresh = {value for value in values if value and len(value) >= self.MIN_LENGTH}
        if fresh <= self._values:
            return
        self._values |= fresh
        longest_first = sorted(self._values, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(value) for value in longest_first))


known_secrets = _KnownSecrets()


def redact(text: str) -> str:
    """``text`` with every known secret shape and value replaced by ``<redacted>``."""
    if known_secrets.pattern is not None:
        text = known_secrets.pattern.sub(REDACTED, text)
    text = _NAMED.sub(_keep_key, text)
    text = _TOKEN_PARAMETER.sub(_keep_key, text)
    text = _SCHEMES.sub(_keep_key, text)
    text = _URL_PASSWORD.sub(_keep_key, text)
    text = _MEDIA_SIGNATURE.sub(_keep_key, text)
    return _SHAPES.sub(REDACTED, text)


class SecretRedaction(logging.Filter):
    """Rewrites a record's message, exception and stack text without secrets (see :func:`redact`).

    The message is formatted here (``msg % args``) and stored formatted, so no handler after
    this one sees the raw arguments either.

    Args:
        keep_args: redact each string argument instead, keeping ``args`` a tuple: for a filter
            on ``uvicorn.access`` itself, whose own formatter (when uvicorn's default logging
            configuration is used) reads the arguments one by one.
    """

    _formatter = logging.Formatter()

    def __init__(self, *, keep_args: bool = False) -> None:
        super().__init__()
        self.keep_args = keep_args

    def filter(self, record: logging.LogRecord) -> bool:
        if self.keep_args and isinstance(record.args, tuple):
            record.msg = redact(str(record.msg))
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        else:
            record.msg = redact(record.getMessage())
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# On uvicorn's access logger itself, however logging is configured: a path may carry a media
# link's signature or a `token=` parameter.
ACCESS_LOG_REDACTION = SecretRedaction(keep_args=True)


def redact_access_log() -> None:
    """Put :data:`ACCESS_LOG_REDACTION` on ``uvicorn.access`` (once, however often called)."""
    logging.getLogger("uvicorn.access").addFilter(ACCESS_LOG_REDACTION)
