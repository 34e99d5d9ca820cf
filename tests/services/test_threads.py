"""Listing threads: each narrowing reads its page from its index, in order, with no sort.

PostgreSQL only: the plans are PostgreSQL's. As in test_messages_read, the planner is told to
avoid sequential scans, bitmap scans and sorts wherever it has another way, and a narrowing with
an index of its own is explained without the tenant's (last_message_at, id) index, so the plan
shows whether its index serves the page on its own.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from tortoise.transactions import in_transaction

from tests.conftest import BACKEND
from tests.services.test_messages_read import ADMIN, AGENT, AT, plan_of
from trunkline.models import Channel
from trunkline.services.threads import matching_threads, most_recent_after

pytestmark = pytest.mark.skipif(BACKEND != "services", reason="the query plans of PostgreSQL")

TENANT_INDEX = "tenant_id, last_message_at, id"
# Each narrowing, and the columns of the index that must serve it (models/threads.py).
NARROWINGS: dict[str, tuple[int | None, Channel | None, str]] = {
    "none": (None, None, "tenant_id, last_message_at, id"),
    "channel": (None, Channel.WHATSAPP, "tenant_id, channel, last_message_at, id"),
    "number": (7, None, "number_id, last_message_at, id"),
}


async def thread_index(columns: str) -> str:
    async with in_transaction() as connection:
        rows = await connection.execute_query_dict(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'thread'"
        )
    (name,) = [row["indexname"] for row in rows if row["indexdef"].endswith(f"({columns})")]
    return str(name)


@pytest.mark.parametrize("after", [None, (AT, 42)], ids=["first page", "after a cursor"])
@pytest.mark.parametrize("case", sorted(NARROWINGS))
async def test_each_narrowing_reads_its_page_of_threads_from_its_index_in_order(
    gateway: str, case: str, after: tuple[datetime, int] | None
) -> None:
    number_id, channel, columns = NARROWINGS[case]
    query = most_recent_after(
        matching_threads(tenant_id=1, principal=ADMIN, number_id=number_id, channel=channel),
        after,
    )

    tenants = await thread_index(TENANT_INDEX)
    plan = await plan_of(
        query.limit(51), without_index=None if columns == TENANT_INDEX else tenants
    )

    index = await thread_index(columns)
    assert any(f"Index Scan Backward using {index} on thread" in line for line in plan), plan
    assert not any("Sort" in line or "Seq Scan" in line for line in plan), plan


@pytest.mark.parametrize("after", [None, (AT, 42)], ids=["first page", "after a cursor"])
async def test_an_agents_threads_are_read_in_index_order_with_no_sort(
    gateway: str, after: tuple[datetime, int] | None
) -> None:
    query = most_recent_after(
        matching_threads(tenant_id=1, principal=AGENT, number_id=None, channel=None), after
    )

    plan = await plan_of(query.limit(51))

    index = await thread_index("tenant_id, last_message_at, id")
    assert any(f"Index Scan Backward using {index} on thread" in line for line in plan), plan
    assert not any("Sort" in line or "Seq Scan on thread" in line for line in plan), plan
