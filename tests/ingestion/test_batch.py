"""Batches: deliveries written together keep each delivery's own rules.

Ingestions are submitted to a writer of the test's own, against the suite's database; every task
is queued before the writer first runs, so the deliveries of a test land in one batch.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

from tortoise import connections

from tests.ingestion.deliveries import (
    SENDER,
    call_event,
    inbound,
    ingest_together,
    new_sid,
    seqs_and_kinds,
    status,
)
from trunkline.activity import CallSnapshot, Ingested, MessageSnapshot
from trunkline.ingestion.inbound_messages import InboundMessage, InboundMessageIngestion, MediaItem
from trunkline.ingestion.message_status import MessageStatusIngestion, MessageStatusUpdate
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import ActivityEvent, Call, Message, PhoneNumber, Tenant, WebhookReceipt


async def test_duplicates_inside_one_batch_are_answered_and_store_nothing_new(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sids = [new_sid() for _ in range(5)]
    batch = [
        inbound(number, sids[0], key="k0"),
        inbound(number, sids[1], key="k1"),
        inbound(number, sids[0], key="k0"),  # a redelivery
        inbound(number, sids[2], key="k2"),
        inbound(number, sids[2], key="k2-other-token"),  # the same message, another token
        inbound(number, sids[3], key="k3"),
        inbound(number, sids[4], key="k4"),
        inbound(number, sids[1], key="k1"),  # a redelivery
    ]

    outcomes = await ingest_together(writer, batch)
    await writer.stop()

    assert [isinstance(o, Ingested) and o.duplicate for o in outcomes] == [
        False,
        False,
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    announced = [[n.seq for n in o.notices] for o in outcomes if isinstance(o, Ingested)]
    assert announced == [[1], [2], [], [3], [], [4], [5], []]
    messages = {m.sid: m for m in await Message.filter(sid__in=sids)}
    assert sorted(messages) == sorted(sids)
    assert await seqs_and_kinds(number) == [
        (seq, "MESSAGE_RECEIVED", messages[sid].id) for seq, sid in enumerate(sids, start=1)
    ]
    assert await WebhookReceipt.filter(tenant_id=number.tenant_id).count() == 6  # type: ignore[attr-defined]


async def test_a_redelivery_of_an_earlier_batch_is_a_duplicate(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    sid = new_sid()
    (first,) = await ingest_together(writer, [inbound(number, sid, key="once")])

    (again,) = await ingest_together(writer, [inbound(number, sid, key="once")])
    await writer.stop()

    assert isinstance(first, Ingested)
    assert isinstance(again, Ingested)
    assert (first.duplicate, again.duplicate, again.notices) == (False, True, [])
    assert await Message.filter(sid=sid).count() == 1


async def test_a_stored_message_under_another_token_later_is_answered_and_announces_nothing(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sid = new_sid()
    (first,) = await ingest_together(writer, [inbound(number, sid, key="first-token")])

    (again,) = await ingest_together(writer, [inbound(number, sid, key="second-token")])
    await writer.stop()

    assert isinstance(first, Ingested)
    assert isinstance(again, Ingested)
    assert (again.duplicate, again.notices) == (False, [])
    assert await Message.filter(sid=sid).count() == 1
    assert [seq for seq, _, _ in await seqs_and_kinds(number)] == [1]
    assert await WebhookReceipt.filter(tenant_id=number.tenant_id).count() == 2  # type: ignore[attr-defined]


async def test_inbound_messages_alone_are_one_statement_on_postgresql(number: PhoneNumber) -> None:
    """Where the dialect allows it the batch skips the transaction block; elsewhere it says so."""
    connection = connections.get("default")
    sids = [new_sid() for _ in range(3)]
    batch = [inbound(number, sid, key=sid) for sid in sids]

    outcomes = await InboundMessageIngestion.store_alone(batch, connection, skip_held=False)  # type: ignore[arg-type]

    if connection.capabilities.dialect != "postgres":
        assert outcomes is None
        assert not await Message.filter(sid__in=sids).exists()
        return
    assert outcomes is not None
    assert [[n.seq for n in o.notices] for o in outcomes] == [[1], [2], [3]]
    assert await Message.filter(sid__in=sids).count() == 3


async def test_single_statement_and_transaction_batches_of_one_tenant_interleave_gaplessly(
    number: PhoneNumber,
) -> None:
    """Two writers (two processes' worth) on one tenant: one writes inbound messages as single
    statements, the other status callbacks in transaction blocks. Both lock the tenant first,
    so neither deadlocks and the log's seqs commit in order, with no gap and no repeat."""
    inbound_writer, status_writer = IngestionWriter(), IngestionWriter()
    rounds = 20
    outbound = [new_sid() for _ in range(rounds)]

    async def inbound_rounds() -> None:
        for index in range(rounds):
            await ingest_together(
                inbound_writer,
                [inbound(number, new_sid(), key=f"in-{index}-{n}") for n in range(5)],
            )

    async def status_rounds() -> None:
        for index, sid in enumerate(outbound):
            await ingest_together(
                status_writer,
                [
                    status(number, sid, "sent", key=f"st-{index}-sent"),
                    status(number, sid, "delivered", key=f"st-{index}-delivered"),
                ],
            )

    await asyncio.wait_for(asyncio.gather(inbound_rounds(), status_rounds()), 60)
    await inbound_writer.stop()
    await status_writer.stop()

    logged = await seqs_and_kinds(number)
    assert [seq for seq, _, _ in logged] == list(range(1, rounds * 5 + rounds * 2 + 1))
    kinds = [kind for _, kind, _ in logged]
    assert (kinds.count("MESSAGE_RECEIVED"), kinds.count("MESSAGE_STATUS")) == (100, 40)
    assert {m.status for m in await Message.filter(sid__in=outbound)} == {"delivered"}


async def test_statuses_in_one_batch_apply_in_arrival_order_and_never_go_backwards(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sid = new_sid()

    outcomes = await ingest_together(
        writer,
        [
            status(number, sid, value, key=f"token-{index}")
            for index, value in enumerate(("sent", "delivered", "sent", "teleported", "read"))
        ],
    )
    await writer.stop()

    assert all(isinstance(o, Ingested) and not o.duplicate for o in outcomes)
    message = await Message.get(sid=sid)
    assert message.status == "read"
    assert [(e["status"], e["applied"]) for e in message.status_history] == [
        ("sent", True),
        ("delivered", True),
        ("sent", False),
        ("teleported", False),
        ("read", True),
    ]
    assert [kind for _, kind, _ in await seqs_and_kinds(number)] == ["MESSAGE_STATUS"] * 3


async def test_each_status_announces_its_message_as_it_left_it_and_the_last_is_the_stored_one(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    known, unknown = new_sid(), new_sid()
    await ingest_together(writer, [status(number, known, "queued", key="earlier")])
    failed = MessageStatusIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key="failed",
        number=number,
        update=MessageStatusUpdate(
            sid=unknown,
            status="failed",
            from_address=number.phone_number,
            to_address=SENDER,
            error_code=30003,
        ),
    )

    outcomes = await ingest_together(
        writer,
        [
            status(number, known, "sent", key="k-sent"),
            status(number, unknown, "sent", key="u-sent"),  # unknown: it creates the message
            status(number, known, "delivered", key="k-delivered"),
            failed,
            status(number, known, "sent", key="k-late"),  # backwards: history only
        ],
    )
    await writer.stop()

    notices = [o.notices for o in outcomes if isinstance(o, Ingested)]
    assert [[(n.snapshot.sid, n.snapshot.status) for n in each] for each in notices] == [
        [(known, "sent")],
        [(unknown, "sent")],
        [(known, "delivered")],
        [(unknown, "failed")],
        [],
    ]
    stored = {m.sid: m for m in await Message.filter(sid__in=[known, unknown])}
    known_now = MessageSnapshot.of(stored[known])
    # The late `sent` came after `delivered` was announced: since then it is in the history only.
    assert notices[2][0].snapshot == replace(
        known_now, status_history=known_now.status_history[:-1]
    )
    assert notices[3][0].snapshot == MessageSnapshot.of(stored[unknown])
    assert notices[1][0].entity_id == stored[unknown].id
    assert (stored[unknown].error_code, stored[unknown].direction) == (30003, "outbound")
    assert [e["status"] for e in stored[known].status_history] == [
        "queued",
        "sent",
        "delivered",
        "sent",
    ]


async def test_call_callbacks_in_one_batch_follow_their_sequence_and_announce_each_state(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    ringing, unknown = "CA" + uuid.uuid4().hex, "CA" + uuid.uuid4().hex

    outcomes = await ingest_together(
        writer,
        [
            call_event(number, ringing, "ringing", sequence=None, inbound=True),
            call_event(number, ringing, "in-progress", sequence=1),
            call_event(number, unknown, "completed", sequence=3),  # creates its call
            call_event(number, ringing, "completed", sequence=3),
            call_event(number, ringing, "in-progress", sequence=2),  # late: history only
        ],
    )
    await writer.stop()

    notices = [o.notices for o in outcomes if isinstance(o, Ingested)]
    assert [[(n.kind, n.snapshot.sid, n.snapshot.status) for n in each] for each in notices] == [
        [("CALL_RECEIVED", ringing, "ringing")],
        [("CALL_STATUS", ringing, "in-progress")],
        [("CALL_STATUS", unknown, "completed")],
        [("CALL_STATUS", ringing, "completed")],
        [],
    ]
    stored = {call.sid: call for call in await Call.filter(sid__in=[ringing, unknown])}
    # Announced as it was then: the late in-progress came after, into its history only.
    now = CallSnapshot.of(stored[ringing])
    assert notices[3][0].snapshot == replace(now, status_history=now.status_history[:3])
    assert notices[2][0].snapshot == CallSnapshot.of(stored[unknown])
    assert (stored[ringing].last_sequence, stored[ringing].duration) == (3, 42)
    assert [e["status"] for e in stored[ringing].status_history] == [
        "ringing",
        "in-progress",
        "completed",
        "in-progress",
    ]


async def test_the_announced_message_is_the_stored_message(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    sid = new_sid()
    delivery = InboundMessageIngestion(
        tenant_id=number.tenant_id,  # type: ignore[attr-defined]
        idempotency_key=sid,
        number=number,
        message=InboundMessage(
            sid=sid,
            from_address=SENDER,
            to_address=number.phone_number,
            body="with a picture",
            media=[MediaItem(url="https://media.example/a.jpg", content_type="image/jpeg")],
            num_segments=2,
        ),
    )

    (outcome,) = await ingest_together(writer, [delivery])
    await writer.stop()

    assert isinstance(outcome, Ingested)
    stored = await Message.get(sid=sid)
    (notice,) = outcome.notices
    assert notice.snapshot == MessageSnapshot.of(stored)
    # What the log keeps is what the bus carried (the wire format of every version).
    assert (await ActivityEvent.get(tenant_id=number.tenant_id, seq=notice.seq)).payload == (  # type: ignore[attr-defined]
        notice.to_wire()["payload"]
    )
    assert (stored.channel, stored.counterpart, stored.num_segments) == ("mms", SENDER, 2)
    assert stored.status_history[0]["status"] == "received"


async def test_each_tenant_of_a_mixed_batch_gets_its_own_gapless_seqs_in_arrival_order(
    number: PhoneNumber,
) -> None:
    other_tenant = await Tenant.create(org_id=f"org_{uuid.uuid4().hex[:12]}")
    other = await PhoneNumber.create(
        tenant=other_tenant,
        sid="PN" + uuid.uuid4().hex,
        phone_number=f"+1555{uuid.uuid4().int % 10**7:07d}",
    )
    writer = IngestionWriter()
    owners = [number, other, other, number, other, number]
    sids = [new_sid() for _ in owners]

    outcomes = await ingest_together(
        writer, [inbound(owner, sid, key=sid) for owner, sid in zip(owners, sids, strict=True)]
    )
    await writer.stop()

    seqs = [[n.seq for n in o.notices] for o in outcomes if isinstance(o, Ingested)]
    assert seqs == [[1], [1], [2], [2], [3], [3]]
    for owner in (number, other):
        mine = [sid for o, sid in zip(owners, sids, strict=True) if o is owner]
        ids = {m.sid: m.id for m in await Message.filter(sid__in=mine)}
        assert await seqs_and_kinds(owner) == [
            (seq, "MESSAGE_RECEIVED", ids[sid]) for seq, sid in enumerate(mine, start=1)
        ]
