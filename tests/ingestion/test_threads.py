"""Threads are kept by the ingestion transaction that stores each message, on both paths.

A batch of inbound messages alone is PostgreSQL's single statement; a mixed batch (or SQLite)
is the transaction block. Both must leave the same threads.
"""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections

from tests.ingestion.deliveries import SENDER, ingest_together, new_sid, status
from tests.support.statements import StatementCounter
from trunkline.ingestion.inbound_messages import InboundMessage, InboundMessageIngestion, MediaItem
from trunkline.ingestion.kind import Ingestion
from trunkline.ingestion.message_status import MessageStatusIngestion, MessageStatusUpdate
from trunkline.ingestion.outbound_messages import OutboundMessageIngestion
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import Channel, Message, PhoneNumber, Thread
from trunkline.services.sending import SentMessage

OTHER = "+14155550199"


def text(
    number: PhoneNumber, *, sender: str = SENDER, whatsapp: bool = False, media: bool = False
) -> Ingestion:
    sid = new_sid()
    prefix = "whatsapp:" if whatsapp else ""
    return InboundMessageIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=sid,
        number=number,
        message=InboundMessage(
            sid=sid,
            from_address=prefix + sender,
            to_address=prefix + number.phone_number,
            body="hi",
            media=[MediaItem("https://media.example/a.jpg", "image/jpeg")] if media else [],
        ),
    )


async def threads_of(number: PhoneNumber) -> dict[tuple[str, str], Thread]:
    rows = await Thread.filter(number_id=number.id)
    return {(row.counterpart, row.channel.value): row for row in rows}


async def latest_message_id(number: PhoneNumber, counterpart: str) -> int:
    """The message a newest-first list of the conversation starts with (time, then id: a batch
    that took its time before another may insert after it)."""
    row = (
        await Message.filter(number_id=number.id, counterpart=counterpart)
        .order_by("-created_at", "-id")
        .first()
    )
    assert row is not None
    return row.id


