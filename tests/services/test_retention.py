"""Retention: old receipts and activity deleted in batches, recent ones kept, one runner at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from tortoise import connections

from tests.conftest import BACKEND, Backend
from tests.webhooks.fixtures import (
    Carrier,
    TwilioTenant,
    create_twilio_tenant,
    sandbox_carrier,
    twilio_tenant,
    webhook_http,
)
from tests.webhooks.test_messaging import MESSAGING, STATUS, inbound, message_sid, status
from trunkline.activity import ActivityPruned, activity_after
from trunkline.models import ActivityEvent, IdempotentRequest, Tenant, WebhookReceipt
from trunkline.services.retention import (
    ADVISORY_LOCK_KEY,
    Retention,
    RetentionPolicy,
    exclusive_run,
    prune,
)
from trunkline.settings import Settings

__all__ = ["sandbox_carrier", "twilio_tenant", "webhook_http"]  # fixtures shared with webhooks

POLICY = RetentionPolicy(receipt_retention=timedelta(hours=72), activity_days=90, batch_size=2)
LONG_AGO = timedelta(days=400)
POSTGRES_ONLY = pytest.mark.skipif(
    BACKEND != "services", reason="PostgreSQL's advisory lock and plans (SQLite: one process)"
)


@pytest.fixture
async def other_twilio_tenant(
    twilio_tenant: TwilioTenant, sandbox_carrier: Carrier, gateway: str, settings: Settings
) -> TwilioTenant:
    return await create_twilio_tenant(
        carrier=sandbox_carrier, gateway=gateway, settings=settings, http=twilio_tenant.http
    )


def ago(age: timedelta) -> datetime:
    return datetime.now(UTC) - age


async def inbound_messages(tenant: TwilioTenant, count: int) -> list[str]:
    sids = [message_sid() for _ in range(count)]
    for sid in sids:
        response = await tenant.post(MESSAGING, inbound(tenant, sid))
        assert response.status_code == 200
    return sids


async def age_activity(tenant: TwilioTenant, *, through_seq: int, age: timedelta) -> None:
    """Make the tenant's events up to ``through_seq`` (and the tenant itself) ``age`` old."""
    await Tenant.filter(id=tenant.tenant_id).update(created_at=ago(LONG_AGO))
    await ActivityEvent.filter(tenant_id=tenant.tenant_id, seq__lte=through_seq).update(
        created_at=ago(age)
    )


async def kept_seqs(tenant_id: int) -> list[int]:
    return list(
        await ActivityEvent.filter(tenant_id=tenant_id)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


async def test_receipts_and_idempotency_keys_past_the_retention_are_pruned_and_recent_ones_kept(
    twilio_tenant: TwilioTenant,
) -> None:
    # Given: five deliveries, three of them received four days ago, and two mutation keys.
    await inbound_messages(twilio_tenant, 5)
    receipts = await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).order_by("id")
    old_receipts = [r.id for r in receipts[:3]]
    await WebhookReceipt.filter(id__in=old_receipts).update(created_at=ago(timedelta(hours=96)))
    old_key = await IdempotentRequest.create(
        tenant_id=twilio_tenant.tenant_id, operation="send", key="a" * 64, fingerprint="f" * 64
    )
    new_key = await IdempotentRequest.create(
        tenant_id=twilio_tenant.tenant_id, operation="send", key="b" * 64, fingerprint="f" * 64
    )
    await IdempotentRequest.filter(id=old_key.id).update(created_at=ago(timedelta(hours=73)))

    # When
    pruned = await prune(POLICY, now=datetime.now(UTC))

    # Then: only what is older than 72 hours is gone (three receipts: two batches of two).
    assert (pruned.receipts, pruned.idempotency_keys) == (3, 1)
    left = await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "id", flat=True
    )
    assert sorted(left) == [r.id for r in receipts[3:]]
    assert await IdempotentRequest.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "id", flat=True
    ) == [new_key.id]


async def test_a_redelivery_of_a_recent_webhook_is_still_a_duplicate_after_a_run(
    twilio_tenant: TwilioTenant,
) -> None:
    # Given: a status callback received just now.
    sent = status(twilio_tenant, message_sid(), "sent")
    first = await twilio_tenant.post(STATUS, sent, idempotency_token="retry-me")
    (receipt,) = await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id)

    # When: retention runs, then Twilio retries the delivery (the same idempotency token).
    await prune(POLICY, now=datetime.now(UTC))
    again = await twilio_tenant.post(STATUS, sent, idempotency_token="retry-me")

    # Then: its receipt was kept and took the retry for the delivery it had seen.
    assert (first.status_code, again.status_code) == (200, 200)
    assert await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "id", flat=True
    ) == [receipt.id]
    assert await kept_seqs(twilio_tenant.tenant_id) == [1]


async def test_activity_past_the_retention_is_deleted_in_batches_and_newer_activity_kept(
    twilio_tenant: TwilioTenant,
) -> None:
    # Given: seven events, the first five 91 days old.
    await inbound_messages(twilio_tenant, 7)
    await age_activity(twilio_tenant, through_seq=5, age=timedelta(days=91))

    # When: batches of two rows.
    pruned = await prune(POLICY, now=datetime.now(UTC))

    # Then
    assert pruned.activity_events == 5
    assert await kept_seqs(twilio_tenant.tenant_id) == [6, 7]


