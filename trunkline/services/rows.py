"""Rows written set-based: one INSERT for the rows a batch creates, one UPDATE for those it changes.

The ORM writes one statement per row (and ``bulk_create`` returns no ids). A :class:`RowWriter`
instead sends a batch's rows together: on PostgreSQL as arrays through ``unnest`` (one statement
whatever their number), on SQLite as a multi-row ``VALUES`` (and ``executemany`` for updates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

# SQLite allows 32,766 bound parameters per statement.
SQLITE_PARAMETERS = 32_000


@dataclass(frozen=True)
class Column:
    name: str
    # The PostgreSQL type its values are sent as; "jsonb" values are JSON text, cast.
    type: str


class RowWriter:
    """Insert and update rows of one table; each row has an ``id`` and a ``sid`` unique per tenant.

    The statements are composed once, from the table and column names given here (constants of
    ours, never input: S608 below); every value is a bound parameter.
    """

    def __init__(
        self,
        table: str,
        inserted: Sequence[Column],
        updated: Sequence[Column] = (),
        *,
        skip_existing: bool = False,
    ) -> None:
        """``skip_existing``: a row whose sid its tenant has stored already is not inserted (and
        not returned) instead of failing the statement. ``inserted`` includes ``tenant_id`` and
        ``sid``."""
        self.inserted = tuple(inserted)
        self.updated = tuple(updated)
        names = ", ".join(column.name for column in inserted)
        count = len(inserted)
        arrays = ", ".join(f"${i + 1}::{_sent_as(c)}[]" for i, c in enumerate(inserted))
        aliases = ", ".join(f"c{i}" for i in range(count))
        values = ", ".join(_value(c, f"c{i}") for i, c in enumerate(inserted))
        returning = (
            "ON CONFLICT (tenant_id, sid) DO NOTHING " if skip_existing else ""
        ) + "RETURNING id, tenant_id, sid"
        self._insert_postgres = (
            f"INSERT INTO {table} ({names}, created_at, updated_at) "  # noqa: S608
            f"SELECT {values}, ${count + 1}, ${count + 1} FROM unnest({arrays}) AS u({aliases}) "
            f"{returning}"
        )
        self._insert_sqlite = (
            f"INSERT INTO {table} ({names}, created_at, updated_at) VALUES {{rows}} "  # noqa: S608
            f"{returning}"
        )
        self._sqlite_row = "(" + ", ".join(["?"] * (count + 2)) + ")"
        if not updated:
            return  # an insert-only writer
        count = len(updated)
        arrays = ", ".join(f"${i + 2}::{_sent_as(c)}[]" for i, c in enumerate(updated))
        aliases = ", ".join(f"c{i}" for i in range(count))
        settings = ", ".join(f"{c.name} = {_value(c, f'u.c{i}')}" for i, c in enumerate(updated))
        self._update_postgres = (
            f"UPDATE {table} SET {settings}, updated_at = ${count + 2} "  # noqa: S608
            f"FROM unnest($1::bigint[], {arrays}) AS u(id, {aliases}) WHERE {table}.id = u.id"
        )
        assignments = ", ".join(f"{c.name} = ?" for c in updated)
        self._update_sqlite = f"UPDATE {table} SET {assignments}, updated_at = ? WHERE id = ?"  # noqa: S608

    async def insert(
        self, rows: Sequence[Sequence[Any]], now: datetime, connection: BaseDBAsyncClient
    ) -> dict[tuple[int, str], int]:
        """Insert ``rows`` (values in ``inserted`` order); their new ids by (tenant id, sid).

        A sid its tenant has stored already is skipped (``skip_existing``), or else violates the
        unique index: the statement (and batch) fails. Another tenant's row with the same sid is
        no conflict.
        """
        if not rows:
            return {}
        if connection.capabilities.dialect == "postgres":
            found = await connection.execute_query_dict(
                self._insert_postgres, [*(list(column) for column in zip(*rows, strict=True)), now]
            )
        else:
            found = []
            per_statement = SQLITE_PARAMETERS // (len(self.inserted) + 2)
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                statement = self._insert_sqlite.format(
                    rows=", ".join([self._sqlite_row] * len(chunk))
                )
                values = [value for row in chunk for value in (*row, now, now)]
                found.extend(await connection.execute_query_dict(statement, values))
        return {(int(row["tenant_id"]), row["sid"]): int(row["id"]) for row in found}

    async def update(
        self,
        rows: Sequence[tuple[int, Sequence[Any]]],
        now: datetime,
        connection: BaseDBAsyncClient,
    ) -> None:
        """Write each ``(id, values in updated order)``."""
        if not rows:
            return
        if connection.capabilities.dialect == "postgres":
            columns = zip(*(values for _, values in rows), strict=True)
            await connection.execute_query(
                self._update_postgres,
                [[row_id for row_id, _ in rows], *(list(column) for column in columns), now],
            )
        else:
            await connection.execute_many(
                self._update_sqlite, [[*values, now, row_id] for row_id, values in rows]
            )


def _sent_as(column: Column) -> str:
    return "text" if column.type == "jsonb" else column.type


def _value(column: Column, name: str) -> str:
    return f"{name}::jsonb" if column.type == "jsonb" else name
