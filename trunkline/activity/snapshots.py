"""What an activity carries of its entity: a typed snapshot, built once from the row.

A notice holds its entity as it was when the activity happened, so a subscriber needs no reload.
Each snapshot has one constructor from the row (:meth:`of`) and one from the wire dict the bus and
the log carry (:meth:`from_wire`); :meth:`to_wire` writes that dict exactly as earlier versions
did (same keys, same order; a key added later goes at the end, and reading tolerates its
absence), so instances of two versions can share a bus during a rolling deploy, and the log's
older rows read back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

from trunkline.models import Call, Channel, Direction, Recording

VOICE = "voice"  # the activity channel of calls and recordings
DEFAULT_MEDIA_TYPE = "application/octet-stream"  # a file whose type Twilio did not say


class MessageRow(Protocol):
    """What a snapshot reads of a message: a stored ``Message``, or a row about to be inserted."""

    @property
    def id(self) -> int | None: ...
    @property
    def sid(self) -> str | None: ...
    @property
    def channel(self) -> Channel: ...
    @property
    def direction(self) -> Direction: ...
    @property
    def from_address(self) -> str: ...
    @property
    def to_address(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def media(self) -> list[dict[str, Any]]: ...
    @property
    def status(self) -> str: ...
    @property
    def error_code(self) -> int | None: ...
    @property
    def number_id(self) -> int | None: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def num_segments(self) -> int | None: ...
    @property
    def price(self) -> Decimal | None: ...
    @property
    def price_unit(self) -> str | None: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def status_history(self) -> list[dict[str, Any]]: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def updated_at(self) -> datetime | None: ...
    @property
    def received_while_inactive(self) -> bool: ...
    @property
    def content_sid(self) -> str | None: ...


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _optional_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None  # not a price we can show: shown as none rather than failing the event


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status callback of a message or a call: its status, when it came, whether it was
    applied (a late or unknown status is recorded, not applied)."""

    status: str
    at: datetime | None
    applied: bool

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> StatusChange:
        return cls(
            status=str(data.get("status") or ""),
            at=_instant(data.get("at")),
            applied=bool(data.get("applied", True)),
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "at": self.at.isoformat() if self.at else None,
            "applied": self.applied,
        }


def _history(entries: Any) -> tuple[StatusChange, ...]:
    """A stored or carried status history; what is not a list of entries reads as none."""
    if not isinstance(entries, list):
        return ()
    return tuple(StatusChange.from_wire(entry) for entry in entries if isinstance(entry, Mapping))


