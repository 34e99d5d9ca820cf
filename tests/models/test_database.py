"""How the gateway's own database connections behave."""

from __future__ import annotations

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

LOOKUP = "SELECT id FROM message WHERE sid = ANY($1::text[])"


async def test_postgresql_plans_each_query_for_the_tables_as_they_are_now(gateway: str) -> None:
    """No cached generic plan: one made while a table was small (a seq scan) would stay so.

    asyncpg prepares every statement once per connection (re-preparing it after five minutes),
    and PostgreSQL then switches a statement to a generic plan after five executions if it looks
    no worse. On a new deployment that happens while the tables are empty, and a seq scan of
    ``message`` would be kept while the table grows, until the statement is prepared again.
    """
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("SQLite has no plan cache across statements of this kind")
    async with in_transaction() as pinned:  # one pooled connection throughout
        for _ in range(8):
            await pinned.execute_query(LOOKUP, [["SM-none"]])
        plans = await pinned.execute_query_dict(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            [LOOKUP],
        )
    assert plans == [{"generic_plans": 0, "custom_plans": 8}]
