"""Status ordering through the signed webhooks: every pair that matters, one row each.

Each row sets the current status with a first callback, sends the incoming one, and asserts the
resulting status, the history (the late callback is recorded, applied or not) and the activity
(announced only when applied). Every row fails if a rule is broken: a rank compared with ``>=``
instead of ``>``, a terminal status left, a status of unknown rank applied, a sequence ignored.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_calls import CALL_STATUS, call_params, call_sid
from tests.webhooks.test_messaging import STATUS, message_sid, status
from trunkline.models import ActivityEvent, Call, Message


class MessageRow(NamedTuple):
    current: str
    incoming: str
    applied: bool


MESSAGE_TRANSITIONS = [
    # Forward, one step or several.
    MessageRow("accepted", "queued", applied=True),
    MessageRow("queued", "sent", applied=True),
    MessageRow("sent", "delivered", applied=True),
    MessageRow("sent", "undelivered", applied=True),
    MessageRow("sent", "failed", applied=True),
    MessageRow("delivered", "read", applied=True),
    # Backwards, or sideways within one rank: never applied.
    MessageRow("delivered", "sent", applied=False),
    MessageRow("delivered", "failed", applied=False),
    MessageRow("delivered", "undelivered", applied=False),
    MessageRow("accepted", "scheduled", applied=False),
    MessageRow("sent", "sent", applied=False),
    # Terminal: nothing follows, not even a higher rank.
    MessageRow("failed", "read", applied=False),
    MessageRow("undelivered", "read", applied=False),
    MessageRow("canceled", "read", applied=False),
    MessageRow("received", "read", applied=False),
    MessageRow("read", "delivered", applied=False),
    # A status of unknown rank is history only; a known one replaces it.
    MessageRow("sent", "teleported", applied=False),
    MessageRow("failed", "teleported", applied=False),
    MessageRow("teleported", "sent", applied=True),
]


@pytest.mark.parametrize(
    "row", MESSAGE_TRANSITIONS, ids=lambda row: f"{row.current}>{row.incoming}"
)
async def test_message_status_callback_moves_forward_only_and_history_keeps_every_callback(
    twilio_tenant: TwilioTenant, row: MessageRow
) -> None:
    sid = message_sid()
    first = await twilio_tenant.post(STATUS, status(twilio_tenant, sid, row.current))
    assert first.status_code == 200

    response = await twilio_tenant.post(STATUS, status(twilio_tenant, sid, row.incoming))

    assert response.status_code == 200
    expected = row.incoming if row.applied else row.current
    message = await Message.get(sid=sid)
    assert message.status == expected
    assert [(e["status"], e["applied"]) for e in message.status_history] == [
        (row.current, True),
        (row.incoming, row.applied),
    ]
    events = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).order_by("seq")
    assert [(e.kind, e.payload["status"]) for e in events] == [
        ("MESSAGE_STATUS", row.current),
        *([("MESSAGE_STATUS", row.incoming)] if row.applied else []),
    ]


async def test_a_late_callbacks_error_code_does_not_replace_the_applied_one(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "failed", ErrorCode="30008"))

    response = await twilio_tenant.post(
        STATUS, status(twilio_tenant, sid, "undelivered", ErrorCode="30005")
    )

    assert response.status_code == 200
    message = await Message.get(sid=sid)
    assert (message.status, message.error_code) == ("failed", 30008)


async def test_an_applied_callback_without_an_error_code_keeps_the_earlier_one(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "sent", ErrorCode="30007"))

    response = await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "delivered"))

    assert response.status_code == 200
    message = await Message.get(sid=sid)
    assert (message.status, message.error_code) == ("delivered", 30007)


class CallRow(NamedTuple):
    current: str
    current_sequence: int | None
    incoming: str
    incoming_sequence: int | None
    applied: bool


CALL_TRANSITIONS = [
    # Without SequenceNumber: the status order decides.
    CallRow("ringing", None, "in-progress", None, applied=True),
    CallRow("in-progress", None, "completed", None, applied=True),
    CallRow("in-progress", None, "ringing", None, applied=False),
    CallRow("initiated", None, "queued", None, applied=False),
    CallRow("queued", None, "initiated", None, applied=True),  # a placed call, then its progress
    CallRow("ringing", None, "ringing", None, applied=False),
    # With SequenceNumber on both: the sequence decides, even against the status order.
    CallRow("ringing", 1, "in-progress", 2, applied=True),
    CallRow("in-progress", 2, "ringing", 1, applied=False),
    CallRow("in-progress", 2, "ringing", 3, applied=True),
    CallRow("ringing", 1, "in-progress", 1, applied=False),
    # A sequence on one side only: the status order decides.
    CallRow("ringing", 1, "in-progress", None, applied=True),
    CallRow("in-progress", 2, "ringing", None, applied=False),
    CallRow("ringing", None, "in-progress", 2, applied=True),
    CallRow("in-progress", None, "ringing", 5, applied=False),
    # Terminal: nothing follows, whatever its sequence.
    CallRow("completed", 3, "ringing", 4, applied=False),
    CallRow("busy", 3, "completed", 4, applied=False),
    CallRow("no-answer", None, "completed", None, applied=False),
    CallRow("failed", None, "canceled", None, applied=False),
    # A status of unknown rank is history only; a known one replaces it.
    CallRow("ringing", 1, "teleported", 2, applied=False),
    CallRow("teleported", None, "ringing", None, applied=True),
]


def _call_id(row: CallRow) -> str:
    def side(value: str, sequence: int | None) -> str:
        return value if sequence is None else f"{value}#{sequence}"

    return f"{side(row.current, row.current_sequence)}>{side(row.incoming, row.incoming_sequence)}"


@pytest.mark.parametrize("row", CALL_TRANSITIONS, ids=_call_id)
async def test_call_status_callback_follows_sequence_then_status_order_and_keeps_history(
    twilio_tenant: TwilioTenant, row: CallRow
) -> None:
    sid = call_sid()
    first = await twilio_tenant.post(
        CALL_STATUS, call_params(twilio_tenant, sid, row.current, row.current_sequence)
    )
    assert first.status_code == 200

    response = await twilio_tenant.post(
        CALL_STATUS, call_params(twilio_tenant, sid, row.incoming, row.incoming_sequence)
    )

    assert response.status_code == 200
    call = await Call.get(sid=sid)
    if not row.applied:
        expected = (row.current, row.current_sequence)
    elif row.incoming_sequence is None:
        expected = (row.incoming, row.current_sequence)
    else:
        expected = (row.incoming, row.incoming_sequence)
    assert (call.status, call.last_sequence) == expected
    assert [(e["status"], e["sequence"], e["applied"]) for e in call.status_history] == [
        (row.current, row.current_sequence, True),
        (row.incoming, row.incoming_sequence, row.applied),
    ]
    events = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).order_by("seq")
    assert [(e.kind, e.payload["status"]) for e in events] == [
        ("CALL_STATUS", row.current),
        *([("CALL_STATUS", row.incoming)] if row.applied else []),
    ]


async def test_a_late_call_callback_does_not_change_the_duration(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    await twilio_tenant.post(
        CALL_STATUS, call_params(twilio_tenant, sid, "completed", 3, CallDuration="42")
    )

    response = await twilio_tenant.post(
        CALL_STATUS, call_params(twilio_tenant, sid, "in-progress", 2, CallDuration="7")
    )

    assert response.status_code == 200
    call = await Call.get(sid=sid)
    assert (call.status, call.last_sequence, call.duration) == ("completed", 3, 42)


async def test_an_applied_call_callback_sets_the_duration_and_one_without_keeps_it(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    await twilio_tenant.post(CALL_STATUS, call_params(twilio_tenant, sid, "ringing", 1))
    await twilio_tenant.post(
        CALL_STATUS, call_params(twilio_tenant, sid, "completed", 3, CallDuration="42")
    )
    after_completed = await Call.get(sid=sid)

    await twilio_tenant.post(CALL_STATUS, call_params(twilio_tenant, sid, "in-progress", 2))

    call = await Call.get(sid=sid)
    assert (after_completed.status, after_completed.duration) == ("completed", 42)
    assert (call.status, call.duration) == ("completed", 42)
