"""Many webhook deliveries applied in one transaction (group commit), each with its own rules.

Per delivery nothing changes: its receipt turns a redelivery into a no-op, its entity follows
the status rules, and its activity takes the tenant's next seqs. Per batch the fixed costs are
paid once: one transaction and commit, each tenant's row locked once, one receipt statement,
one seq reservation per tenant and one activity insert. A batch of one kind that can write all
of that in a single statement (inbound messages on PostgreSQL) does so: one round trip in all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from trunkline.activity import ActivityDraft, Ingested, append_activities
from trunkline.ingestion.kind import Ingestion, ReceiptKey
from trunkline.ingestion.statements import (
    INSERT_RECEIPTS_POSTGRES,
    INSERT_RECEIPTS_SQLITE,
    SQLITE_RECEIPTS_PER_STATEMENT,
)


async def ingest_batch(items: Sequence[Ingestion]) -> list[Ingested]:
    """Apply ``items`` atomically; one outcome per item, in order.

    A delivery whose receipt exists already (committed earlier, or earlier in this batch) is a
    duplicate: answered, nothing written. Everything or nothing is written: on any error the
    whole batch rolls back and the error propagates (the writer then retries items one by one).
    """
    if not items:
        return []
    first_of_key: dict[ReceiptKey, int] = {}
    for index, item in enumerate(items):
        first_of_key.setdefault(item.receipt_key, index)
    unique = [items[index] for index in first_of_key.values()]
    kind = type(unique[0])
    stored = None
    if all(type(item) is kind for item in unique):
        stored = await kind.store_alone(unique, connections.get("default"))
    if stored is None:
        stored = await _store_in_transaction(unique)
    outcomes = [Ingested(duplicate=True) for _ in items]
    for index, outcome in zip(first_of_key.values(), stored, strict=True):
        outcomes[index] = outcome
    return outcomes


async def _store_in_transaction(items: list[Ingestion]) -> list[Ingested]:
    """Receipts, then each run of one kind, then the activity, in one transaction block."""
    async with in_transaction() as connection:
        # On PostgreSQL the receipts' statement first locks the batch's tenants: each tenant's
        # deliveries apply one batch after another (across processes too), so two deliveries
        # about one new message cannot both create it, and the activity commits in seq order.
        # SQLite has one writer at a time.
        stored = await _insert_receipts(items, connection=connection)
        fresh = [index for index, item in enumerate(items) if item.receipt_key in stored]
        drafts: dict[int, list[ActivityDraft]] = {}
        for run in _runs_of_one_kind(fresh, items):
            kind = type(items[run[0]])
            applied = await kind.apply_many([items[index] for index in run], connection)
            drafts.update(zip(run, applied, strict=True))
        ordered = [draft for index in fresh for draft in drafts[index]]
        notices = iter(await append_activities(ordered, connection=connection))
    outcomes = [Ingested(duplicate=True) for _ in items]
    for index in fresh:
        outcomes[index] = Ingested(duplicate=False, notices=[next(notices) for _ in drafts[index]])
    return outcomes


def _runs_of_one_kind(indexes: list[int], items: Sequence[Ingestion]) -> Iterator[list[int]]:
    """Consecutive deliveries of one kind: each run is applied set-based where its kind can."""
    run: list[int] = []
    for index in indexes:
        if run and type(items[run[0]]) is not type(items[index]):
            yield run
            run = []
        run.append(index)
    if run:
        yield run


async def _insert_receipts(
    items: list[Ingestion], *, connection: BaseDBAsyncClient
) -> set[ReceiptKey]:
    """Insert the receipts that do not exist yet; the keys inserted.

    ``ON CONFLICT DO NOTHING`` waits for a concurrent transaction holding the same key (another
    process) and then skips it if that one committed: no exception, no aborted transaction.
    """
    now = datetime.now(UTC)
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(
            INSERT_RECEIPTS_POSTGRES,
            [
                [item.receipt_key[0] for item in items],
                [item.receipt_key[1] for item in items],
                [item.receipt_key[2] for item in items],
                now,
                sorted({item.tenant_id for item in items}),
            ],
        )
    else:
        rows = []
        for start in range(0, len(items), SQLITE_RECEIPTS_PER_STATEMENT):
            chunk = items[start : start + SQLITE_RECEIPTS_PER_STATEMENT]
            statement = INSERT_RECEIPTS_SQLITE.format(rows=", ".join(["(?, ?, ?, ?)"] * len(chunk)))
            values: list[object] = []
            for item in chunk:
                values.extend((*item.receipt_key, now))
            rows.extend(await connection.execute_query_dict(statement, values))
    return {(int(row["tenant_id"]), row["provider"], row["idempotency_key"]) for row in rows}
