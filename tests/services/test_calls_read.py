"""Reading calls and recordings: every filter of a page is served by an index, in order, with no
sort (PostgreSQL's plans; how they are read: tests/services/test_messages_read.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import BACKEND
from tests.services.test_messages_read import ADMIN, AGENT, AT, plan_of
from trunkline.models import Direction
from trunkline.services.calls_read import CallFilter, matching_calls
from trunkline.services.pages import newest_after
from trunkline.services.recordings import RecordingFilter, matching_recordings

pytestmark = pytest.mark.skipif(BACKEND != "services", reason="the query plans of PostgreSQL")

TENANT_INDEX = "tenant_id, created_at, id"
# Each filter, and the columns of the index that must serve it (models/calls.py).
CALL_FILTERS: dict[str, tuple[CallFilter, str]] = {
    "none": (CallFilter(), TENANT_INDEX),
    "number": (CallFilter(number_id=7), "tenant_id, number_id, created_at, id"),
    "status": (CallFilter(status="completed"), "tenant_id, status, created_at, id"),
    "direction": (CallFilter(direction=Direction.INBOUND), "tenant_id, direction, created_at, id"),
    "mine": (CallFilter(mine=True), "tenant_id, user_id, created_at, id"),
    "since and until": (
        CallFilter(since=datetime(2026, 11, 1, tzinfo=UTC), until=AT),
        TENANT_INDEX,
    ),
}
RECORDING_FILTERS: dict[str, tuple[RecordingFilter, str]] = {
    "none": (RecordingFilter(), TENANT_INDEX),
    "number": (RecordingFilter(number_id=7), "tenant_id, number_id, created_at, id"),
    "call": (RecordingFilter(call_id=9), "call_id, created_at"),
}


async def index_named(table: str, columns: str) -> str:
    async with in_transaction() as connection:
        rows = await connection.execute_query_dict(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1", [table]
        )
    (name,) = [row["indexname"] for row in rows if row["indexdef"].endswith(f"({columns})")]
    return str(name)


@pytest.mark.parametrize("after", [None, (AT, 42)], ids=["first page", "after a cursor"])
@pytest.mark.parametrize("case", sorted(CALL_FILTERS))
async def test_each_call_filter_reads_its_page_from_its_index_in_order(
    gateway: str, case: str, after: tuple[datetime, int] | None
) -> None:
    call_filter, columns = CALL_FILTERS[case]
    query = newest_after(
        matching_calls(tenant_id=1, principal=ADMIN, call_filter=call_filter), after
    )

    tenants = await index_named("call", TENANT_INDEX)
    plan = await plan_of(
        query.limit(51), without_index=None if columns == TENANT_INDEX else tenants
    )

    index = await index_named("call", columns)
    assert any(f"Index Scan Backward using {index} on call" in line for line in plan), plan
    assert not any("Sort" in line or "Seq Scan" in line for line in plan), plan


@pytest.mark.parametrize("case", sorted(RECORDING_FILTERS))
async def test_each_recording_filter_reads_its_page_from_an_index_in_order(
    gateway: str, case: str
) -> None:
    recording_filter, columns = RECORDING_FILTERS[case]
    query = newest_after(
        matching_recordings(tenant_id=1, principal=ADMIN, recording_filter=recording_filter),
        None,
    )

    tenants = await index_named("recording", TENANT_INDEX)
    plan = await plan_of(
        query.limit(51), without_index=None if columns == TENANT_INDEX else tenants
    )

    index = await index_named("recording", columns)
    assert any(f"using {index} on recording" in line for line in plan), plan
    assert not any("Seq Scan" in line for line in plan), plan


async def test_an_agents_page_of_calls_is_read_in_index_order_with_no_sort(gateway: str) -> None:
    # An agent's calls are those of their numbers or placed by them: the tenant's (created_at,
    # id) index read newest first and filtered, as for messages.
    query = newest_after(
        matching_calls(tenant_id=1, principal=AGENT, call_filter=CallFilter()), None
    )

    plan = await plan_of(query.limit(51))

    index = await index_named("call", TENANT_INDEX)
    assert any(f"Index Scan Backward using {index} on call" in line for line in plan), plan
    assert not any("Sort" in line or "Seq Scan on call" in line for line in plan), plan
