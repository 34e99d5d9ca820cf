"""Group commit: deliveries written together keep each delivery's own rules.

Ingestions are submitted to a writer of the test's own, against the suite's database; every task
is queued before the writer first runs, so the deliveries of a test land in one batch.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import pytest
from tortoise import connections

from trunkline.activity import ActivityNotice, CallSnapshot, Ingested, MessageSnapshot
from trunkline.app import create_app
from trunkline.ingestion.calls import CallIngestion, CallUpdate
from trunkline.ingestion.inbound_messages import InboundMessage, InboundMessageIngestion, MediaItem
from trunkline.ingestion.kind import Ingestion
from trunkline.ingestion.message_status import MessageStatusIngestion, MessageStatusUpdate
from trunkline.ingestion.writer import IngestionBusy, IngestionWriter
from trunkline.models import (
    ActivityEvent,
    Call,
    Direction,
    Message,
    PhoneNumber,
    Tenant,
    WebhookReceipt,
)
from trunkline.settings import Settings

SENDER = "+14155550123"


@pytest.fixture
async def number(gateway: str) -> PhoneNumber:
    """A tenant of the test's own with one number (the gateway fixture has opened the database)."""
    tenant = await Tenant.create(org_id=f"org_{uuid.uuid4().hex[:12]}")
    return await PhoneNumber.create(
        tenant=tenant,
        sid="PN" + uuid.uuid4().hex,
        phone_number=f"+1555{uuid.uuid4().int % 10**7:07d}",
    )


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

    outcomes = await InboundMessageIngestion.store_alone(batch, connection)  # type: ignore[arg-type]

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
    assert notices[2][0].snapshot == MessageSnapshot.of(stored[known])
    assert notices[3][0].snapshot == MessageSnapshot.of(stored[unknown])
    assert notices[1][0].entity_id == stored[unknown].id
    assert (stored[unknown].error_code, stored[unknown].direction) == (30003, "outbound")
    assert [e["status"] for e in stored[known].status_history] == [
        "queued",
        "sent",
        "delivered",
        "sent",
    ]


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
    assert notices[3][0].snapshot == CallSnapshot.of(stored[ringing])
    assert notices[2][0].snapshot == CallSnapshot.of(stored[unknown])
    assert (stored[ringing].last_sequence, stored[ringing].duration) == (3, 42)
    assert [e["status"] for e in stored[ringing].status_history] == [
        "ringing",
        "in-progress",
        "completed",
        "in-progress",
    ]


