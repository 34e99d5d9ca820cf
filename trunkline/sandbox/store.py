"""The simulator's state: every record in memory, optionally persisted as one JSON file.

Persistence exists so that restarting ``make run`` keeps sandbox accounts, numbers and history.
Everything runs on one event loop and no mutation awaits, so no locking is needed.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from trunkline.sandbox.records import (
    Account,
    Application,
    Call,
    ConversationService,
    Key,
    Media,
    Message,
    PhoneNumber,
    Recording,
)

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
_DATETIME_KEY = "$datetime"


class SandboxStore:
    """All sandbox records keyed by SID, in creation order.

    Args:
        path: the JSON file to load from and save to; ``None`` keeps state in memory only.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.accounts: dict[str, Account] = {}
        self.numbers: dict[str, PhoneNumber] = {}
        self.messages: dict[str, Message] = {}
        self.media: dict[str, Media] = {}
        self.calls: dict[str, Call] = {}
        self.recordings: dict[str, Recording] = {}
        self.conversation_services: dict[str, ConversationService] = {}
        self.keys: dict[str, Key] = {}
        self.applications: dict[str, Application] = {}
        if path is not None and path.exists():
            self._load(path)

    def number_owned_by(self, account_sid: str, phone_number: str) -> PhoneNumber | None:
        """The account's incoming number with this E.164 value, if it owns it."""
        return next(
            (
                n
                for n in self.numbers.values()
                if n.account_sid == account_sid and n.phone_number == phone_number
            ),
            None,
        )

    def application_owned_by(self, account_sid: str, application_sid: str) -> Application | None:
        """The account's TwiML App with this SID (a browser call is placed through it)."""
        application = self.applications.get(application_sid)
        return application if application and application.account_sid == account_sid else None

    def key_owned_by(self, account_sid: str, key_sid: str) -> Key | None:
        """The account's API key with this SID (the issuer of an access token it signed)."""
        key = self.keys.get(key_sid)
        return key if key and key.account_sid == account_sid else None

    def number_by_value(self, phone_number: str) -> PhoneNumber | None:
        """Whichever account's incoming number has this E.164 value."""
        return next((n for n in self.numbers.values() if n.phone_number == phone_number), None)

    def taken_numbers(self) -> set[str]:
        """E.164 values no longer available to buy, because some account owns them."""
        return {number.phone_number for number in self.numbers.values()}

    def save(self) -> None:
        """Write the state atomically (temp file + rename) when a path was given."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"version": FORMAT_VERSION} | {
            name: [asdict(record) for record in table.values()]
            for name, table in self._tables().items()
        }
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".sandbox-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, default=_encode, indent=1)
        os.replace(temp, self.path)

    def _tables(self) -> dict[str, dict[str, Any]]:
        return {
            "accounts": self.accounts,
            "numbers": self.numbers,
            "messages": self.messages,
            "media": self.media,
            "calls": self.calls,
            "recordings": self.recordings,
            "conversation_services": self.conversation_services,
            "keys": self.keys,
            "applications": self.applications,
        }

    def _load(self, path: Path) -> None:
        document = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
        if document.get("version") != FORMAT_VERSION:
            logger.warning("ignoring sandbox state %s: unknown format version", path)
            return
        record_types: dict[str, type[Any]] = {
            "accounts": Account,
            "numbers": PhoneNumber,
            "messages": Message,
            "media": Media,
            "calls": Call,
            "recordings": Recording,
            "conversation_services": ConversationService,
            "keys": Key,
            "applications": Application,
        }
        for name, table in self._tables().items():
            record_type = record_types[name]
            known = {f.name for f in fields(record_type)}
            for row in document.get(name, []):
                # Fields added in later versions of this module take their defaults.
                record = record_type(**{k: v for k, v in row.items() if k in known})
                table[record.sid] = record


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATETIME_KEY: value.isoformat()}
    raise TypeError(f"cannot persist {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if obj.keys() == {_DATETIME_KEY}:
        return datetime.fromisoformat(obj[_DATETIME_KEY])
    return obj
