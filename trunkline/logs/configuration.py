"""One configuration for every logger of the process: uvicorn's (errors, access) and ours.

``trunkline serve`` hands :func:`log_config` to uvicorn, which applies it in the server process
and again in each worker process it starts; anything else that serves the app may call
:func:`configure_logging`.
"""

from __future__ import annotations

import logging
import logging.config
from typing import IO, Any, Literal

LogFormat = Literal["json", "text"]

# Libraries that narrate every request at INFO (the twilio library logs each request in nine
# lines): heard from at WARNING unless the whole process runs at DEBUG.
CHATTY = ("twilio", "httpx", "httpcore", "aiosqlite", "tortoise", "asyncio", "multipart")
FORMATTERS: dict[LogFormat, str] = {
    "json": "trunkline.logs.formats.JsonLines",
    "text": "trunkline.logs.formats.TextLines",
}


def log_config(
    *, log_format: LogFormat, level: str, stream: IO[str] | str = "ext://sys.stderr"
) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` document: one handler on the root logger, with the
    request's fields and the redaction as its filters; uvicorn's loggers propagate to it."""
    chatty_level = "DEBUG" if level == "DEBUG" else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_fields": {"()": "trunkline.logs.context.RequestFields"},
            "redaction": {"()": "trunkline.logs.redaction.SecretRedaction"},
        },
        "formatters": {"line": {"()": FORMATTERS[log_format]}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": stream,
                "formatter": "line",
                # The redaction last: it sees the message as it will be written.
                "filters": ["request_fields", "redaction"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's own configuration gives these handlers of their own; here they write
            # through the root's, like every other logger.
            **{
                name: {"level": level, "handlers": [], "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
            },
            **{name: {"level": chatty_level} for name in CHATTY},
        },
    }


def configure_logging(*, log_format: LogFormat, level: str, stream: IO[str] | None = None) -> None:
    """Apply :func:`log_config` to this process (``stream``: where lines go, stderr if None)."""
    logging.config.dictConfig(
        log_config(log_format=log_format, level=level, stream=stream or "ext://sys.stderr")
    )