async def test_one_bad_delivery_fails_alone_and_the_rest_of_its_batch_is_stored(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter()
    sids = [new_sid() for _ in range(4)]
    batch = [inbound(number, sid, key=sid) for sid in sids]
    batch[2] = inbound(number, sids[2], key=sids[2], sender="+1" + "5" * 400)  # over 320 chars

    outcomes = await ingest_together(writer, batch)
    await writer.stop()

    assert [isinstance(o, Ingested) for o in outcomes] == [True, True, False, True]
    assert sorted(await Message.filter(sid__in=sids).values_list("sid", flat=True)) == sorted(
        [sids[0], sids[1], sids[3]]
    )
    assert [seq for seq, _, _ in await seqs_and_kinds(number)] == [1, 2, 3]
    assert not await WebhookReceipt.exists(idempotency_key=sids[2])


async def test_a_full_writer_refuses_at_once_and_stores_nothing_for_the_refused(
    number: PhoneNumber,
) -> None:
    writer = IngestionWriter(capacity=2)
    sids = [new_sid() for _ in range(3)]

    outcomes = await ingest_together(writer, [inbound(number, sid, key=sid) for sid in sids])
    await writer.stop()

    assert [type(o) for o in outcomes] == [Ingested, Ingested, IngestionBusy]
    assert sorted(await Message.filter(sid__in=sids).values_list("sid", flat=True)) == sorted(
        sids[:2]
    )


async def test_a_stopped_writer_refuses(number: PhoneNumber) -> None:
    writer = IngestionWriter()
    await writer.start()
    await writer.stop()

    with pytest.raises(IngestionBusy):
        await writer.ingest(inbound(number, new_sid(), key="late"))


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


class Published:
    """What the writer hands its ``publish``: one list per call."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[int, int]]] = []

    async def __call__(self, notices: Sequence[ActivityNotice]) -> None:
        self.calls.append([(n.tenant_id, n.seq) for n in notices])


async def test_a_committed_batch_is_published_once_in_seq_order_without_its_duplicates(
    number: PhoneNumber,
) -> None:
    published = Published()
    writer = IngestionWriter(publish=published)
    sids = [new_sid() for _ in range(6)]
    batch = [inbound(number, sid, key=sid) for sid in sids]
    batch.insert(3, inbound(number, sids[1], key=sids[1]))  # a redelivery: nothing to announce

    await ingest_together(writer, batch)
    await writer.stop()  # publishes what the last batch announced

    tenant_id = number.tenant_id  # type: ignore[attr-defined]
    assert published.calls == [[(tenant_id, seq) for seq in range(1, 7)]]


async def test_requests_are_answered_at_commit_without_waiting_for_the_publish(
    number: PhoneNumber,
) -> None:
    bus_answers = asyncio.Event()
    published: list[int] = []

    async def slow_publish(notices: Sequence[ActivityNotice]) -> None:
        await bus_answers.wait()
        published.extend(n.seq for n in notices)

    writer = IngestionWriter(publish=slow_publish)
    sids = [new_sid() for _ in range(3)]

    outcomes = await asyncio.wait_for(
        ingest_together(writer, [inbound(number, sid, key=sid) for sid in sids]), 5
    )
    unpublished_when_answered = list(published)
    bus_answers.set()
    await writer.stop()

    assert [isinstance(o, Ingested) and not o.duplicate for o in outcomes] == [True] * 3
    assert (unpublished_when_answered, published) == ([], [1, 2, 3])


async def test_a_publish_that_fails_is_logged_and_loses_no_later_batch(
    number: PhoneNumber, caplog: pytest.LogCaptureFixture
) -> None:
    attempts: list[list[int]] = []

    async def publish_failing_once(notices: Sequence[ActivityNotice]) -> None:
        attempts.append([n.seq for n in notices])
        if len(attempts) == 1:
            raise RuntimeError("the bus broke")

    writer = IngestionWriter(publish=publish_failing_once)
    first = await ingest_together(writer, [inbound(number, sid := new_sid(), key=sid)])
    await writer.stop()  # the failed publish is over before the next batch
    await writer.start()
    second = await ingest_together(writer, [inbound(number, sid := new_sid(), key=sid)])
    await writer.stop()

    assert [type(o) for o in first + second] == [Ingested, Ingested]
    assert attempts == [[1], [2]]
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "1 committed notices not published"
    ]


async def test_the_publish_backlog_keeps_the_newest_notices(number: PhoneNumber) -> None:
    bus_answers = asyncio.Event()
    published: list[list[int]] = []

    async def slow_publish(notices: Sequence[ActivityNotice]) -> None:
        await bus_answers.wait()
        published.append([n.seq for n in notices])

    writer = IngestionWriter(publish=slow_publish, publish_backlog=2)
    for sid in [new_sid() for _ in range(5)]:  # the first is on the wire; 2 of 4 may wait
        await ingest_together(writer, [inbound(number, sid, key=sid)])
    bus_answers.set()
    await writer.stop()

    assert published == [[1], [4, 5]]


def test_the_gateway_writer_takes_its_limits_from_settings(settings: Settings) -> None:
    app = create_app(
        settings.model_copy(update={"ingestion_queue_size": 7, "ingestion_batch_size": 3})
    )

    writer = app.state.ingestion
    assert (writer.capacity, writer.max_batch) == (7, 3)
