"""Rows written set-based: one INSERT for the rows a batch creates, one UPDATE for those it changes.

The ORM writes one statement per row (and ``bulk_create`` returns no ids). A :class:`RowWriter`
instead sends a batch's rows together, with the statements of ``statements`` for its table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from trunkline.ingestion import statements
from trunkline.ingestion.tables import Column, Table


class RowWriter:
    """Insert and update rows of one table; each row has an ``id`` and a ``sid`` unique per tenant.

    Its statements are composed once, on first use, from the table's columns.
    """

    def __init__(
        self,
        table: Table,
        *,
        updated: Collection[str] = (),
        skip_existing: bool = False,
        then_postgres: Callable[[str], str] | None = None,
    ) -> None:
        """``updated``: the columns an update writes. ``skip_existing``: a row whose sid its
        tenant has stored already is not inserted (and not returned) instead of failing the
        statement. ``then_postgres``: on PostgreSQL, a statement over the rows inserted
        (``inserted``), run by the INSERT itself (see :meth:`follows_up`)."""
        self.table = table
        self._updated = tuple(updated)
        self._skip_existing = skip_existing
        self._then_postgres = then_postgres

    def follows_up(self, connection: BaseDBAsyncClient) -> bool:
        """Whether :meth:`insert` on ``connection`` also runs ``then_postgres``: else the caller
        does what it would have."""
        return self._then_postgres is not None and connection.capabilities.dialect == "postgres"

    @cached_property
    def updated(self) -> tuple[Column, ...]:
        return tuple(self.table.column(name) for name in self._updated)

    @cached_property
    def _insert_postgres(self) -> str:
        return statements.insert_rows_postgres(
            self.table.name,
            self.table.columns,
            skip_existing=self._skip_existing,
            then=self._then_postgres,
        )

    @cached_property
    def _insert_sqlite(self) -> str:
        return statements.insert_rows_sqlite(
            self.table.name, self.table.columns, skip_existing=self._skip_existing
        )

    @cached_property
    def _update_postgres(self) -> str:
        return statements.update_rows_postgres(self.table.name, self.updated)

    @cached_property
    def _update_sqlite(self) -> str:
        return statements.update_row_sqlite(self.table.name, self.updated)

    def updated_values(self, row: Model) -> tuple[Any, ...]:
        """``row``'s values in ``updated`` order, as the statement binds them."""
        return tuple(column.sent(getattr(row, column.name)) for column in self.updated)

    async def insert(
        self, rows: Sequence[Sequence[Any]], now: datetime, connection: BaseDBAsyncClient
    ) -> dict[tuple[int, str], int]:
        """Insert ``rows`` (values in the table's column order); their new ids by (tenant id, sid).

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
            columns = self.table.columns
            placeholders = statements.sqlite_row(columns)
            per_statement = statements.SQLITE_PARAMETERS // (len(columns) + 2)
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                statement = self._insert_sqlite.format(rows=", ".join([placeholders] * len(chunk)))
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
