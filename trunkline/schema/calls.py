"""GraphQL types for calls and their recordings."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.activity import CallSnapshot, RecordingSnapshot
from trunkline.graphql.context import Info
from trunkline.models import Recording as RecordingRow
from trunkline.schema.messages import Direction
from trunkline.services import calls as service


@strawberry.type(description="A call recording.")
class Recording:
    id: strawberry.ID
    sid: str
    call_id: strawberry.ID
    duration: int | None
    status: str

    @classmethod
    def from_snapshot(cls, snapshot: RecordingSnapshot) -> Recording:
        return cls(
            id=strawberry.ID(str(snapshot.id)),
            sid=snapshot.sid,
            call_id=strawberry.ID(str(snapshot.call_id)),
            duration=snapshot.duration,
            status=snapshot.status,
        )

    @classmethod
    def from_row(cls, row: RecordingRow) -> Recording:
        return cls.from_snapshot(RecordingSnapshot.of(row))


@strawberry.type(description="A phone call.")
class Call:
    id: strawberry.ID
    sid: str | None
    direction: Direction
    from_: str = strawberry.field(name="from")
    to: str
    status: str = strawberry.field(description="Twilio's status; a status new to us is kept.")
    duration: int | None
    number_id: strawberry.ID | None
    created_at: datetime | None
    tenant_id: strawberry.Private[int]

    @strawberry.field(description="The call's recordings, oldest first.")
    async def recordings(self, info: Info) -> list[Recording]:
        rows = await service.recordings_of_call(tenant_id=self.tenant_id, call_id=int(self.id))
        return [Recording.from_row(row) for row in rows]

    @classmethod
    def from_snapshot(cls, snapshot: CallSnapshot, *, tenant_id: int) -> Call:
        number_id = snapshot.number_id
        return cls(
            id=strawberry.ID(str(snapshot.id)),
            sid=snapshot.sid,
            direction=snapshot.direction,
            from_=snapshot.from_address,
            to=snapshot.to_address,
            status=snapshot.status,
            duration=snapshot.duration,
            number_id=strawberry.ID(str(number_id)) if number_id is not None else None,
            created_at=snapshot.created_at,
            tenant_id=tenant_id,
        )
