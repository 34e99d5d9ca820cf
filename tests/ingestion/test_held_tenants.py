"""Batches of different processes do not wait on each other's tenants (PostgreSQL).

Another process's batch is played by a real batch held open mid-transaction on a connection of
its own: it holds its tenant's row until it commits, as a batch does between its first
statement and its commit. SQLite has one writer at a time: there is nothing to skip there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from tests.ingestion.deliveries import call_event, inbound, new_sid, seqs_and_kinds
from trunkline.activity import Ingested
from trunkline.ingestion.batch import ingest_batch
from trunkline.ingestion.kind import DEFERRED, Ingestion
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import Call, Message, PhoneNumber, Tenant

# Long enough for a batch that waited on the held tenant to be seen waiting; the held batch's
# release ends every test's waits well before it matters.
WAIT = 5.0

Delivery = Callable[[PhoneNumber, str], Ingestion]


def message(number: PhoneNumber, sid: str) -> Ingestion:
    """Inbound messages alone: the single-statement path (``store_alone``)."""
    return inbound(number, sid, key=sid)


def call(number: PhoneNumber, sid: str) -> Ingestion:
    """Call statuses: the transaction-block path (``apply_many``)."""
    return call_event(number, "CA" + sid[2:], "ringing", sequence=0, inbound=True)


@pytest.fixture(autouse=True)
def _postgresql_only(number: PhoneNumber) -> None:
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("SQLite has one writer at a time: no tenant is held by another batch")


@pytest.fixture
async def other(number: PhoneNumber) -> PhoneNumber:
    """A second tenant with one number."""
    tenant = await Tenant.create(org_id=f"org_{uuid.uuid4().hex[:12]}")
    return await PhoneNumber.create(
        tenant=tenant,
        sid="PN" + uuid.uuid4().hex,
        phone_number=f"+1555{uuid.uuid4().int % 10**7:07d}",
    )


@asynccontextmanager
async def held(delivery: Ingestion) -> AsyncIterator[list[Ingested]]:
    """A batch of ``delivery`` written and left uncommitted until the block ends (then it
    commits): its tenant's row is held meanwhile, on a connection of its own."""
    holding, release = asyncio.Event(), asyncio.Event()
    outcomes: list[Ingested] = []

    async def hold() -> None:
        async with in_transaction():
            outcomes.extend(await ingest_batch([delivery]))
            holding.set()
            await release.wait()

    task = asyncio.create_task(hold())
    await asyncio.wait_for(holding.wait(), WAIT)
    try:
        yield outcomes
    finally:
        release.set()
        await task


async def stored(sid: str) -> bool:
    return await Message.filter(sid=sid).exists() or await Call.filter(sid="CA" + sid[2:]).exists()


@pytest.mark.parametrize("delivery", [message, call], ids=["single-statement", "transaction"])
async def test_a_batch_of_other_tenants_commits_while_a_batch_is_held_open(
    number: PhoneNumber, other: PhoneNumber, delivery: Delivery
) -> None:
    """Disjoint tenants: the second batch commits while the first is mid-transaction."""
    first, second = new_sid(), new_sid()
    async with held(delivery(number, first)):
        outcomes = await asyncio.wait_for(ingest_batch([delivery(other, second)]), WAIT)
        assert outcomes[0].duplicate is False
        assert await stored(second)
        assert not await stored(first)  # (uncommitted: the other batch really is open)
    assert await stored(first)


@pytest.mark.parametrize("delivery", [message, call], ids=["single-statement", "transaction"])
async def test_a_batch_stores_the_tenants_it_can_and_defers_the_held_one(
    number: PhoneNumber, other: PhoneNumber, delivery: Delivery
) -> None:
    """A batch naming the held tenant and another: the other's delivery commits at once, the
    held tenant's is deferred with nothing written, and stored after the holder, in seq order."""
    first, deferred, free = new_sid(), new_sid(), new_sid()
    async with held(delivery(number, first)) as holder:
        outcomes = await asyncio.wait_for(
            ingest_batch([delivery(number, deferred), delivery(other, free)], skip_held=True),
            WAIT,
        )
        assert outcomes[0] is DEFERRED
        assert isinstance(outcomes[1], Ingested)
        assert outcomes[1].duplicate is False
        assert await stored(free)
        assert not await stored(deferred)
    assert [notice.seq for notice in holder[0].notices] == [1]

    again = await asyncio.wait_for(ingest_batch([delivery(number, deferred)], skip_held=True), WAIT)

    assert isinstance(again[0], Ingested)
    assert [notice.seq for notice in again[0].notices] == [2]
    assert [seq for seq, _, _ in await seqs_and_kinds(number)] == [1, 2]


async def test_a_redelivery_of_a_deferred_delivery_is_deferred_too(
    number: PhoneNumber, other: PhoneNumber
) -> None:
    """Its first copy was not stored, so the second may not be answered as a duplicate."""
    first, deferred = new_sid(), new_sid()
    async with held(message(number, first)):
        outcomes = await ingest_batch(
            [message(number, deferred), message(other, new_sid()), message(number, deferred)],
            skip_held=True,
        )
    assert outcomes[0] is DEFERRED
    assert outcomes[2] is DEFERRED


async def test_a_batch_whose_tenants_are_all_held_waits_for_them(number: PhoneNumber) -> None:
    """Nothing else to store: asking again and again would only spin, so the batch waits."""
    first, second = new_sid(), new_sid()
    async with held(message(number, first)):
        waiting = asyncio.create_task(ingest_batch([message(number, second)], skip_held=True))
        await asyncio.sleep(0.3)
        assert not waiting.done()
    outcomes = await asyncio.wait_for(waiting, WAIT)
    assert [notice.seq for notice in outcomes[0].notices] == [2]  # type: ignore[union-attr]


async def test_a_held_tenants_backlog_does_not_delay_another_tenants_webhooks(
    number: PhoneNumber, other: PhoneNumber
) -> None:
    """A hot tenant, held by another process's batch, with a backlog in this process's queue:
    the other tenant's webhooks, queued behind that backlog, are answered while it is held; the
    backlog is stored once it is released, in arrival order, with no gap in its seqs."""
    writer = IngestionWriter()
    await writer.start()
    try:
        hot_sids = [new_sid() for _ in range(50)]
        calm_sids = [new_sid() for _ in range(5)]
        async with held(message(number, new_sid())):
            hot = [asyncio.create_task(writer.ingest(message(number, s))) for s in hot_sids]
            calm = [asyncio.create_task(writer.ingest(message(other, s))) for s in calm_sids]
            answered = await asyncio.wait_for(asyncio.gather(*calm), WAIT)
            assert all(not outcome.duplicate for outcome in answered)
            assert not any(task.done() for task in hot)
            assert not await Message.filter(sid__in=hot_sids).exists()
        backlog = await asyncio.wait_for(asyncio.gather(*hot), WAIT)
    finally:
        await writer.stop()
    seqs = [notice.seq for outcome in backlog for notice in outcome.notices]
    assert seqs == list(range(2, 52))
    messages = await Message.filter(sid__in=hot_sids).order_by("id").values_list("sid", flat=True)
    assert messages == hot_sids
