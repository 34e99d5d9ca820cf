"""The migrations build exactly the schema the models declare, on either backend."""

from __future__ import annotations

import re

from tortoise import Tortoise
from tortoise.utils import get_schema_sql

from trunkline.models.database import apply_migrations
from trunkline.settings import Settings


async def _actual_tables_and_indexes() -> tuple[set[str], set[str]]:
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "sqlite":
        _, rows = await connection.execute_query(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
        tables = {row["name"] for row in rows if row["type"] == "table"}
        indexes = {row["name"] for row in rows if row["type"] == "index"}
    else:
        _, rows = await connection.execute_query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        tables = {row["tablename"] for row in rows}
        _, rows = await connection.execute_query(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        )
        indexes = {row["indexname"] for row in rows}
    return tables, indexes


async def test_migrated_database_has_every_table_and_index_the_models_declare(
    gateway: str,
) -> None:
    declared = get_schema_sql(Tortoise.get_connection("default"), safe=False)
    declared_tables = set(re.findall(r'CREATE TABLE "(\w+)"', declared))
    declared_indexes = set(re.findall(r'CREATE (?:UNIQUE )?INDEX "(\w+)"', declared))

    tables, indexes = await _actual_tables_and_indexes()

    assert declared_tables | {"aerich"} == tables
    assert declared_indexes <= indexes
    assert {"phone_number", "message", "call", "recording", "activity_event"} <= tables


async def test_migrating_an_up_to_date_database_applies_nothing(
    gateway: str, settings: Settings
) -> None:
    assert await apply_migrations(settings.effective_database_url) == []
