"""The two shapes of a line: JSON for a log pipeline, one readable line for a terminal."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from trunkline.logs.context import FIELDS


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {name: value for name, _ in FIELDS if (value := getattr(record, name, None)) is not None}


def _exception(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    return record.exc_text or None


class JsonLines(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, the request's
    fields that are known (``request_id``, ``org``, ``tenant``, ``user``, ``operation``,
    ``document``), and ``exception`` (the traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        exception = _exception(self, record)
        if exception:
            line["exception"] = exception
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class TextLines(logging.Formatter):
    """``2026-11-30T04:31:00.123Z INFO trunkline.x [request_id=… tenant=3 user=…] message``,
    a traceback (when there is one) on the lines after."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{name}={value}" for name, value in _fields(record).items())
        context = f" [{fields}]" if fields else ""
        line = (
            f"{_timestamp(record)} {record.levelname} {record.name}{context} {record.getMessage()}"
        )
        exception = _exception(self, record)
        if exception:
            line = f"{line}\n{exception}"
        if record.stack_info:
            line = f"{line}\n{record.stack_info}"
        return line
