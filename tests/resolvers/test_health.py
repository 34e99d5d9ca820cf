"""twilioHealth and repairNumberWebhooks through GraphQL, against the sandbox carrier.

The sandbox's control API plays what a person does in Twilio's Console behind the gateway's
back: point a number's webhook elsewhere, rotate the auth token.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.sandbox.conformance import ExchangeRecorder
from tests.support.graphql import error_codes
from tests.support.tenancy import Tenant
from trunkline.models import NumberStatus, PhoneNumber, TwilioSettings
from trunkline.models import Tenant as TenantRow
from trunkline.sandbox import Sandbox
from trunkline.services.callbacks import Callback, callback_url

HEALTH = """
query Health($refresh: Boolean) {
  twilioHealth(refresh: $refresh) {
    configured enabled lastWebhookAt
    check {
      checkedAt credentials providerCode
      driftedNumbers { numberId sid phoneNumber missingAtTwilio
        mismatches { field expected actual } }
      conversations { state serviceSid postWebhookUrl }
    }
    refusals { reason route at phoneNumber }
  }
}
"""
REPAIR = """
mutation { repairNumberWebhooks {
  __typename
  ... on NumberWebhooksRepaired {
    repaired { numberId phoneNumber mismatches { field expected actual } }
    missingAtTwilio { numberId }
  }
  ... on Error { code message }
} }
"""
DELETE = """
mutation Delete($release: Boolean!) {
  deleteTwilioCredentials(releaseNumbers: $release) {
    __typename ... on DeleteTwilioCredentialsPayload { deleted } ... on Error { code message }
  }
}
"""
CONFIGURE_CONVERSATIONS = "mutation { configureConversationsWebhook { __typename } }"
ELSEWHERE = "https://elsewhere.example.com/sms"
MESSAGING = "/webhooks/twilio/messaging"


async def health(tenant: Tenant, *, as_: str = "admin", refresh: bool = False) -> dict[str, Any]:
    result = await tenant.execute(HEALTH, {"refresh": refresh}, as_=as_)
    assert "errors" not in result, result
    return dict(result["data"]["twilioHealth"])


async def point_elsewhere(carrier: str, phone_number: str) -> None:
    async with httpx.AsyncClient(base_url=carrier) as http:
        response = await http.post(
            "/control/numbers/webhooks", json={"phone_number": phone_number, "sms_url": ELSEWHERE}
        )
        response.raise_for_status()


async def rotate_token(carrier: str, account_sid: str) -> str:
    async with httpx.AsyncClient(base_url=carrier) as http:
        response = await http.post(f"/control/accounts/{account_sid}/auth-token")
        response.raise_for_status()
        return str(response.json()["auth_token"])


def sandbox_sms_url(exchanges: ExchangeRecorder, phone_number: str) -> str | None:
    sandbox: Sandbox = exchanges.state.sandbox
    number = sandbox.store.number_by_value(phone_number)
    assert number is not None
    return number.sms_url


async def post_inbound(gateway: str, *, to: str, token: str, account_sid: str) -> int:
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": account_sid,
        "From": "+14155550123",
        "To": to,
        "Body": "hi",
        "NumMedia": "0",
    }
    signature = RequestValidator(token).compute_signature(gateway + MESSAGING, params)
    async with httpx.AsyncClient(base_url=gateway) as http:
        response = await http.post(
            MESSAGING, data=params, headers={"X-Twilio-Signature": signature}
        )
    return response.status_code


async def tenant_id_of(tenant: Tenant) -> int:
    return (await TenantRow.get(org_id=tenant.org)).id


# Health


async def test_a_healthy_tenant_has_accepted_credentials_and_no_drift(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier)

    view = await health(tenant)

    assert (view["configured"], view["enabled"]) == (True, True)
    assert view["check"]["credentials"] == "ACCEPTED"
    assert view["check"]["driftedNumbers"] == []
    assert view["check"]["conversations"]["state"] == "NOT_USED"
    assert view["refusals"] == []


async def test_an_unconfigured_tenant_has_no_check(tenant: Tenant) -> None:
    view = await health(tenant, as_="support")

    assert view == {
        "configured": False,
        "enabled": False,
        "lastWebhookAt": None,
        "check": None,
        "refusals": [],
    }


async def test_a_number_pointed_elsewhere_is_reported_with_what_it_should_be(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    await point_elsewhere(carrier, bought["phoneNumber"])

    view = await health(tenant)

    assert view["check"]["driftedNumbers"] == [
        {
            "numberId": bought["id"],
            "sid": bought["sid"],
            "phoneNumber": bought["phoneNumber"],
            "missingAtTwilio": False,
            "mismatches": [
                {
                    "field": "sms_url",
                    "expected": callback_url(gateway, Callback.MESSAGING),
                    "actual": ELSEWHERE,
                }
            ],
        }
    ]


async def test_repair_points_the_number_back_here_once(
    tenant: Tenant, carrier: str, gateway: str, carrier_exchanges: ExchangeRecorder
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    await point_elsewhere(carrier, bought["phoneNumber"])
    await health(tenant)  # the drift is seen, and the check kept

    first = await tenant.execute(REPAIR, as_="support")
    after_repair = sandbox_sms_url(carrier_exchanges, bought["phoneNumber"])
    second = await tenant.execute(REPAIR, as_="admin")
    view = await health(tenant)

    assert first["data"]["repairNumberWebhooks"] == {
        "__typename": "NumberWebhooksRepaired",
        "repaired": [
            {
                "numberId": bought["id"],
                "phoneNumber": bought["phoneNumber"],
                "mismatches": [
                    {
                        "field": "sms_url",
                        "expected": callback_url(gateway, Callback.MESSAGING),
                        "actual": ELSEWHERE,
                    }
                ],
            }
        ],
        "missingAtTwilio": [],
    }
    assert after_repair == callback_url(gateway, Callback.MESSAGING)
    assert second["data"]["repairNumberWebhooks"] == {
        "__typename": "NumberWebhooksRepaired",
        "repaired": [],
        "missingAtTwilio": [],
    }
    assert view["check"]["driftedNumbers"] == []  # the repair dropped the kept check


async def test_credentials_twilio_no_longer_accepts_are_reported_refused(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    await rotate_token(carrier, tenant.account.account_sid)

    view = await health(tenant, as_="support")
    repair = await tenant.execute(REPAIR, as_="admin")

    assert (view["check"]["credentials"], view["check"]["providerCode"]) == ("REFUSED", 20003)
    assert view["check"]["driftedNumbers"] == []
    assert repair["data"]["repairNumberWebhooks"]["code"] == "PROVIDER_ERROR"


async def test_twilio_is_asked_again_only_on_a_refresh_after_the_minimum_interval(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    first = await health(tenant)
    await rotate_token(carrier, tenant.account.account_sid)

    kept = await health(tenant)
    refreshed_too_soon = await health(tenant, refresh=True)

    assert kept["check"] == first["check"]
    assert refreshed_too_soon["check"] == first["check"]
    assert first["check"]["credentials"] == "ACCEPTED"


async def test_the_conversations_webhook_is_checked_once_configured(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio(carrier)
    unused = await health(tenant)
    configured = await tenant.execute(CONFIGURE_CONVERSATIONS, as_="support")
    assert configured["data"]["configureConversationsWebhook"]["__typename"] == (
        "ConversationsWebhook"
    )

    view = await health(tenant)

    assert unused["check"]["conversations"]["state"] == "NOT_USED"
    conversations = view["check"]["conversations"]  # configuring dropped the kept check
    assert conversations["state"] == "POINTS_HERE"
    assert conversations["serviceSid"].startswith("IS")
    assert conversations["postWebhookUrl"] == callback_url(gateway, Callback.CONVERSATIONS)


async def test_a_badly_signed_webhook_is_listed_with_its_reason(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    before = datetime.now(UTC)

    status = await post_inbound(
        gateway, to=bought["phoneNumber"], token="0" * 32, account_sid=tenant.account.account_sid
    )
    view = await health(tenant)

    assert status == 403
    [refusal] = view["refusals"]
    assert (refusal["reason"], refusal["route"], refusal["phoneNumber"]) == (
        "BAD_SIGNATURE",
        MESSAGING,
        bought["phoneNumber"],
    )
    assert datetime.fromisoformat(refusal["at"]) >= before
    assert view["lastWebhookAt"] is None  # a refused webhook did not arrive


async def test_the_last_webhook_time_is_that_of_the_last_verified_webhook(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    before = datetime.now(UTC)

    status = await post_inbound(
        gateway,
        to=bought["phoneNumber"],
        token=tenant.account.auth_token,
        account_sid=tenant.account.account_sid,
    )
    view = await health(tenant)

    assert status == 200
    assert before <= datetime.fromisoformat(view["lastWebhookAt"]) <= datetime.now(UTC)
    assert view["refusals"] == []


# Roles and tenants


@pytest.mark.parametrize("roles", [(), ("agent",), ("platform-admin",)])
async def test_only_support_and_admins_read_health(
    tenant: Tenant, carrier: str, roles: tuple[str, ...]
) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(HEALTH, as_=roles)

    assert error_codes(result) == ["FORBIDDEN"]


@pytest.mark.parametrize("roles", [(), ("agent",), ("platform-admin",)])
async def test_only_support_and_admins_repair_and_a_refusal_changes_nothing(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder, roles: tuple[str, ...]
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    await point_elsewhere(carrier, bought["phoneNumber"])

    result = await tenant.execute(REPAIR, as_=roles)

    assert error_codes(result) == ["FORBIDDEN"]
    assert sandbox_sms_url(carrier_exchanges, bought["phoneNumber"]) == ELSEWHERE


async def test_a_tenant_sees_and_repairs_only_its_own_numbers(
    tenant: Tenant,
    other_tenant: Tenant,
    carrier: str,
    gateway: str,
    carrier_exchanges: ExchangeRecorder,
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    await point_elsewhere(carrier, bought["phoneNumber"])
    await post_inbound(
        gateway, to=bought["phoneNumber"], token="0" * 32, account_sid=tenant.account.account_sid
    )
    await other_tenant.connect_twilio(carrier)

    others_view = await health(other_tenant)
    others_repair = await other_tenant.execute(REPAIR, as_="admin")
    own_view = await health(tenant)

    assert others_view["check"]["driftedNumbers"] == []
    assert others_view["refusals"] == []
    assert others_repair["data"]["repairNumberWebhooks"]["repaired"] == []
    assert sandbox_sms_url(carrier_exchanges, bought["phoneNumber"]) == ELSEWHERE
    assert [n["numberId"] for n in own_view["check"]["driftedNumbers"]] == [bought["id"]]
    assert len(own_view["refusals"]) == 1


# Deleting credentials


async def test_deleting_credentials_while_numbers_are_held_is_a_conflict(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)

    result = await tenant.execute(DELETE, {"release": False}, as_="support")

    assert result["data"]["deleteTwilioCredentials"]["code"] == "CONFLICT"
    tenant_id = await tenant_id_of(tenant)
    assert await TwilioSettings.filter(tenant_id=tenant_id).exists()
    number = await PhoneNumber.get(id=int(bought["id"]))
    assert number.status == NumberStatus.ACTIVE
    sandbox: Sandbox = carrier_exchanges.state.sandbox
    assert sandbox.store.number_by_value(bought["phoneNumber"]) is not None


async def test_deleting_with_release_numbers_releases_them_at_twilio_first(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    disabled = await tenant.execute(
        "mutation { setTwilioEnabled(enabled: false) { __typename } }", as_="support"
    )
    assert disabled["data"]["setTwilioEnabled"]["__typename"] == "TwilioSettings"

    result = await tenant.execute(DELETE, {"release": True}, as_="support")

    assert result["data"]["deleteTwilioCredentials"] == {
        "__typename": "DeleteTwilioCredentialsPayload",
        "deleted": True,
    }
    tenant_id = await tenant_id_of(tenant)
    assert not await TwilioSettings.filter(tenant_id=tenant_id).exists()
    number = await PhoneNumber.get(id=int(bought["id"]))
    assert number.status == NumberStatus.RELEASED
    sandbox: Sandbox = carrier_exchanges.state.sandbox
    assert sandbox.store.number_by_value(bought["phoneNumber"]) is None


async def test_when_twilio_refuses_the_release_nothing_is_deleted(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    await rotate_token(carrier, tenant.account.account_sid)

    result = await tenant.execute(DELETE, {"release": True}, as_="support")

    assert result["data"]["deleteTwilioCredentials"]["code"] == "PROVIDER_ERROR"
    tenant_id = await tenant_id_of(tenant)
    assert await TwilioSettings.filter(tenant_id=tenant_id).exists()
    number = await PhoneNumber.get(id=int(bought["id"]))
    assert number.status == NumberStatus.ACTIVE
    sandbox: Sandbox = carrier_exchanges.state.sandbox
    assert sandbox.store.number_by_value(bought["phoneNumber"]) is not None


async def test_deleting_credentials_a_tenant_does_not_have_deletes_nothing(tenant: Tenant) -> None:
    result = await tenant.execute(DELETE, {"release": False}, as_="support")

    assert result["data"]["deleteTwilioCredentials"] == {
        "__typename": "DeleteTwilioCredentialsPayload",
        "deleted": False,
    }
