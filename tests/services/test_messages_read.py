"""Reading messages: every filter of a page is served by an index, in order, with no sort.

PostgreSQL only: the plans are PostgreSQL's. The planner is told to avoid sequential scans,
bitmap scans and sorts wherever it has another way, so the plan shows whether an index can serve
the page on its own (on a table of millions it is the only plan that stays fast; on the few rows of
a test database the planner would rightly read the table instead). For the same reason, where a
filter has an index of its own, the tenant's (created_at, id) index is dropped for the EXPLAIN
(in a transaction rolled back): on the test database's few rows the planner may rightly prefer
reading that one and filtering, which says nothing of whether the filter's index serves the page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tests.conftest import BACKEND
from trunkline.auth.principal import Principal, Role
from trunkline.models import Channel, Direction
from trunkline.services.messages_read import MessageFilter, matching_messages, newest_after

pytestmark = pytest.mark.skipif(BACKEND != "services", reason="the query plans of PostgreSQL")

ADMIN = Principal(
    user_id="auth0|admin",
    org_id="org_plans",
    roles=frozenset({Role.ADMIN}),
    expires_at=datetime(2100, 1, 1, tzinfo=UTC),
    tenant_id=1,
)
AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

TENANT_INDEX = "tenant_id, created_at, id"
# Each filter, and the columns of the index that must serve it (models/messages.py).
FILTERS: dict[str, tuple[MessageFilter, str]] = {
    "none": (MessageFilter(), "tenant_id, created_at, id"),
    "number": (MessageFilter(number_id=7), "tenant_id, number_id, created_at, id"),
    "channel": (MessageFilter(channel=Channel.WHATSAPP), "tenant_id, channel, created_at, id"),
    "direction": (
        MessageFilter(direction=Direction.OUTBOUND),
        "tenant_id, direction, created_at, id",
    ),
    "status": (MessageFilter(status="delivered"), "tenant_id, status, created_at, id"),
    "counterpart": (
        MessageFilter(counterpart="+14155550123"),
        "tenant_id, counterpart, created_at, id",
    ),
    "since and until": (
        MessageFilter(since=datetime(2026, 11, 1, tzinfo=UTC), until=AT),
        "tenant_id, created_at, id",
    ),
}


class _Explained(Exception):
    """Leaves the EXPLAIN's transaction by rolling it back, with the plan."""

    def __init__(self, plan: list[str]) -> None:
        super().__init__()
        self.plan = plan


async def plan_of(query: QuerySet[Any], *, without_index: str | None = None) -> list[str]:
    """The plan of ``query`` as tortoise sends it (the statement and its values), with the index
    ``without_index`` dropped for it; nothing of it outlives the EXPLAIN's transaction."""
    # QuerySet.sql() inlines the values of the query but not those of a subquery (an agent's
    # numbers): the statement and its values come from the query tortoise builds.
    query._make_query()
    sql, values = query.query.get_parameterized_sql()
    try:
        async with in_transaction() as connection:
            await connection.execute_script(
                "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; "
                "SET LOCAL enable_sort = off"
            )
            if without_index is not None:
                await connection.execute_script(f'DROP INDEX "{without_index}"')
            rows = await connection.execute_query_dict(f"EXPLAIN {sql}", values)
            raise _Explained([row["QUERY PLAN"] for row in rows])
    except _Explained as explained:
        return explained.plan


async def index_named(columns: str) -> str:
    async with in_transaction() as connection:
        rows = await connection.execute_query_dict(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'message'"
        )
    (name,) = [row["indexname"] for row in rows if row["indexdef"].endswith(f"({columns})")]
    return str(name)


@pytest.mark.parametrize("after", [None, (AT, 42)], ids=["first page", "after a cursor"])
@pytest.mark.parametrize("case", sorted(FILTERS))
async def test_each_filter_reads_its_page_from_its_index_in_order(
    gateway: str, case: str, after: tuple[datetime, int] | None
) -> None:
    message_filter, columns = FILTERS[case]
    query = newest_after(
        matching_messages(tenant_id=1, principal=ADMIN, message_filter=message_filter), after
    )

    tenants = await index_named(TENANT_INDEX)
    plan = await plan_of(
        query.limit(51), without_index=None if columns == TENANT_INDEX else tenants
    )

    index = await index_named(columns)
    assert any(f"Index Scan Backward using {index} on message" in line for line in plan), plan
    assert not any("Sort" in line or "Seq Scan" in line for line in plan), plan


AGENT = Principal(
    user_id="auth0|amy",
    org_id="org_plans",
    roles=frozenset(),
    expires_at=datetime(2100, 1, 1, tzinfo=UTC),
    tenant_id=1,
)


@pytest.mark.parametrize("after", [None, (AT, 42)], ids=["first page", "after a cursor"])
async def test_an_agents_page_is_read_in_index_order_with_no_sort(
    gateway: str, after: tuple[datetime, int] | None
) -> None:
    # An agent's messages are those of their numbers or sent by them: no one index holds just
    # those, so the tenant's (created_at, id) index is read newest first and filtered.
    query = newest_after(
        matching_messages(tenant_id=1, principal=AGENT, message_filter=MessageFilter()), after
    )

    plan = await plan_of(query.limit(51))

    index = await index_named("tenant_id, created_at, id")
    assert any(f"Index Scan Backward using {index} on message" in line for line in plan), plan
    assert not any("Sort" in line or "Seq Scan on message" in line for line in plan), plan