@dataclass(frozen=True, slots=True)
class MessageSnapshot:
    """A message as subscribers see it. ``id`` is None only until its row is inserted.

    The fields after ``created_at`` came later: they have defaults, and an older instance's wire
    dict (without their keys) reads with those defaults.
    """

    entity_type: ClassVar[str] = "message"

    id: int | None
    sid: str | None
    channel: Channel
    direction: Direction
    from_address: str
    to_address: str
    body: str
    media_urls: tuple[str, ...]
    status: str
    error_code: int | None
    number_id: int | None
    created_at: datetime | None
    num_segments: int | None = None
    # As Twilio gives it: negative for what the account paid.
    price: Decimal | None = None
    price_unit: str | None = None
    error_message: str | None = None
    status_history: tuple[StatusChange, ...] = ()
    user_id: str | None = None  # who sent it through the API
    updated_at: datetime | None = None
    received_while_inactive: bool = False
    content_sid: str | None = None
    # Beside ``media_urls``, one per URL (a newer key on the wire: older notices carry none).
    media_content_types: tuple[str, ...] = ()

    @property
    def activity_channel(self) -> str:
        return self.channel.value

    @classmethod
    def of(cls, row: MessageRow) -> MessageSnapshot:
        return cls(
            id=row.id,
            sid=row.sid,
            channel=row.channel,
            direction=row.direction,
            from_address=row.from_address,
            to_address=row.to_address,
            body=row.body,
            media_urls=tuple(url for item in row.media or [] if (url := item.get("url"))),
            status=row.status,
            error_code=row.error_code,
            number_id=row.number_id,
            created_at=row.created_at,
            num_segments=row.num_segments,
            price=row.price,
            price_unit=row.price_unit,
            error_message=row.error_message,
            status_history=_history(row.status_history),
            user_id=row.user_id,
            updated_at=row.updated_at,
            received_while_inactive=bool(row.received_while_inactive),
            content_sid=row.content_sid,
            media_content_types=tuple(
                str(item.get("content_type") or DEFAULT_MEDIA_TYPE)
                for item in row.media or []
                if item.get("url")
            ),
        )

    def to_wire(self) -> dict[str, Any]:
        wire = {
            "id": self.id,
            "sid": self.sid,
            "channel": self.channel.value,
            "direction": self.direction.value,
            "from": self.from_address,
            "to": self.to_address,
            "body": self.body,
            "media_urls": list(self.media_urls),
            "status": self.status,
            "error_code": self.error_code,
            "number_id": self.number_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            # Added later: after the original keys, which keep their order.
            "num_segments": self.num_segments,
            "price": str(self.price) if self.price is not None else None,
            "price_unit": self.price_unit,
            "error_message": self.error_message,
            "status_history": [change.to_wire() for change in self.status_history],
            "user_id": self.user_id,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "received_while_inactive": self.received_while_inactive,
            "content_sid": self.content_sid,
        }
        if self.media_content_types:
            # Only when known: a notice of an older version is written again as it came.
            wire["media_content_types"] = list(self.media_content_types)
        return wire

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> MessageSnapshot:
        return cls(
            id=int(data["id"]),
            sid=data.get("sid"),
            channel=Channel(data["channel"]),
            direction=Direction(data["direction"]),
            from_address=data.get("from") or "",
            to_address=data.get("to") or "",
            body=data.get("body") or "",
            media_urls=tuple(url for url in data.get("media_urls") or [] if url),
            status=str(data["status"]),
            error_code=_optional_int(data.get("error_code")),
            number_id=_optional_int(data.get("number_id")),
            created_at=_instant(data.get("created_at")),
            num_segments=_optional_int(data.get("num_segments")),
            price=_optional_decimal(data.get("price")),
            price_unit=data.get("price_unit"),
            error_message=data.get("error_message"),
            status_history=_history(data.get("status_history")),
            user_id=data.get("user_id"),
            updated_at=_instant(data.get("updated_at")),
            received_while_inactive=bool(data.get("received_while_inactive", False)),
            content_sid=data.get("content_sid"),
            media_content_types=tuple(str(t) for t in data.get("media_content_types") or []),
        )

    def media_content_type(self, index: int) -> str:
        """The media type of file ``index`` (unknown in notices of older versions)."""
        types = self.media_content_types
        return types[index] if index < len(types) else DEFAULT_MEDIA_TYPE


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """A call as subscribers see it. ``id`` is None only until its row is inserted.

    The fields after ``created_at`` came later (issue 13): they have defaults, and an older
    instance's wire dict (without their keys) reads with those defaults.
    """

    entity_type: ClassVar[str] = "call"
    activity_channel: ClassVar[str] = VOICE

    id: int | None
    sid: str | None
    direction: Direction
    from_address: str
    to_address: str
    status: str
    duration: int | None
    number_id: int | None
    created_at: datetime | None
    # As Twilio gives it: negative for what the account paid.
    price: Decimal | None = None
    price_unit: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    user_id: str | None = None  # who placed it (placeCall, or a browser client dialing out)
    answered_by: str | None = None
    refusal: str | None = None
    updated_at: datetime | None = None
    status_history: tuple[StatusChange, ...] = ()

    @classmethod
    def of(cls, row: Call) -> CallSnapshot:
        return cls(
            id=row.id,
            sid=row.sid,
            direction=row.direction,
            from_address=row.from_address,
            to_address=row.to_address,
            status=row.status,
            duration=row.duration,
            number_id=row.number_id,  # type: ignore[attr-defined]
            created_at=row.created_at,
            price=row.price,
            price_unit=row.price_unit,
            started_at=row.started_at,
            ended_at=row.ended_at,
            user_id=row.user_id,
            answered_by=row.answered_by,
            refusal=row.refusal,
            updated_at=row.updated_at,
            status_history=_history(row.status_history),
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sid": self.sid,
            "channel": VOICE,
            "direction": self.direction.value,
            "from": self.from_address,
            "to": self.to_address,
            "status": self.status,
            "duration": self.duration,
            "number_id": self.number_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            # Added later: after the original keys, which keep their order.
            "price": str(self.price) if self.price is not None else None,
            "price_unit": self.price_unit,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "user_id": self.user_id,
            "answered_by": self.answered_by,
            "refusal": self.refusal,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "status_history": [change.to_wire() for change in self.status_history],
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> CallSnapshot:
        return cls(
            id=int(data["id"]),
            sid=data.get("sid"),
            direction=Direction(data["direction"]),
            from_address=data.get("from") or "",
            to_address=data.get("to") or "",
            status=str(data["status"]),
            duration=_optional_int(data.get("duration")),
            number_id=_optional_int(data.get("number_id")),
            created_at=_instant(data.get("created_at")),
            price=_optional_decimal(data.get("price")),
            price_unit=data.get("price_unit"),
            started_at=_instant(data.get("started_at")),
            ended_at=_instant(data.get("ended_at")),
            user_id=data.get("user_id"),
            answered_by=data.get("answered_by"),
            refusal=data.get("refusal"),
            updated_at=_instant(data.get("updated_at")),
            status_history=_history(data.get("status_history")),
        )


@dataclass(frozen=True, slots=True)
class RecordingSnapshot:
    """A call's recording as subscribers see it.

    The fields after ``status`` came later (issue 13), with defaults, as ``CallSnapshot``'s.
    ``placed_by`` is the recording's call's placer: what the visibility rule needs besides the
    notice's number (an agent sees the recordings of the calls they placed).
    """

    entity_type: ClassVar[str] = "recording"
    activity_channel: ClassVar[str] = VOICE

    id: int
    sid: str
    call_id: int
    duration: int | None
    status: str
    number_id: int | None = None
    channels: int = 1
    # As Twilio gives it: negative for what the account paid.
    price: Decimal | None = None
    price_unit: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    placed_by: str | None = None

    @classmethod
    def of(cls, row: Recording, *, placed_by: str | None = None) -> RecordingSnapshot:
        return cls(
            id=row.id,
            sid=row.sid,
            call_id=row.call_id,  # type: ignore[attr-defined]
            duration=row.duration,
            status=row.status,
            number_id=row.number_id,  # type: ignore[attr-defined]
            channels=row.channels,
            price=row.price,
            price_unit=row.price_unit,
            created_at=row.created_at,
            updated_at=row.updated_at,
            placed_by=placed_by,
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sid": self.sid,
            "channel": VOICE,
            "call_id": self.call_id,
            "duration": self.duration,
            "status": self.status,
            # Added later: after the original keys, which keep their order.
            "number_id": self.number_id,
            "channels": self.channels,
            "price": str(self.price) if self.price is not None else None,
            "price_unit": self.price_unit,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "placed_by": self.placed_by,
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> RecordingSnapshot:
        return cls(
            id=int(data["id"]),
            sid=str(data["sid"]),
            call_id=int(data["call_id"]),
            duration=_optional_int(data.get("duration")),
            status=str(data["status"]),
            number_id=_optional_int(data.get("number_id")),
            channels=_optional_int(data.get("channels")) or 1,
            price=_optional_decimal(data.get("price")),
            price_unit=data.get("price_unit"),
            created_at=_instant(data.get("created_at")),
            updated_at=_instant(data.get("updated_at")),
            placed_by=data.get("placed_by"),
        )


@dataclass(frozen=True, slots=True)
class ConversationEventSnapshot:
    """A Twilio Conversations post-event, its fields as Twilio sent them (no entity of ours)."""

    entity_type: ClassVar[str] = "conversation"
    activity_channel: ClassVar[str] = "conversations"

    fields: Mapping[str, str]

    def to_wire(self) -> dict[str, Any]:
        return {"channel": self.activity_channel, **self.fields}

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ConversationEventSnapshot:
        return cls({key: value for key, value in data.items() if key != "channel"})


@dataclass(frozen=True, slots=True)
class UnknownSnapshot:
    """An entity this version does not know (a newer instance's, during a rolling deploy): carried
    as it came, shown as nothing but its kind and number."""

    entity_type: str
    data: Mapping[str, Any]

    @property
    def activity_channel(self) -> str | None:
        value = self.data.get("channel")
        return value if isinstance(value, str) else None

    def to_wire(self) -> dict[str, Any]:
        return dict(self.data)


Snapshot = (
    MessageSnapshot | CallSnapshot | RecordingSnapshot | ConversationEventSnapshot | UnknownSnapshot
)

_READERS: dict[str, Callable[[Mapping[str, Any]], Snapshot]] = {
    MessageSnapshot.entity_type: MessageSnapshot.from_wire,
    CallSnapshot.entity_type: CallSnapshot.from_wire,
    RecordingSnapshot.entity_type: RecordingSnapshot.from_wire,
    ConversationEventSnapshot.entity_type: ConversationEventSnapshot.from_wire,
}


def snapshot_from_wire(entity_type: str, data: Mapping[str, Any]) -> Snapshot:
    """The snapshot an activity of ``entity_type`` carries as ``data``.

    Raises ``KeyError``/``ValueError``/``TypeError`` when ``data`` is not such a snapshot.
    """
    read = _READERS.get(entity_type)
    return UnknownSnapshot(entity_type, dict(data)) if read is None else read(data)
