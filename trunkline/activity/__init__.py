"""A tenant's activity: what happened, as typed snapshots, in one ordered log per tenant.

- ``snapshots``: the entity an activity carries (message, call, recording, conversation event).
- ``notices``: the notice the bus carries and the log keeps, its kinds and channel name.
- ``cursor``: an event's position as clients see it.
- ``log``: append inside an ingestion transaction, replay after a seq.
- ``publisher``: committed notices onto the bus.
- ``stream``: replay then live, with no gap and no repeat.
- ``visibility``: who sees which event.

It sits below the services and the ingestion engine and above the transport (``events``) and
the models: nothing here imports services, GraphQL, HTTP or the ``Gateway``.
"""

from trunkline.activity.cursor import format_seq, parse_cursor
from trunkline.activity.log import (
    ActivityPruned,
    activity_after,
    append_activities,
    latest_seq,
)
from trunkline.activity.notices import (
    ActivityChannel,
    ActivityDraft,
    ActivityKind,
    ActivityNotice,
    Ingested,
    activity_channel_name,
    notice_of,
    notice_seq,
)
from trunkline.activity.publisher import PublishNotices, activity_publisher
from trunkline.activity.snapshots import (
    CallSnapshot,
    ConversationEventSnapshot,
    MessageSnapshot,
    RecordingSnapshot,
    Snapshot,
    StatusChange,
    UnknownSnapshot,
)
from trunkline.activity.stream import activity_stream
from trunkline.activity.visibility import Visibility, own_or_assigned, sees_every_number

__all__ = [
    "ActivityChannel",
    "ActivityDraft",
    "ActivityKind",
    "ActivityNotice",
    "ActivityPruned",
    "CallSnapshot",
    "ConversationEventSnapshot",
    "Ingested",
    "MessageSnapshot",
    "PublishNotices",
    "RecordingSnapshot",
    "Snapshot",
    "StatusChange",
    "UnknownSnapshot",
    "Visibility",
    "activity_after",
    "activity_channel_name",
    "activity_publisher",
    "activity_stream",
    "append_activities",
    "format_seq",
    "latest_seq",
    "notice_of",
    "notice_seq",
    "own_or_assigned",
    "parse_cursor",
    "sees_every_number",
]
