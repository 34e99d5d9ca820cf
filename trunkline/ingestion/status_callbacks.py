"""Status callbacks of messages and calls, applied a batch at a time.

A run of callbacks locks and reads the entities it names in one query, applies each callback in
arrival order against the entity as the callbacks before it left it (a ``sent`` then a
``delivered`` in one batch announce two states), and writes at the end: one INSERT for the
entities it creates (a callback about an unknown sid: sent outside Trunkline), one UPDATE for
those it changes. The adapters (``message_status``, ``calls``) say what a callback does to its
entity; this is how a run of them is read and written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, ActivityKind, CallSnapshot, MessageSnapshot
from trunkline.ingestion.rows import RowWriter

Snapshot = TypeVar("Snapshot", MessageSnapshot, CallSnapshot)
# Told of the rows a run inserted: (rows, the batch's time, the transaction's connection).
CreatedRows = Callable[[Sequence[Any], datetime, BaseDBAsyncClient], Awaitable[None]]


class StatusCallback(Protocol):
    """What a callback about one entity (found by its tenant's ``sid``) does to it."""

    @property
    def tenant_id(self) -> int: ...

    @property
    def sid(self) -> str: ...

    @property
    def kind(self) -> ActivityKind:
        """What the activity announcing this callback's change is."""
        ...

    def new_row(self, now: datetime) -> Any:
        """The (unsaved) entity a callback about an unknown sid creates, ``created_at`` ``now``."""
        ...

    def update_row(self, row: Any) -> bool:
        """Record the callback in ``row``'s history; apply it if it moves forward. Applied?"""
        ...


async def apply_status_callbacks(
    items: Sequence[StatusCallback],
    connection: BaseDBAsyncClient,
    rows: RowWriter,
    snapshot: Callable[[Any], Snapshot],
    created_rows: CreatedRows | None = None,
) -> list[list[ActivityDraft]]:
    """Apply a run of callbacks about ``rows``' entities; per callback, the activity announcing
    its change as ``snapshot`` shows the entity (none: recorded in history only).

    ``created_rows``, if given, is told of the entities the run inserted (ids set), in the same
    transaction: what else must be written with them (a message's thread).
    """
    now = datetime.now(UTC)
    stored = (
        await rows.table.model.filter(
            sid__in=list({item.sid for item in items}),
            tenant_id__in=list({item.tenant_id for item in items}),
        )
        .using_db(connection)
        .select_for_update()
    )
    entities = {(row.tenant_id, row.sid): row for row in stored}
    created: list[Any] = []
    changed: dict[int, Any] = {}
    # Each applied callback's snapshot is taken as it applies: a later one may change the row.
    announced: list[tuple[StatusCallback, Any, Snapshot] | None] = []
    for item in items:
        key = (item.tenant_id, item.sid)
        row = entities.get(key)
        if row is None:
            row = entities[key] = item.new_row(now)
            created.append(row)
            applied = True
        else:
            applied = item.update_row(row)
            if row.id is not None:  # else created by this run: inserted as it ends
                changed[row.id] = row
        # As the writes below leave it: announced as it will read.
        row.updated_at = now
        announced.append((item, row, snapshot(row)) if applied else None)
    ids = await rows.insert([rows.table.values(row) for row in created], now, connection)
    for row in created:
        row.id = ids[row.tenant_id, row.sid]
        row.updated_at = now
    if created and created_rows is not None:
        await created_rows(created, now, connection)
    await rows.update(
        [(row_id, rows.updated_values(row)) for row_id, row in changed.items()], now, connection
    )
    drafts: list[list[ActivityDraft]] = []
    for entry in announced:
        if entry is None:
            drafts.append([])
            continue
        item, row, shown = entry
        draft = ActivityDraft(
            tenant_id=row.tenant_id,
            kind=item.kind,
            entity_id=row.id,
            number_id=row.number_id,
            # An entity created by this run has its id only now.
            snapshot=replace(shown, id=row.id),
        )
        drafts.append([draft])
    return drafts
