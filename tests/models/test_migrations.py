"""The migrations build exactly the schema the models declare, on either backend."""

from __future__ import annotations

import re

from tortoise import Tortoise, fields
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


UniqueKey = tuple[str, tuple[str, ...]]

PG_UNIQUE_KEYS = """
SELECT t.relname AS table_name, array_agg(a.attname ORDER BY k.n) AS columns
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE ns.nspname = 'public' AND i.indisunique AND NOT i.indisprimary
GROUP BY i.indexrelid, t.relname
"""


def _declared_unique_keys() -> set[UniqueKey]:
    keys: set[UniqueKey] = set()
    for model in Tortoise.apps["models"].values():
        meta = model._meta
        if meta.db_table == "aerich":
            continue
        column = {name: field.source_field or name for name, field in meta.fields_map.items()}
        for names in meta.unique_together:
            keys.add((meta.db_table, tuple(column[name] for name in names)))
        for name, field in meta.fields_map.items():
            if field.unique and not field.pk and not isinstance(field, fields.BackwardFKRelation):
                keys.add((meta.db_table, (column[name],)))
    return keys


async def _actual_unique_keys() -> set[UniqueKey]:
    connection = Tortoise.get_connection("default")
    keys: set[UniqueKey] = set()
    if connection.capabilities.dialect == "sqlite":
        tables, _ = await _actual_tables_and_indexes()
        for table in tables - {"aerich"}:
            _, indexes = await connection.execute_query(f"PRAGMA index_list('{table}')")
            for index in indexes:
                if index["unique"] and index["origin"] != "pk":
                    _, info = await connection.execute_query(
                        f"PRAGMA index_info('{index['name']}')"
                    )
                    columns = tuple(row["name"] for row in sorted(info, key=lambda r: r["seqno"]))
                    keys.add((table, columns))
    else:
        _, rows = await connection.execute_query(PG_UNIQUE_KEYS)
        keys = {(row["table_name"], tuple(row["columns"])) for row in rows}
    return {key for key in keys if key[0] != "aerich"}


async def test_migrated_database_has_exactly_the_unique_keys_the_models_declare(
    gateway: str,
) -> None:
    """Exactly: a unique key the models dropped (a sid once unique across tenants) and still
    enforced refuses rows the code means to store."""
    declared = _declared_unique_keys()

    actual = await _actual_unique_keys()

    assert actual == declared
    assert {("message", ("tenant_id", "sid")), ("call", ("tenant_id", "sid"))} <= actual
    assert ("recording", ("tenant_id", "sid")) in actual


async def test_migrating_an_up_to_date_database_applies_nothing(
    gateway: str, settings: Settings
) -> None:
    assert await apply_migrations(settings.effective_database_url) == []
