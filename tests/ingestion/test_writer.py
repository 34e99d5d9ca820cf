"""The group-commit writer: one bad delivery fails alone, a full or stopped writer refuses,
committed batches are published in order without holding up the requests."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from tests.ingestion.deliveries import inbound, ingest_together, new_sid, seqs_and_kinds
from trunkline.activity import ActivityNotice, Ingested
from trunkline.app import create_app
from trunkline.ingestion.writer import IngestionBusy, IngestionWriter
from trunkline.models import Message, PhoneNumber, WebhookReceipt
from trunkline.settings import Settings


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
