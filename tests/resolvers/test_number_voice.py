"""updateNumber(input: {voice}) and PhoneNumber.voice: who may change how a number answers calls,
what bad settings are told, and that no tenant reaches another's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.graphql import error_codes
from tests.support.tenancy import Tenant
from trunkline.models import PhoneNumber, VoiceMode

OWNER = "auth0|amy"
UPDATE_VOICE = """
mutation Update($id: ID!, $input: UpdateNumberInput!) {
  updateNumber(id: $id, input: $input) {
    __typename
    ... on PhoneNumber { id voice { mode forwardTo greeting ringSeconds voicemail } }
    ... on Error { code message }
    ... on UserInputError { field }
  }
}
"""
READ_VOICE = """
query Read($id: ID!) { number(id: $id) { voice { mode forwardTo greeting ringSeconds voicemail } } }
"""
FORWARD = {
    "mode": "FORWARD",
    "forwardTo": "+14155550142",
    "greeting": "Amy is out; leave a message.",
    "ringSeconds": 15,
    "voicemail": False,
}
DEFAULTS = {
    "mode": "RING_OWNER",
    "forwardTo": None,
    "greeting": None,
    "ringSeconds": 20,
    "voicemail": True,
}


async def stored_voice(number_id: str) -> dict[str, Any]:
    row = await PhoneNumber.get(id=int(number_id))
    return {
        "mode": VoiceMode(row.voice_mode).name,
        "forwardTo": row.voice_forward_to,
        "greeting": row.voice_greeting,
        "ringSeconds": row.voice_ring_seconds,
        "voicemail": row.voice_voicemail,
    }


async def test_a_new_number_rings_its_owner_then_takes_voicemail(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(ownerId=OWNER)

    read = await tenant.execute(READ_VOICE, {"id": number["id"]}, as_="admin")

    assert read["data"]["number"]["voice"] == DEFAULTS


# (roles, subject) -> what updateNumber(voice) answers: the settings, or the error's code.
MATRIX: list[tuple[tuple[str, ...], str, str | None]] = [
    (("admin",), "auth0|admin", None),
    ((), OWNER, None),
    ((), "auth0|bob", "PHONE_NUMBER_NOT_FOUND"),
    (("support",), "auth0|support", "PHONE_NUMBER_NOT_FOUND"),
]


@pytest.mark.parametrize(("roles", "subject", "refused"), MATRIX)
async def test_admins_and_the_owner_change_voice_settings_others_change_nothing(
    tenant: Tenant, carrier: str, roles: tuple[str, ...], subject: str, refused: str | None
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(ownerId=OWNER)

    result = await tenant.graphql.execute(
        UPDATE_VOICE,
        {"id": number["id"], "input": {"voice": FORWARD}},
        token=tenant.token(*roles, sub=subject),
    )

    updated = result["data"]["updateNumber"]
    if refused is None:
        assert updated == {"__typename": "PhoneNumber", "id": number["id"], "voice": FORWARD}
        assert await stored_voice(number["id"]) == FORWARD
    else:
        assert updated["code"] == refused
        assert await stored_voice(number["id"]) == DEFAULTS


async def test_an_anonymous_caller_changes_no_voice_settings(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(ownerId=OWNER)

    result = await tenant.graphql.execute(
        UPDATE_VOICE, {"id": number["id"], "input": {"voice": FORWARD}}, token=None
    )

    assert error_codes(result) == ["UNAUTHENTICATED"]
    assert await stored_voice(number["id"]) == DEFAULTS


async def test_no_tenant_reads_or_changes_the_voice_settings_of_anothers_number(
    tenant: Tenant, other_tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    theirs = await other_tenant.buy_any_number(ownerId=OWNER)

    changed = await tenant.execute(
        UPDATE_VOICE, {"id": theirs["id"], "input": {"voice": FORWARD}}, as_="admin"
    )
    as_owner = await tenant.graphql.execute(
        UPDATE_VOICE,
        {"id": theirs["id"], "input": {"voice": FORWARD}},
        token=tenant.token(sub=OWNER),
    )
    read = await tenant.execute(READ_VOICE, {"id": theirs["id"]}, as_="admin")

    assert changed["data"]["updateNumber"]["code"] == "PHONE_NUMBER_NOT_FOUND"
    assert as_owner["data"]["updateNumber"]["code"] == "PHONE_NUMBER_NOT_FOUND"
    assert read["data"]["number"] is None
    assert await stored_voice(theirs["id"]) == DEFAULTS


async def test_omitted_voice_fields_stay_and_an_empty_forward_to_clears_it(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(ownerId=OWNER)
    await tenant.execute(
        UPDATE_VOICE, {"id": number["id"], "input": {"voice": FORWARD}}, as_="admin"
    )

    result = await tenant.execute(
        UPDATE_VOICE,
        {"id": number["id"], "input": {"voice": {"mode": "VOICEMAIL", "forwardTo": ""}}},
        as_="admin",
    )

    assert result["data"]["updateNumber"]["voice"] == {
        **FORWARD,
        "mode": "VOICEMAIL",
        "forwardTo": None,
    }


@pytest.mark.parametrize(
    ("voice", "field"),
    [
        ({"forwardTo": "0412345678"}, "input.voice.forwardTo"),
        ({"forwardTo": "+1 415 555 0142"}, "input.voice.forwardTo"),
        ({"mode": "FORWARD"}, "input.voice.forwardTo"),
        ({"mode": "FORWARD", "forwardTo": ""}, "input.voice.forwardTo"),
        ({"greeting": "x" * 501}, "input.voice.greeting"),
        ({"greeting": "  "}, "input.voice.greeting"),
        ({"greeting": "line\x00break"}, "input.voice.greeting"),
        ({"ringSeconds": 4}, "input.voice.ringSeconds"),
        ({"ringSeconds": 61}, "input.voice.ringSeconds"),
    ],
)
async def test_bad_voice_settings_are_a_typed_error_naming_the_field_and_change_nothing(
    tenant: Tenant, carrier: str, voice: dict[str, object], field: str
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(ownerId=OWNER)

    result = await tenant.execute(
        UPDATE_VOICE, {"id": number["id"], "input": {"voice": voice}}, as_="admin"
    )

    assert result["data"]["updateNumber"]["__typename"] == "UserInputError"
    assert (result["data"]["updateNumber"]["code"], result["data"]["updateNumber"]["field"]) == (
        "BAD_USER_INPUT",
        field,
    )
    assert await stored_voice(number["id"]) == DEFAULTS


@pytest.mark.parametrize("mode", ["VOICE_ONLY", "ring_owner", 3])
async def test_an_unknown_voice_mode_is_bad_user_input_not_a_server_error(
    tenant: Tenant, carrier: str, mode: object
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(ownerId=OWNER)

    result = await tenant.execute(
        UPDATE_VOICE, {"id": number["id"], "input": {"voice": {"mode": mode}}}, as_="admin"
    )

    assert result.get("data") is None
    assert error_codes(result) == ["BAD_USER_INPUT"]
    assert await stored_voice(number["id"]) == DEFAULTS
