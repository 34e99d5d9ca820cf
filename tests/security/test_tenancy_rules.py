"""Whose a request is: a webhook naming no account is the number's current holder's; a token's
tenant is its ``org_id`` (a string), and only a platform admin may come without one."""

from __future__ import annotations

import uuid

import pytest

from tests.support.graphql import GraphQLClient, error_codes
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_calls import CALL_STATUS, call_params, call_sid
from tests.webhooks.test_messaging import STATUS, message_sid, status
from trunkline.models import ActivityEvent, Call, Message, NumberStatus, PhoneNumber


def unique_number() -> str:
    """A number no other test's tenant holds (sandboxes share one catalogue of numbers)."""
    return f"+1555{uuid.uuid4().int % 10**7:07d}"


def without_account(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in params if name != "AccountSid"]


async def test_a_released_number_routes_no_callback_to_its_former_tenant(
    twilio_tenant: TwilioTenant,
) -> None:
    released = unique_number()
    await PhoneNumber.create(
        tenant_id=twilio_tenant.tenant_id,
        sid="PN" + uuid.uuid4().hex,
        phone_number=released,
        status=NumberStatus.RELEASED,
    )
    sid = message_sid()
    params = without_account(status(twilio_tenant, sid, "sent", From=released))

    response = await twilio_tenant.post(STATUS, params)

    assert response.status_code == 403
    assert await Message.filter(sid=sid).count() == 0
    assert await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).count() == 0


async def test_a_callback_about_an_unknown_call_is_filed_under_the_tenants_number(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()

    response = await twilio_tenant.post(
        CALL_STATUS, without_account(call_params(twilio_tenant, sid, "ringing", 1))
    )

    assert response.status_code == 200
    call = await Call.get(sid=sid)
    assert (call.tenant_id, call.number_id) == (  # type: ignore[attr-defined]
        twilio_tenant.tenant_id,
        twilio_tenant.number.id,
    )
    event = await ActivityEvent.get(tenant_id=twilio_tenant.tenant_id)
    assert (event.kind, event.entity_id, event.number_id) == (
        "CALL_STATUS",
        call.id,
        call.number_id,
    )  # type: ignore[attr-defined]


ME = "query Me { me { orgId roles } tenant { orgId } }"


async def test_a_platform_admin_without_an_organization_is_accepted_without_a_tenant(
    graphql: GraphQLClient, identity: IdentityProvider
) -> None:
    token = identity.token(org=None, roles=["platform-admin"])

    result = await graphql.execute(ME, token=token)

    assert result == {"data": {"me": {"orgId": None, "roles": ["platform-admin"]}, "tenant": None}}


@pytest.mark.parametrize("org_id", [42, ["org_alpha"], {"id": "org_alpha"}])
async def test_an_org_id_that_is_not_a_string_is_unauthenticated(
    graphql: GraphQLClient, identity: IdentityProvider, org_id: object
) -> None:
    token = identity.token(roles=["platform-admin"], org_id=org_id)

    result = await graphql.execute(ME, token=token)

    assert result["data"] is None
    assert error_codes(result) == ["UNAUTHENTICATED"]