async def test_a_tenant_keeps_its_own_retention_and_another_tenant_the_default(
    twilio_tenant: TwilioTenant, other_twilio_tenant: TwilioTenant
) -> None:
    # Given: both tenants with three events 10 days old and one new; one keeps 7 days.
    for tenant in (twilio_tenant, other_twilio_tenant):
        await inbound_messages(tenant, 4)
        await age_activity(tenant, through_seq=3, age=timedelta(days=10))
    await Tenant.filter(id=twilio_tenant.tenant_id).update(activity_retention_days=7)

    # When
    await prune(POLICY, now=datetime.now(UTC))

    # Then
    assert await kept_seqs(twilio_tenant.tenant_id) == [4]
    assert await kept_seqs(other_twilio_tenant.tenant_id) == [1, 2, 3, 4]


async def test_replay_from_before_the_oldest_kept_event_is_refused_and_from_it_is_not(
    twilio_tenant: TwilioTenant,
) -> None:
    # Given: events 1..4, of which 1 and 2 were pruned.
    await inbound_messages(twilio_tenant, 4)
    await age_activity(twilio_tenant, through_seq=2, age=timedelta(days=91))
    await prune(POLICY, now=datetime.now(UTC))

    # When / Then: a cursor at 0 or 1 would skip events: refused; at 2 nothing is missing.
    for cursor in (0, 1):
        with pytest.raises(ActivityPruned):
            await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=cursor)
    replayed = await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=2)
    assert [notice.seq for notice in replayed] == [3, 4]


async def test_replay_when_every_event_was_pruned_is_refused_unless_the_cursor_is_the_last(
    twilio_tenant: TwilioTenant,
) -> None:
    await inbound_messages(twilio_tenant, 3)
    await age_activity(twilio_tenant, through_seq=3, age=timedelta(days=91))
    await prune(POLICY, now=datetime.now(UTC))
    assert await kept_seqs(twilio_tenant.tenant_id) == []

    with pytest.raises(ActivityPruned):
        await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=2)
    assert await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=3) == []


async def test_of_two_concurrent_runs_in_a_process_one_works_and_the_other_skips(
    twilio_tenant: TwilioTenant,
) -> None:
    await inbound_messages(twilio_tenant, 3)
    await age_activity(twilio_tenant, through_seq=3, age=timedelta(days=91))
    retention = Retention(POLICY, interval_seconds=3600)

    outcomes = await asyncio.gather(retention.run_once(), retention.run_once())

    skipped = [outcome for outcome in outcomes if outcome is None]
    worked = [outcome for outcome in outcomes if outcome is not None]
    assert len(skipped) == 1
    assert [outcome.activity_events for outcome in worked] == [3]


@POSTGRES_ONLY
async def test_a_run_skips_while_another_session_holds_the_advisory_lock(
    backend: Backend, twilio_tenant: TwilioTenant
) -> None:
    await inbound_messages(twilio_tenant, 2)
    await age_activity(twilio_tenant, through_seq=2, age=timedelta(days=91))
    # Another gateway process: its own connection to the database, holding the lock.
    other = await asyncpg.connect(backend.database_url)
    try:
        assert await other.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_LOCK_KEY)

        while_held = await Retention(POLICY, interval_seconds=3600).run_once()
        kept_while_held = await kept_seqs(twilio_tenant.tenant_id)

        await other.fetchval("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
        after_release = await Retention(POLICY, interval_seconds=3600).run_once()
    finally:
        await other.close()

    assert while_held is None
    assert kept_while_held == [1, 2]
    assert after_release is not None
    assert await kept_seqs(twilio_tenant.tenant_id) == []


@POSTGRES_ONLY
async def test_a_run_in_one_retention_holds_off_another_retention_of_another_pool_connection() -> (
    None
):
    async with exclusive_run() as held:
        other = await Retention(POLICY, interval_seconds=3600).run_once()
    async with exclusive_run() as held_again:  # released: the next run gets it
        pass

    assert (held, other, held_again) == (True, None, True)


@POSTGRES_ONLY
async def test_the_batched_deletes_find_their_rows_through_the_age_indexes() -> None:
    client = connections.get("default")
    statements = {
        "idx_webhook_rec_created_ccae20": WebhookReceipt.filter(created_at__lt=ago(LONG_AGO)),
        "idx_idempotent__created_c12000": IdempotentRequest.filter(created_at__lt=ago(LONG_AGO)),
        "idx_activity_ev_tenant__4fe909": ActivityEvent.filter(
            tenant_id=1, created_at__lt=ago(LONG_AGO)
        ),
    }
    async with client.acquire_connection() as connection:
        # The test tables are small, where a sequential scan is cheaper: ask whether an index
        # serves the statement at all.
        await connection.execute("SET enable_seqscan = off")
        try:
            for index, expired in statements.items():
                select = expired.order_by("created_at").limit(5000).values("id")
                plan = "\n".join(
                    row[0]
                    for row in await connection.fetch(f"EXPLAIN {select.sql(params_inline=True)}")
                )
                assert index in plan, plan
        finally:
            await connection.execute("SET enable_seqscan = on")


async def test_the_task_runs_at_start_and_stops_on_shutdown(twilio_tenant: TwilioTenant) -> None:
    await inbound_messages(twilio_tenant, 2)
    await age_activity(twilio_tenant, through_seq=2, age=timedelta(days=91))
    retention = Retention(POLICY, interval_seconds=0.05)

    retention.start()
    async with asyncio.timeout(10):
        while await kept_seqs(twilio_tenant.tenant_id):  # noqa: ASYNC110 - the run is in a task
            await asyncio.sleep(0.01)
    running_before_stop = retention.running
    await retention.stop()

    assert running_before_stop
    assert not retention.running
    async with exclusive_run() as held:  # the lock was left free for the next process
        assert held
