"""Logging configured as ``trunkline serve`` configures it, writing to a buffer, for one test.

The configuration is the process's (``logging.config.dictConfig``): afterwards the handlers,
levels and filters it replaced are put back, so the rest of the suite logs as before.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from trunkline.logs import configure_logging
from trunkline.logs.configuration import CHATTY, LogFormat

_TOUCHED = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", *CHATTY)


@contextmanager
def configured_logging(
    *, log_format: LogFormat, level: str, first: logging.Handler | None = None
) -> Iterator[io.StringIO]:
    """Yield the buffer the configured handler writes to.

    Args:
        first: a handler put on the root before the configured one (pytest's caplog handler,
            to see the records as they were logged, before the redaction rewrote them).
    """
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in _TOUCHED)]
    saved = [
        (logger, logger.level, list(logger.handlers), list(logger.filters), logger.propagate)
        for logger in loggers
    ]
    stream = io.StringIO()
    try:
        configure_logging(log_format=log_format, level=level, stream=stream)
        if first is not None:
            logging.getLogger().handlers.insert(0, first)
        yield stream
    finally:
        for logger, level_, handlers, filters, propagate in saved:
            logger.setLevel(level_)
            logger.handlers[:] = handlers
            logger.filters[:] = filters
            logger.propagate = propagate


class RawRecords(logging.Handler):
    """Keeps each record's text as it was logged (message, traceback), before any redaction:
    put first on the root, it runs before the configured handler's filters rewrite the record."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[tuple[str, str]] = []
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text = f"{text}\n{self._formatter.formatException(record.exc_info)}"
        self.texts.append((record.name, text))
