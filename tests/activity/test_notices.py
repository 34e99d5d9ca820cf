"""The notice's wire format: what the previous version published reads back, and is written again
byte for byte (instances of both versions share the bus during a rolling deploy)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trunkline.activity import (
    ActivityNotice,
    CallSnapshot,
    ConversationEventSnapshot,
    MessageSnapshot,
    RecordingSnapshot,
    UnknownSnapshot,
    notice_of,
    notice_seq,
)
from trunkline.events import SharedMessage
from trunkline.models import Channel, Direction

# As the version before typed snapshots published them (json.dumps, compact separators).
PREVIOUS_WIRE = {
    "message": (
        '{"tenant_id":7,"seq":3,"kind":"MESSAGE_RECEIVED","entity_type":"message","entity_id":41,'
        '"number_id":5,"payload":{"id":41,"sid":"SM1","channel":"mms","direction":"inbound",'
        '"from":"+14155550100","to":"+14155550101","body":"hi","media_urls":["https://m/a.jpg"],'
        '"status":"received","error_code":null,"number_id":5,'
        '"created_at":"2026-11-29T10:00:00.123456+00:00"}}'
    ),
    "call": (
        '{"tenant_id":7,"seq":4,"kind":"CALL_STATUS","entity_type":"call","entity_id":9,'
        '"number_id":null,"payload":{"id":9,"sid":"CA1","channel":"voice","direction":"outbound",'
        '"from":"+14155550101","to":"client:alice","status":"completed","duration":42,'
        '"number_id":null,"created_at":null}}'
    ),
    "recording": (
        '{"tenant_id":7,"seq":5,"kind":"RECORDING_READY","entity_type":"recording",'
        '"entity_id":3,"number_id":5,"payload":{"id":3,"sid":"RE1","channel":"voice",'
        '"call_id":9,"duration":null,"status":"completed"}}'
    ),
    "conversation": (
        '{"tenant_id":7,"seq":6,"kind":"CONVERSATION_EVENT","entity_type":"conversation",'
        '"entity_id":0,"number_id":null,"payload":{"channel":"conversations",'
        '"EventType":"onMessageAdded","Body":"hello"}}'
    ),
    "email": (  # a kind this version has no snapshot for: carried as it came
        '{"tenant_id":7,"seq":7,"kind":"EMAIL_EVENT","entity_type":"email_event",'
        '"entity_id":2,"number_id":null,"payload":{"channel":"email","event":"open"}}'
    ),
}
# What this version adds to a message's payload, after the previous version's keys (which keep
# their order), as it writes a previous version's message again: each at its default.
ADDED_TO_MESSAGES = (
    '"num_segments":null,"price":null,"price_unit":null,"error_message":null,'
    '"status_history":[],"user_id":null,"updated_at":null,"received_while_inactive":false,'
    '"content_sid":null'
)
# What this version adds to a call's and a recording's payload (issue 13), likewise.
ADDED_TO_CALLS = (
    '"price":null,"price_unit":null,"started_at":null,"ended_at":null,"user_id":null,'
    '"answered_by":null,"refusal":null,"updated_at":null,"status_history":[]'
)
ADDED_TO_RECORDINGS = (
    '"number_id":null,"channels":1,"price":null,"price_unit":null,"created_at":null,'
    '"updated_at":null,"placed_by":null'
)
REWRITTEN = {
    **PREVIOUS_WIRE,
    "message": PREVIOUS_WIRE["message"].removesuffix("}}") + "," + ADDED_TO_MESSAGES + "}}",
    "call": PREVIOUS_WIRE["call"].removesuffix("}}") + "," + ADDED_TO_CALLS + "}}",
    "recording": PREVIOUS_WIRE["recording"].removesuffix("}}") + "," + ADDED_TO_RECORDINGS + "}}",
}
# A message as this version writes it, every added field set.
CURRENT_MESSAGE_WIRE = (
    '{"tenant_id":7,"seq":8,"kind":"MESSAGE_STATUS","entity_type":"message","entity_id":42,'
    '"number_id":5,"payload":{"id":42,"sid":"SM2","channel":"whatsapp","direction":"outbound",'
    '"from":"whatsapp:+14155550101","to":"whatsapp:+14155550100","body":"hello",'
    '"media_urls":[],"status":"delivered","error_code":null,"number_id":5,'
    '"created_at":"2026-11-29T10:00:00.123456+00:00","num_segments":2,"price":"-0.0158",'
    '"price_unit":"USD","error_message":null,"status_history":[{"status":"queued",'
    '"at":"2026-11-29T10:00:00.123456+00:00","applied":true},{"status":"delivered",'
    '"at":"2026-11-29T10:00:02+00:00","applied":true}],"user_id":"auth0|amy",'
    '"updated_at":"2026-11-29T10:00:02+00:00","received_while_inactive":false,'
    '"content_sid":"HX0123456789abcdef0123456789abcdef"}}'
)
SNAPSHOT_TYPES = {
    "message": MessageSnapshot,
    "call": CallSnapshot,
    "recording": RecordingSnapshot,
    "conversation": ConversationEventSnapshot,
    "email": UnknownSnapshot,
}


@pytest.mark.parametrize("entity", sorted(PREVIOUS_WIRE))
def test_a_notice_of_the_previous_version_reads_back_typed_and_keeps_its_keys_in_order(
    entity: str,
) -> None:
    wire = PREVIOUS_WIRE[entity]

    notice = ActivityNotice.from_wire(json.loads(wire))

    assert type(notice.snapshot) is SNAPSHOT_TYPES[entity]
    assert json.dumps(notice.to_wire(), separators=(",", ":")) == REWRITTEN[entity]


def test_a_message_of_this_version_round_trips_with_the_previous_keys_first() -> None:
    notice = ActivityNotice.from_wire(json.loads(CURRENT_MESSAGE_WIRE))
    payload = json.loads(CURRENT_MESSAGE_WIRE)["payload"]
    previous = json.loads(PREVIOUS_WIRE["message"])["payload"]

    assert json.dumps(notice.to_wire(), separators=(",", ":")) == CURRENT_MESSAGE_WIRE
    # What the previous version reads (its keys, looked up by name) comes first, in its order.
    assert list(payload)[: len(previous)] == list(previous)
    snapshot = notice.snapshot
    assert isinstance(snapshot, MessageSnapshot)
    assert (snapshot.num_segments, snapshot.price, snapshot.price_unit) == (
        2,
        Decimal("-0.0158"),
        "USD",
    )
    assert [(c.status, c.applied) for c in snapshot.status_history] == [
        ("queued", True),
        ("delivered", True),
    ]
    assert (snapshot.user_id, snapshot.content_sid, snapshot.received_while_inactive) == (
        "auth0|amy",
        "HX0123456789abcdef0123456789abcdef",
        False,
    )
    assert snapshot.updated_at == datetime(2026, 11, 29, 10, 0, 2, tzinfo=UTC)


def test_a_message_snapshot_reads_typed_attributes() -> None:
    notice = ActivityNotice.from_wire(json.loads(PREVIOUS_WIRE["message"]))

    assert notice.snapshot == MessageSnapshot(
        id=41,
        sid="SM1",
        channel=Channel.MMS,
        direction=Direction.INBOUND,
        from_address="+14155550100",
        to_address="+14155550101",
        body="hi",
        media_urls=("https://m/a.jpg",),
        status="received",
        error_code=None,
        number_id=5,
        created_at=datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC),
    )
    assert notice.channel == "mms"


def test_a_message_snapshot_carries_its_media_types_beside_the_urls_under_a_new_key() -> None:
    payload = json.loads(PREVIOUS_WIRE["message"])["payload"]
    snapshot = MessageSnapshot.from_wire(payload | {"media_content_types": ["image/jpeg"]})

    wire = snapshot.to_wire()

    assert snapshot.media_content_types == ("image/jpeg",)
    assert snapshot.media_content_type(0) == "image/jpeg"
    # The keys an older version reads are unchanged, in their order; the new ones come after.
    assert list(wire)[: len(payload)] == list(payload)
    assert list(wire)[-1] == "media_content_types"
    assert {key: wire[key] for key in payload} == payload
    assert MessageSnapshot.from_wire(payload).media_content_type(0) == "application/octet-stream"


def test_a_bus_message_is_parsed_once_for_every_reader_and_one_that_is_no_notice_has_no_seq() -> (
    None
):
    shared = SharedMessage(json.loads(PREVIOUS_WIRE["call"]))
    other = SharedMessage({"tenant_id": 7, "phone_numbers": []})

    assert notice_of(shared) is notice_of(shared)
    assert (notice_seq(shared), notice_seq(other)) == (4, None)
