"""Placed calls recorded by the engine: inserted, or merged into the row a status callback that
beat Twilio's answer created (its status never moved back); announced as CALL_STATUS once."""

from __future__ import annotations

import uuid

from tests.ingestion.deliveries import SENDER, ingest_together, seqs_and_kinds
from trunkline.activity import CallSnapshot, Ingested
from trunkline.ingestion.calls import CallIngestion, CallUpdate
from trunkline.ingestion.outbound_calls import OutboundCallIngestion
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import Call, Direction, IdempotentRequest, PhoneNumber
from trunkline.services.calling import PlacedCall

CALLER = "auth0|agent"
BRIDGE = "client:auth0_agent_0123456789ab"


def new_call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def placed(number: PhoneNumber, sid: str, *, claim_id: int | None = None) -> OutboundCallIngestion:
    return OutboundCallIngestion.of(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        call=PlacedCall(
            sid=sid,
            from_address=number.phone_number,
            to_address=SENDER,
            status="queued",
            number_id=number.id,
            user_id=CALLER,
            bridge_to=BRIDGE,
        ),
        claim_id=claim_id,
    )


def progress(number: PhoneNumber, sid: str, value: str, sequence: int) -> CallIngestion:
    """A placed call's status callback, as one whose number was not resolved (a recording
    callback's row, or a number since released) would make it: the placed call fills it in."""
    return CallIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=f"{sid}:{value}:{sequence}",
        number=None,
        update=CallUpdate(
            sid=sid,
            status=value,
            from_address=number.phone_number,
            to_address=SENDER,
            direction=Direction.OUTBOUND,
            sequence=sequence,
        ),
    )


async def test_a_placed_call_is_inserted_with_who_placed_it_and_announced(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sid = new_call_sid()

    [outcome] = await ingest_together(writer, [placed(number, sid)])
    await writer.stop()

    row = await Call.get(sid=sid)
    assert isinstance(outcome, Ingested)
    [notice] = outcome.notices
    assert (notice.kind, notice.number_id, notice.entity_id) == ("CALL_STATUS", number.id, row.id)
    assert isinstance(notice.snapshot, CallSnapshot)
    assert notice.snapshot == CallSnapshot.of(row)
    assert (row.direction, row.status, row.from_address, row.to_address) == (
        Direction.OUTBOUND,
        "queued",
        number.phone_number,
        SENDER,
    )
    assert (row.number_id, row.user_id, row.bridge_to) == (number.id, CALLER, BRIDGE)  # type: ignore[attr-defined]


async def test_a_call_recorded_after_its_callbacks_fills_their_row_without_moving_it_back(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sid = new_call_sid()
    # Twilio's callbacks arrive before its answer was recorded: the row knows no caller.
    await ingest_together(writer, [progress(number, sid, "initiated", 0)])
    await ingest_together(writer, [progress(number, sid, "ringing", 1)])

    [outcome] = await ingest_together(writer, [placed(number, sid)])
    [again] = await ingest_together(writer, [placed(number, sid)])  # recorded twice: once
    await writer.stop()

    row = await Call.get(sid=sid)
    assert (row.status, row.number_id, row.user_id, row.bridge_to) == (  # type: ignore[attr-defined]
        "ringing",
        number.id,
        CALLER,
        BRIDGE,
    )
    assert [(h["status"], h["applied"]) for h in row.status_history] == [
        ("initiated", True),
        ("ringing", True),
        ("queued", False),
    ]
    assert isinstance(outcome, Ingested)
    assert isinstance(again, Ingested)
    assert [(n.kind, n.number_id, n.snapshot.status) for n in outcome.notices] == [  # type: ignore[union-attr]
        ("CALL_STATUS", number.id, "ringing")
    ]
    assert again.duplicate
    assert not again.notices
    assert [kind for _, kind, _ in await seqs_and_kinds(number)] == ["CALL_STATUS"] * 3
    assert await Call.filter(sid=sid).count() == 1


async def test_a_call_and_its_callback_in_one_batch_make_one_row(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    sid = new_call_sid()

    outcomes = await ingest_together(
        writer, [progress(number, sid, "initiated", 0), placed(number, sid)]
    )
    await writer.stop()

    row = await Call.get(sid=sid)
    assert all(isinstance(o, Ingested) for o in outcomes)
    assert (row.status, row.user_id) == ("initiated", CALLER)
    assert await Call.filter(sid=sid).count() == 1


async def test_the_idempotency_claim_learns_its_call_in_the_same_transaction(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sid = new_call_sid()
    claim = await IdempotentRequest.create(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        operation="placeCall",
        key=uuid.uuid4().hex,
        fingerprint="f" * 64,
    )

    await ingest_together(writer, [placed(number, sid, claim_id=claim.id)])
    await writer.stop()

    row = await Call.get(sid=sid)
    assert (await IdempotentRequest.get(id=claim.id)).entity_id == row.id
