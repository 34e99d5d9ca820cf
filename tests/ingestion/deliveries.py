"""Deliveries as the webhooks would make them, and how the ingestion tests submit and read them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from trunkline.activity import Ingested
from trunkline.ingestion.calls import CallIngestion, CallUpdate
from trunkline.ingestion.inbound_messages import InboundMessage, InboundMessageIngestion
from trunkline.ingestion.kind import Ingestion
from trunkline.ingestion.message_status import MessageStatusIngestion, MessageStatusUpdate
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import ActivityEvent, Direction, PhoneNumber

SENDER = "+14155550123"


def inbound(number: PhoneNumber, sid: str, *, key: str, sender: str = SENDER) -> Ingestion:
    return InboundMessageIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=key,
        number=number,
        message=InboundMessage(
            sid=sid, from_address=sender, to_address=number.phone_number, body=f"hi {sid}"
        ),
    )


def status(number: PhoneNumber, sid: str, value: str, *, key: str) -> Ingestion:
    return MessageStatusIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=key,
        number=number,
        update=MessageStatusUpdate(
            sid=sid, status=value, from_address=number.phone_number, to_address=SENDER
        ),
    )


async def ingest_together(
    writer: IngestionWriter, ingestions: Sequence[Ingestion]
) -> list[Ingested | BaseException]:
    tasks = [asyncio.create_task(writer.ingest(ingestion)) for ingestion in ingestions]
    return await asyncio.gather(*tasks, return_exceptions=True)


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


async def seqs_and_kinds(number: PhoneNumber) -> list[tuple[int, str, int]]:
    rows = await ActivityEvent.filter(tenant_id=number.tenant_id).order_by("seq")  # type: ignore[attr-defined]
    return [(row.seq, row.kind, row.entity_id) for row in rows]


def call_event(
    number: PhoneNumber, sid: str, value: str, *, sequence: int | None, inbound: bool = False
) -> Ingestion:
    return CallIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=f"{sid}:{value}:{sequence}:{inbound}",
        number=number,
        update=CallUpdate(
            sid=sid,
            status=value,
            from_address=SENDER,
            to_address=number.phone_number,
            direction=Direction.INBOUND,
            sequence=sequence,
            duration=42 if value == "completed" else None,
        ),
        inbound=inbound,
    )
