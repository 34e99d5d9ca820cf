"""Sent messages recorded by the engine: inserted, or merged into the row a status callback that
beat the send's answer created; announced as MESSAGE_SENT once either way."""

from __future__ import annotations

from tests.ingestion.deliveries import SENDER, ingest_together, new_sid, seqs_and_kinds, status
from trunkline.activity import Ingested
from trunkline.ingestion.outbound_messages import OutboundMessageIngestion
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import Channel, Message, PhoneNumber
from trunkline.services.sending import SentMessage


def sent(
    number: PhoneNumber, sid: str, *, channel: Channel = Channel.MMS
) -> OutboundMessageIngestion:
    return OutboundMessageIngestion.of(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        message=SentMessage(
            sid=sid,
            channel=channel,
            from_address=number.phone_number,
            to_address=SENDER,
            body="Your order shipped",
            status="queued",
            number_id=number.id,
            user_id="auth0|agent",
            media_urls=("https://example.com/label.png",),
            num_segments=1,
        ),
    )


async def test_a_sent_message_is_inserted_and_announced_as_sent(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    sid = new_sid()

    [outcome] = await ingest_together(writer, [sent(number, sid)])
    await writer.stop()

    row = await Message.get(sid=sid)
    assert isinstance(outcome, Ingested)
    assert [n.kind for n in outcome.notices] == ["MESSAGE_SENT"]
    assert (row.status, row.body, row.user_id, row.channel) == (
        "queued",
        "Your order shipped",
        "auth0|agent",
        Channel.MMS,
    )
    assert row.media == [{"url": "https://example.com/label.png", "content_type": None}]


async def test_a_send_recorded_after_its_callbacks_fills_their_row_without_moving_it_back(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sid = new_sid()
    # The callbacks arrive first: the row is made from what they know (no body, no sender).
    await ingest_together(writer, [status(number, sid, "sent", key=f"{sid}:sent")])

    [outcome] = await ingest_together(writer, [sent(number, sid)])
    [again] = await ingest_together(writer, [sent(number, sid)])  # recorded twice: once
    await writer.stop()

    row = await Message.get(sid=sid)
    assert (row.status, row.body, row.user_id, row.channel, row.number_id) == (
        "sent",
        "Your order shipped",
        "auth0|agent",
        Channel.MMS,
        number.id,
    )
    assert [(h["status"], h["applied"]) for h in row.status_history] == [
        ("sent", True),
        ("queued", False),
    ]
    assert isinstance(outcome, Ingested)
    assert isinstance(again, Ingested)
    assert [(n.kind, n.snapshot.status, n.snapshot.body) for n in outcome.notices] == [
        ("MESSAGE_SENT", "sent", "Your order shipped")
    ]
    assert again.duplicate
    assert not again.notices
    assert [kind for _, kind, _ in await seqs_and_kinds(number)] == [
        "MESSAGE_STATUS",
        "MESSAGE_SENT",
    ]
    assert await Message.filter(sid=sid).count() == 1


async def test_a_send_and_its_callback_in_one_batch_make_one_row(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    sid = new_sid()

    outcomes = await ingest_together(
        writer, [status(number, sid, "sending", key=f"{sid}:sending"), sent(number, sid)]
    )
    await writer.stop()

    row = await Message.get(sid=sid)
    assert all(isinstance(o, Ingested) for o in outcomes)
    assert (row.status, row.body) == ("sending", "Your order shipped")
    assert await Message.filter(sid=sid).count() == 1
