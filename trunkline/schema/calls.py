"""GraphQL types for calls and their recordings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from trunkline.graphql.context import Info
from trunkline.models import Direction as DirectionValue
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
    def from_snapshot(cls, snapshot: dict[str, Any]) -> Recording:
        return cls(
            id=strawberry.ID(str(snapshot["id"])),
            sid=snapshot["sid"],
            call_id=strawberry.ID(str(snapshot["call_id"])),
            duration=snapshot.get("duration"),
            status=snapshot["status"],
        )

    @classmethod
    def from_row(cls, row: RecordingRow) -> Recording:
        return cls.from_snapshot(service.recording_snapshot(row))


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
    def from_snapshot(cls, snapshot: dict[str, Any], *, tenant_id: int) -> Call:
        created = snapshot.get("created_at")
        number_id = snapshot.get("number_id")
        return cls(
            id=strawberry.ID(str(snapshot["id"])),
            sid=snapshot.get("sid"),
            direction=DirectionValue(snapshot["direction"]),
            from_=snapshot.get("from") or "",
            to=snapshot.get("to") or "",
            status=snapshot["status"],
            duration=snapshot.get("duration"),
            number_id=strawberry.ID(str(number_id)) if number_id is not None else None,
            created_at=datetime.fromisoformat(created) if created else None,
            tenant_id=tenant_id,
        )