async def test_inbound_messages_alone_make_one_thread_per_contact_with_counts_and_last_message(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()

    await ingest_together(writer, [text(number), text(number, sender=OTHER), text(number)])
    await writer.stop()

    threads = await threads_of(number)
    assert sorted(threads) == [(SENDER, "sms"), (OTHER, "sms")]
    mine = threads[SENDER, "sms"]
    assert (mine.message_count, mine.unread_count) == (2, 2)
    assert mine.last_message_id == await latest_message_id(number, SENDER)
    assert mine.tenant_id == number.tenant_id  # type: ignore[attr-defined]
    assert (threads[OTHER, "sms"].message_count, threads[OTHER, "sms"].unread_count) == (1, 1)


async def test_a_later_batch_adds_to_the_thread_and_moves_its_last_message(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    await ingest_together(writer, [text(number)])
    first = (await threads_of(number))[SENDER, "sms"]

    await ingest_together(writer, [text(number), text(number)])
    await writer.stop()

    later = (await threads_of(number))[SENDER, "sms"]
    assert later.id == first.id
    assert (later.message_count, later.unread_count) == (3, 3)
    assert later.last_message_id == await latest_message_id(number, SENDER)
    assert later.last_message_at >= first.last_message_at


async def test_outbound_messages_count_in_the_thread_but_are_never_unread(
    number: PhoneNumber,
) -> None:
    """A mixed batch (the transaction block): an inbound message, and a status callback about a
    message sent outside Trunkline, which creates its row and so joins the same thread."""
    writer = IngestionWriter()
    outbound = new_sid()

    await ingest_together(
        writer, [text(number), status(number, outbound, "sent", key=f"{outbound}:sent")]
    )
    await ingest_together(writer, [status(number, outbound, "delivered", key=f"{outbound}:dlr")])
    await writer.stop()

    thread = (await threads_of(number))[SENDER, "sms"]
    assert (thread.message_count, thread.unread_count) == (2, 1)
    assert thread.last_message_id == (await Message.get(sid=outbound)).id


async def test_redeliveries_and_a_stored_message_under_another_token_count_once(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    first = text(number)
    assert isinstance(first, InboundMessageIngestion)
    again = InboundMessageIngestion(
        tenant_id=first.tenant_id,
        idempotency_key="another-token",
        number=number,
        message=first.message,
    )

    await ingest_together(writer, [first, first])
    await ingest_together(writer, [again, first])
    await writer.stop()

    thread = (await threads_of(number))[SENDER, "sms"]
    assert (thread.message_count, thread.unread_count) == (1, 1)


async def test_sms_and_whatsapp_from_one_contact_are_two_threads_and_mms_joins_the_sms_one(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()

    await ingest_together(
        writer, [text(number), text(number, media=True), text(number, whatsapp=True)]
    )
    await writer.stop()

    threads = await threads_of(number)
    assert sorted(threads) == [(SENDER, "sms"), (f"whatsapp:{SENDER}", "whatsapp")]
    assert threads[SENDER, "sms"].message_count == 2
    assert threads[f"whatsapp:{SENDER}", "whatsapp"].message_count == 1


async def test_a_message_without_a_number_belongs_to_no_thread(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    sid = new_sid()
    numberless = MessageStatusIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=sid,
        number=None,
        update=MessageStatusUpdate(
            sid=sid, status="sent", from_address=number.phone_number, to_address=SENDER
        ),
    )

    (outcome,) = await ingest_together(writer, [numberless])
    await writer.stop()

    assert not isinstance(outcome, BaseException)
    assert await Message.filter(sid=sid).exists()
    assert not await Thread.filter(tenant_id=number.tenant_id).exists()  # type: ignore[attr-defined]


async def test_many_messages_to_one_thread_from_parallel_writers_are_all_counted(
    number: PhoneNumber,
) -> None:
    """Four writers (four processes' worth of batches) at once, each batch new to the thread
    or adding to it concurrently: increments, never a lost update."""
    writers = [IngestionWriter() for _ in range(4)]
    rounds, per_batch = 5, 10

    async def feed(writer: IngestionWriter) -> None:
        for _ in range(rounds):
            outcomes = await ingest_together(writer, [text(number) for _ in range(per_batch)])
            assert not [o for o in outcomes if isinstance(o, BaseException)]

    await asyncio.gather(*(feed(writer) for writer in writers))
    for writer in writers:
        await writer.stop()

    total = len(writers) * rounds * per_batch
    thread = (await threads_of(number))[SENDER, "sms"]
    assert await Message.filter(number_id=number.id).count() == total
    assert (thread.message_count, thread.unread_count) == (total, total)
    assert thread.last_message_id == await latest_message_id(number, SENDER)


async def test_threads_ride_on_the_statements_that_insert_messages_on_postgresql(
    number: PhoneNumber, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mixed batch (the transaction block): no round trip of its own for the threads on
    PostgreSQL; on SQLite (in process: no round trips) one upsert per run of messages."""
    writer = IngestionWriter()
    outbound = new_sid()
    batch = [
        text(number),
        text(number, sender=OTHER),
        status(number, outbound, "sent", key=f"{outbound}:sent"),
    ]

    with StatementCounter().counting(monkeypatch) as statements:
        await ingest_together(writer, batch)
    await writer.stop()

    upserts = [statement for statement in statements if "INSERT INTO thread" in statement]
    if connections.get("default").capabilities.dialect == "postgres":
        assert len(upserts) == 2
        assert all("INSERT INTO message" in statement for statement in upserts)
    else:
        assert len(upserts) == 2  # the inbound run's, the status run's
        assert not any("INSERT INTO message" in statement for statement in upserts)
    threads = await threads_of(number)
    assert {key: (t.message_count, t.unread_count) for key, t in threads.items()} == {
        (SENDER, "sms"): (2, 1),
        (OTHER, "sms"): (1, 1),
    }


def sent(number: PhoneNumber, sid: str) -> Ingestion:
    """A message this gateway sent (an MMS: kept in the SMS thread), as ``sendMessage`` records."""
    return OutboundMessageIngestion.of(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        message=SentMessage(
            sid=sid,
            channel=Channel.MMS,
            from_address=number.phone_number,
            to_address=SENDER,
            body="Your order shipped",
            status="queued",
            number_id=number.id,
            user_id="auth0|agent",
            media_urls=("https://example.com/label.png",),
        ),
    )


async def test_a_sent_message_counts_in_its_thread_and_is_never_unread(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    outbound = new_sid()
    await ingest_together(writer, [text(number)])

    await ingest_together(writer, [sent(number, outbound)])
    await writer.stop()

    thread = (await threads_of(number))[SENDER, "sms"]
    assert (thread.message_count, thread.unread_count) == (2, 1)
    assert thread.last_message_id == (await Message.get(sid=outbound)).id


async def test_a_send_whose_callback_came_first_is_counted_once(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    outbound = new_sid()

    await ingest_together(writer, [status(number, outbound, "sent", key=f"{outbound}:sent")])
    await ingest_together(writer, [sent(number, outbound)])
    await writer.stop()

    thread = (await threads_of(number))[SENDER, "sms"]
    assert (thread.message_count, thread.unread_count) == (1, 0)


async def test_a_send_puts_a_message_its_numberless_callback_created_in_its_thread(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    outbound = new_sid()
    numberless = MessageStatusIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=outbound,
        number=None,
        update=MessageStatusUpdate(
            sid=outbound, status="sent", from_address=number.phone_number, to_address=SENDER
        ),
    )

    await ingest_together(writer, [numberless])
    assert await threads_of(number) == {}
    await ingest_together(writer, [sent(number, outbound)])
    await writer.stop()

    thread = (await threads_of(number))[SENDER, "sms"]
    assert (thread.message_count, thread.unread_count) == (1, 0)
    assert thread.last_message_id == (await Message.get(sid=outbound)).id
