"""An activity as it travels: the notice the bus carries and the log keeps, and its channel.

The wire format (``ActivityNotice.to_wire``) is what instances of every version exchange on the
bus: a change to it must stay readable by the version before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trunkline.activity.snapshots import Snapshot, snapshot_from_wire
from trunkline.events.shared import SharedMessage
from trunkline.models import ActivityEvent


class ActivityKind(StrEnum):
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    # A message this gateway sent (sendMessage, sendTestSms): an open inbox shows its own
    # outgoing messages live, before their statuses follow as MESSAGE_STATUS.
    MESSAGE_SENT = "MESSAGE_SENT"
    MESSAGE_STATUS = "MESSAGE_STATUS"
    CALL_RECEIVED = "CALL_RECEIVED"
    CALL_STATUS = "CALL_STATUS"
    RECORDING_READY = "RECORDING_READY"
    RECORDING_STATUS = "RECORDING_STATUS"
    CONVERSATION_EVENT = "CONVERSATION_EVENT"
    EMAIL_EVENT = "EMAIL_EVENT"


class ActivityChannel(StrEnum):
    """What an activity travelled over; ``activity(channels: ...)`` filters on it."""

    SMS = "sms"
    MMS = "mms"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    VOICE = "voice"
    CONVERSATIONS = "conversations"


def activity_channel_name(prefix: str, tenant_id: int) -> str:
    """The bus channel of a tenant's activity."""
    return f"{prefix}:tenant:{tenant_id}"


@dataclass(frozen=True)
class ActivityNotice:
    """What the bus carries: the activity row with the entity's snapshot (no reload needed)."""

    tenant_id: int
    seq: int
    kind: str
    entity_type: str
    entity_id: int
    number_id: int | None
    snapshot: Snapshot

    @property
    def channel(self) -> str | None:
        """What the activity travelled over (an :class:`ActivityChannel` value)."""
        return self.snapshot.activity_channel

    def to_wire(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "seq": self.seq,
            "kind": self.kind,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "number_id": self.number_id,
            "payload": self.snapshot.to_wire(),
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> ActivityNotice:
        """Raises ``KeyError``/``ValueError``/``TypeError`` when ``data`` is not a notice."""
        entity_type = str(data["entity_type"])
        return cls(
            tenant_id=int(data["tenant_id"]),
            seq=int(data["seq"]),
            kind=str(data["kind"]),
            entity_type=entity_type,
            entity_id=int(data["entity_id"]),
            number_id=int(data["number_id"]) if data.get("number_id") is not None else None,
            snapshot=snapshot_from_wire(entity_type, data.get("payload") or {}),
        )

    @classmethod
    def from_row(cls, row: ActivityEvent) -> ActivityNotice:
        return cls(
            tenant_id=row.tenant_id,  # type: ignore[attr-defined]
            seq=row.seq,
            kind=row.kind,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            number_id=row.number_id,
            snapshot=snapshot_from_wire(row.entity_type, row.payload or {}),
        )


@dataclass(frozen=True)
class ActivityDraft:
    """An activity row before its seq: the batch allocates seqs for all its drafts at once."""

    tenant_id: int
    kind: ActivityKind
    entity_id: int
    number_id: int | None
    snapshot: Snapshot

    @property
    def entity_type(self) -> str:
        return self.snapshot.entity_type

    def notice(self, seq: int) -> ActivityNotice:
        """The row as appended at ``seq``."""
        return ActivityNotice(
            tenant_id=self.tenant_id,
            seq=seq,
            kind=self.kind.value,
            entity_type=self.entity_type,
            entity_id=self.entity_id,
            number_id=self.number_id,
            snapshot=self.snapshot,
        )


@dataclass(frozen=True)
class Ingested:
    """The outcome of one webhook's transaction: nothing new for a duplicate."""

    duplicate: bool
    notices: list[ActivityNotice] = field(default_factory=list)


# One object, so a message's parse is recognised as this one (a bound method is new on each access).
_read_notice = ActivityNotice.from_wire


def notice_of(message: SharedMessage) -> ActivityNotice:
    """The notice a bus message carries, parsed by its channel's first reader for all of them.

    Raises ``KeyError``/``ValueError``/``TypeError`` when the message is not a notice.
    """
    return message.parsed(_read_notice)


def notice_seq(message: SharedMessage) -> int | None:
    """Where a message falls in its activity channel's order; None for one that is no notice.

    The bus orders an activity channel by it (see ``trunkline.events.ordering``).
    """
    try:
        return notice_of(message).seq
    except (KeyError, ValueError, TypeError):
        return None


def shared_notice(notice: ActivityNotice) -> SharedMessage:
    """A notice read from the log (a backfill), wrapped as the bus wraps what it carries."""
    return SharedMessage.already_parsed(notice.to_wire(), _read_notice, notice)
