"""Status callbacks of messages and calls, applied a batch at a time.

A run of callbacks locks and reads the entities it names in one query, applies each callback in
arrival order against the entity as the callbacks before it left it (a ``sent`` then a
``delivered`` in one batch announce two states), and writes at the end: one INSERT for the
entities it creates (a callback about an unknown sid: sent outside Trunkline), one UPDATE for
those it changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from trunkline.activity import ActivityDraft, ActivityKind, CallSnapshot, MessageSnapshot
from trunkline.services.ingestion import Ingestion
from trunkline.services.rows import RowWriter


@dataclass(frozen=True, kw_only=True)
class StatusCallbackIngestion(Ingestion):
    """A callback about one entity (``model``, found by the tenant's ``sid``); subclasses say how
    it applies."""

    model: ClassVar[type[Model]]
    rows: ClassVar[RowWriter]

    @property
    def sid(self) -> str:
        raise NotImplementedError

    def new_row(self, now: datetime) -> Any:
        """The (unsaved) entity a callback about an unknown sid creates, ``created_at`` ``now``."""
        raise NotImplementedError

    def update_row(self, row: Any) -> bool:
        """Record the callback in ``row``'s history; apply it if it moves forward. Applied?"""
        raise NotImplementedError

    @property
    def kind(self) -> ActivityKind:
        """What the activity announcing this callback's change is."""
        raise NotImplementedError

    def draft(self, row: Any, snapshot: MessageSnapshot | CallSnapshot) -> ActivityDraft:
        """The activity announcing ``row`` as ``snapshot`` shows it."""
        return ActivityDraft(
            tenant_id=row.tenant_id,
            kind=self.kind,
            entity_id=row.id,
            number_id=row.number_id,
            snapshot=snapshot,
        )

    @staticmethod
    def snapshot(row: Any) -> MessageSnapshot | CallSnapshot:
        raise NotImplementedError

    @staticmethod
    def inserted_values(row: Any) -> tuple[Any, ...]:
        """``row``'s values in ``rows.inserted`` order."""
        raise NotImplementedError

    @staticmethod
    def updated_values(row: Any) -> tuple[Any, ...]:
        """``row``'s values in ``rows.updated`` order."""
        raise NotImplementedError

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        now = datetime.now(UTC)
        stored = (
            await cls.model.filter(
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
        announced: list[tuple[Self, Any, MessageSnapshot | CallSnapshot] | None] = []
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
            announced.append((item, row, cls.snapshot(row)) if applied else None)
        ids = await cls.rows.insert([cls.inserted_values(row) for row in created], now, connection)
        for row in created:
            row.id = ids[row.tenant_id, row.sid]
            row.updated_at = now
        await cls.rows.update(
            [(row_id, cls.updated_values(row)) for row_id, row in changed.items()], now, connection
        )
        drafts: list[list[ActivityDraft]] = []
        for entry in announced:
            if entry is None:
                drafts.append([])
                continue
            item, row, snapshot = entry
            # An entity created by this run has its id only now.
            drafts.append([item.draft(row, replace(snapshot, id=row.id))])
        return drafts
