"""The SMS success rate per tenant: outbound messages counted as they reach a final status.

Counted from committed activity (the ingestion writer's announcements), so a duplicate webhook
(no activity) and a late status that does not apply (recorded in history only, no activity)
count nothing: each message counts once per final status it moves into.
"""

from __future__ import annotations

from collections.abc import Sequence

from trunkline import metrics
from trunkline.activity.notices import ActivityKind, ActivityNotice
from trunkline.activity.snapshots import MessageSnapshot
from trunkline.models import Direction

FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed"})


class MessageOutcomes:
    """Counts ``trunkline_messages_final_total{tenant, status}``; owned by the Gateway.

    The tenant label is the tenant's id (an organization's id is the client's to read in
    ``tenant``; the gateway's id says nothing about it), bounded by ``tenants``.
    """

    def __init__(self, tenants: metrics.BoundedLabels) -> None:
        self.tenants = tenants

    def notice(self, notices: Sequence[ActivityNotice]) -> None:
        for notice in notices:
            snapshot = notice.snapshot
            if (
                notice.kind == ActivityKind.MESSAGE_STATUS
                and isinstance(snapshot, MessageSnapshot)
                and snapshot.direction is Direction.OUTBOUND
                and snapshot.status in FINAL_STATUSES
            ):
                tenant = self.tenants(str(notice.tenant_id))
                metrics.MESSAGES_FINAL.labels(tenant, snapshot.status).inc()
