"""Who sees which of a tenant's activity: admins see all of it, agents that of their numbers
and what they did themselves wherever they did it (the messages they sent, the calls they placed
and those calls' recordings), so a number reassigned since takes none of it from them.

The one home of that rule: subscriptions filter each event through :class:`Visibility`, and the
list queries narrow their rows with :func:`own_or_assigned` (messages and calls alike: both have
a ``number_id`` and a ``user_id``; recordings go through their call).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery

from trunkline.activity.notices import ActivityNotice
from trunkline.activity.snapshots import CallSnapshot, MessageSnapshot, RecordingSnapshot
from trunkline.auth.principal import Principal, Role
from trunkline.models import PhoneNumber

# An agent's numbers are re-read this often, so a reassignment takes effect without a reconnect.
OWNERSHIP_REFRESH_SECONDS = 30.0


def sees_every_number(principal: Principal) -> bool:
    """Whether ``principal`` sees the activity of all its tenant's numbers (else: its own)."""
    return principal.has_role(Role.ADMIN)


async def number_ids_owned_by(*, tenant_id: int, user_id: str) -> frozenset[int]:
    """The numbers assigned to an agent: the activity it may see."""
    ids = await PhoneNumber.filter(tenant_id=tenant_id, owner_id=user_id).values_list(
        "id", flat=True
    )
    return frozenset(int(i) for i in ids)


def own_or_assigned(principal: Principal, *, tenant_id: int) -> Q | None:
    """The rows (of a model with ``number_id`` and ``user_id``: a message, a call) that
    ``principal`` sees: those on the numbers assigned to them and those they made themselves
    (sent, placed). None: every row of the tenant (an admin)."""
    if sees_every_number(principal):
        return None
    owned = PhoneNumber.filter(tenant_id=tenant_id, owner_id=principal.user_id).values("id")
    return Q(number_id__in=Subquery(owned)) | Q(user_id=principal.user_id)


@dataclass
class Visibility:
    """Which of the tenant's activity a principal may see, for as long as a subscription lives."""

    principal: Principal
    tenant_id: int
    owned: frozenset[int] | None = None  # None: not read yet (and never, for admins)
    loaded_at: float = 0.0
    sees_all: bool = field(init=False)  # read for every event: decided once

    def __post_init__(self) -> None:
        self.sees_all = sees_every_number(self.principal)

    async def refresh(self) -> None:
        """Re-read the agent's numbers when what was read is older than the refresh period."""
        if self.sees_all:
            return
        if self.owned is None or time.monotonic() - self.loaded_at > OWNERSHIP_REFRESH_SECONDS:
            self.owned = await number_ids_owned_by(
                tenant_id=self.tenant_id, user_id=self.principal.user_id
            )
            self.loaded_at = time.monotonic()

    async def allows_number(self, number_id: int | None) -> bool:
        """Whether the activity of ``number_id`` (None: of no number) is the principal's to see."""
        if self.sees_all:
            return True
        await self.refresh()
        return number_id is not None and self.owned is not None and number_id in self.owned

    async def allows_own_or_number(self, number_id: int | None, made_by: str | None) -> bool:
        """Whether something on ``number_id`` made by the user ``made_by`` (a message they sent,
        a call they placed or its recording; None: by nobody of ours) is the principal's to see:
        its number's, or made by the principal (:func:`own_or_assigned`, event by event)."""
        if made_by is not None and made_by == self.principal.user_id:
            return True
        return await self.allows_number(number_id)

    async def allows_message(self, number_id: int | None, sent_by: str | None) -> bool:
        """Whether a message on ``number_id``, sent by the user ``sent_by``, is the principal's."""
        return await self.allows_own_or_number(number_id, sent_by)

    async def allows_notice(self, notice: ActivityNotice) -> bool:
        """Whether the principal sees ``notice``: by its number, or as something they made (a
        message they sent, a call they placed, that call's recording)."""
        snapshot = notice.snapshot
        if isinstance(snapshot, MessageSnapshot | CallSnapshot):
            return await self.allows_own_or_number(notice.number_id, snapshot.user_id)
        if isinstance(snapshot, RecordingSnapshot):
            return await self.allows_own_or_number(notice.number_id, snapshot.placed_by)
        return await self.allows_number(notice.number_id)
