"""Conversations post-event webhooks: kept in the activity log (no entity of ours yet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, ActivityKind, ConversationEventSnapshot
from trunkline.ingestion.kind import Idempotent


@dataclass(frozen=True, kw_only=True)
class ConversationEventIngestion(Idempotent):
    """A Conversations event, announced as it came."""

    event: dict[str, str]

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        return [
            [
                ActivityDraft(
                    tenant_id=item.tenant_id,
                    kind=ActivityKind.CONVERSATION_EVENT,
                    entity_id=0,
                    number_id=None,
                    snapshot=ConversationEventSnapshot(item.event),
                )
            ]
            for item in items
        ]
