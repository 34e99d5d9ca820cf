"""messageUpdated with the fields reading added: each change brings the message as it is then."""

from __future__ import annotations

from datetime import datetime

from tests.subscriptions.client import subscribe
from tests.subscriptions.test_activity import admin_token
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import STATUS, message_sid, status
from trunkline.models import Message, PhoneNumber

MESSAGE_UPDATED = """
subscription Updated($id: ID!) {
  messageUpdated(id: $id) {
    id status errorCode statusHistory { status at applied } sentBy updatedAt createdAt
    receivedWhileInactive number { id phoneNumber ownerId }
  }
}
"""


async def test_message_updated_brings_the_history_and_number_as_they_are_at_each_change(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    sid = message_sid()
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "sent"))
    message = await Message.get(sid=sid)
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), MESSAGE_UPDATED, {"id": str(message.id)}
    ) as subscriber:
        first = (await subscriber.next())["messageUpdated"]
        # Assigned meanwhile: the next change shows the number as it is then.
        await PhoneNumber.filter(id=twilio_tenant.number.id).update(owner_id="auth0|amy")
        await twilio_tenant.post(
            STATUS, status(twilio_tenant, sid, "undelivered", ErrorCode="30003")
        )
        second = (await subscriber.next())["messageUpdated"]

    number = {
        "id": str(twilio_tenant.number.id),
        "phoneNumber": twilio_tenant.number.phone_number,
        "ownerId": None,
    }
    assert first["number"] == number
    assert second["number"] == {**number, "ownerId": "auth0|amy"}
    assert [(c["status"], c["applied"]) for c in first["statusHistory"]] == [("sent", True)]
    assert [(c["status"], c["applied"]) for c in second["statusHistory"]] == [
        ("sent", True),
        ("undelivered", True),
    ]
    assert (second["status"], second["errorCode"], second["sentBy"]) == ("undelivered", 30003, None)
    assert second["receivedWhileInactive"] is False
    assert datetime.fromisoformat(second["updatedAt"]) > datetime.fromisoformat(first["updatedAt"])
    assert second["createdAt"] == first["createdAt"]
