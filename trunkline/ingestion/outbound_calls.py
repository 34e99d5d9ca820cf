"""Calls the gateway placed (``placeCall``), recorded and announced.

Twilio accepted the call before it is recorded here, so its status callbacks may already have
arrived: ``calls.CallIngestion`` then created the row from what a callback knows (addresses,
status, the number it came from). This adapter merges into that row what only the caller knows
(who placed it, where it is bridged; the number too, should the callback not have named it) and
never moves its status backwards. Either way the call is announced once, as ``CALL_STATUS`` (the
activity kinds have no "placed": its status, ``queued`` or later, says it), with a receipt of the
sid's own, so a retry records nothing twice. The client's idempotency claim, if any, learns its
call in the same transaction.

Placed calls are few next to webhooks: each is written through the ORM, one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, ActivityKind, CallSnapshot
from trunkline.ingestion.kind import Idempotent
from trunkline.models import Call, Direction, IdempotentRequest
from trunkline.services.calling import PlacedCall
from trunkline.services.calls import call_history_entry, call_status_supersedes

# What a merge writes into a row a status callback created (its status only if it moves forward).
MERGED_FIELDS = (
    "direction",
    "from_address",
    "to_address",
    "number_id",
    "user_id",
    "bridge_to",
    "status",
    "status_history",
    "updated_at",
)


@dataclass(frozen=True, kw_only=True)
class OutboundCallIngestion(Idempotent):
    """Record a placed call (inserted, or merged into the row its callbacks created)."""

    call: PlacedCall
    # The idempotency claim (``IdempotentRequest.id``) this call answers, if the client sent a key.
    claim_id: int | None = None

    @classmethod
    def of(
        cls, *, tenant_id: int, call: PlacedCall, claim_id: int | None = None
    ) -> OutboundCallIngestion:
        # Its own receipt namespace: no webhook's key can take it for a redelivery.
        return cls(
            tenant_id=tenant_id,
            idempotency_key=f"call-placed:{call.sid}",
            call=call,
            claim_id=claim_id,
        )

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        return [await item._store(connection) for item in items]

    async def _store(self, connection: BaseDBAsyncClient) -> list[ActivityDraft]:
        placed = self.call
        row = (
            await Call.filter(tenant_id=self.tenant_id, sid=placed.sid)
            .using_db(connection)
            .select_for_update()
            .first()
        )
        if row is None:
            row = self.new_row()
            await row.save(using_db=connection)
        else:
            self.merge_into(row)
            await row.save(using_db=connection, update_fields=list(MERGED_FIELDS))
        if self.claim_id is not None:
            await (
                IdempotentRequest.filter(id=self.claim_id)
                .using_db(connection)
                .update(entity_id=row.id)
            )
        return [
            ActivityDraft(
                tenant_id=self.tenant_id,
                kind=ActivityKind.CALL_STATUS,
                entity_id=row.id,
                number_id=placed.number_id,
                snapshot=CallSnapshot.of(row),
            )
        ]

    def new_row(self) -> Call:
        placed = self.call
        return Call(
            tenant_id=self.tenant_id,
            sid=placed.sid,
            direction=Direction.OUTBOUND,
            from_address=placed.from_address,
            to_address=placed.to_address,
            status=placed.status,
            status_history=[call_history_entry(placed.status, None, applied=True)],
            number_id=placed.number_id,
            user_id=placed.user_id,
            bridge_to=placed.bridge_to,
        )

    def merge_into(self, row: Call) -> None:
        """Fill in what the callbacks could not know; the status only moves forward."""
        placed = self.call
        row.direction = Direction.OUTBOUND
        # A row a recording callback created knows no addresses; a status callback's are Twilio's.
        row.from_address = row.from_address or placed.from_address
        row.to_address = row.to_address or placed.to_address
        row.number_id = placed.number_id  # type: ignore[assignment]
        row.user_id = placed.user_id
        row.bridge_to = placed.bridge_to
        applied = call_status_supersedes(
            placed.status, row.status, sequence=None, last_sequence=row.last_sequence
        )
        row.status_history = [
            *(row.status_history or []),
            call_history_entry(placed.status, None, applied=applied),
        ]
        if applied:
            row.status = placed.status
