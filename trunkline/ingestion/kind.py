"""What a delivery is to the engine: its receipt, and the one protocol every kind follows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Protocol, Self, final

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, Ingested

# (tenant id, provider, SHA-256 of the idempotency key): what a receipt is unique by.
ReceiptKey = tuple[int, str, str]


@final
class Deferred:
    """Not stored, nothing written: the delivery's tenant was held by another transaction (on
    PostgreSQL, another process's batch) and the batch went on without it. Its request is not
    answered; the writer puts it back at the head of its queue for the next batch."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEFERRED"


DEFERRED = Deferred()


class Ingestion(Protocol):
    """One verified delivery the engine can store; its class applies a run of them at once."""

    @property
    def tenant_id(self) -> int: ...

    @property
    def receipt_key(self) -> ReceiptKey: ...

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        """Write the entity changes of adjacent deliveries of this kind (distinct receipts, in
        order) inside the batch's transaction; per delivery, the activity it announces (none:
        nothing changed)."""
        ...

    @classmethod
    async def store_alone(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient, *, skip_held: bool
    ) -> list[Ingested | Deferred] | None:
        """Store a batch made only of this kind whole (receipts, entities, activity) in one
        statement, committed on its own; None: it cannot here (then :meth:`apply_many` runs).

        ``skip_held``: a tenant whose row another transaction holds is skipped rather than
        waited for, its deliveries :data:`DEFERRED` (see ``trunkline.ingestion.batch``)."""
        ...


@dataclass(frozen=True, kw_only=True)
class Idempotent:
    """The part every delivery shares: whose it is, and what makes a redelivery the same one.

    It also says that a kind stores nothing alone (:meth:`store_alone`), unless it says so.
    """

    provider: ClassVar[str] = "twilio"

    tenant_id: int
    # What makes a redelivery the same delivery (any length: the receipt holds its digest).
    idempotency_key: str

    @cached_property
    def receipt_key(self) -> ReceiptKey:
        """The receipt's unique key: the tenant's own, so no other tenant's delivery can be taken
        for a redelivery of this one; the idempotency key as its SHA-256, so two long keys that
        differ only past the column's length are not merged by truncation."""
        digest = hashlib.sha256(self.idempotency_key.encode("utf-8")).hexdigest()
        return self.tenant_id, self.provider, digest

    @classmethod
    async def store_alone(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient, *, skip_held: bool
    ) -> list[Ingested | Deferred] | None:
        return None
