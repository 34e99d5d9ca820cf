"""Incoming numbers: buy (by number or area code), list, fetch, update, release."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from tests.sandbox.fixtures import SandboxAccount
from trunkline.twilio import ProviderError, call_twilio

# What is offered, and what buying a given number does, depends on the whole catalogue.
pytestmark = pytest.mark.own_sandbox


async def test_buying_a_number_by_phone_number_keeps_its_webhook_settings(
    account: SandboxAccount,
) -> None:
    bought = await account.client.incoming_phone_numbers.create_async(
        phone_number="+14155550150",
        friendly_name="Front desk",
        sms_url="https://app.example/sms",
        sms_method="GET",
        voice_url="https://app.example/voice",
        voice_method="POST",
        status_callback="https://app.example/call-status",
    )

    assert bought.sid.startswith("PN")
    assert bought.account_sid == account.sid
    assert bought.phone_number == "+14155550150"
    assert bought.friendly_name == "Front desk"
    assert (bought.sms_url, bought.sms_method) == ("https://app.example/sms", "GET")
    assert (bought.voice_url, bought.voice_method) == ("https://app.example/voice", "POST")
    assert bought.status_callback == "https://app.example/call-status"
    assert bought.capabilities == {"voice": True, "sms": True, "mms": True, "fax": False}
    assert bought.status == "in-use"


async def test_buying_by_area_code_takes_the_first_free_number_there(
    account: SandboxAccount,
) -> None:
    first = await account.client.incoming_phone_numbers.create_async(area_code="512")
    second = await account.client.incoming_phone_numbers.create_async(area_code="512")

    assert first.phone_number.startswith("+1512555")
    assert int(second.phone_number) == int(first.phone_number) + 1
    assert first.friendly_name == f"(512) 555-{first.phone_number[-4:]} (sandbox)"


async def test_a_number_another_account_owns_cannot_be_bought(account: SandboxAccount) -> None:
    bought = await account.client.incoming_phone_numbers.create_async(area_code="416")

    with pytest.raises(TwilioRestException) as raised:
        await account.client.incoming_phone_numbers.create_async(phone_number=bought.phone_number)

    assert (raised.value.status, raised.value.code) == (400, 21422)
    assert raised.value.msg == (
        f"Unable to create record: PhoneNumber {bought.phone_number} is not available."
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("phone_number", "+15005550000", 21422),
        ("phone_number", "+15005550001", 21421),
        ("area_code", "533", 21452),
        ("phone_number", "+19995550100", 21422),  # not in the sandbox's catalog
    ],
)
async def test_magic_and_unavailable_purchases_fail_as_on_twilio(
    account: SandboxAccount, field: str, value: str, code: int
) -> None:
    with pytest.raises(ProviderError) as raised:
        await call_twilio(account.client.incoming_phone_numbers.create_async(**{field: value}))

    assert (raised.value.status, raised.value.code) == (400, code)


async def test_the_magic_number_15005550006_is_always_available(account: SandboxAccount) -> None:
    by_number = await account.client.incoming_phone_numbers.create_async(
        phone_number="+15005550006"
    )
    by_area_code = await account.client.incoming_phone_numbers.create_async(area_code="500")

    assert by_number.phone_number == by_area_code.phone_number == "+15005550006"


async def test_a_number_can_be_fetched_and_updated(account: SandboxAccount) -> None:
    bought = await account.client.incoming_phone_numbers.create_async(area_code="206")

    updated = await account.client.incoming_phone_numbers(bought.sid).update_async(
        friendly_name="Support line",
        sms_url="https://app.example/sms2",
        voice_url="https://app.example/voice2",
        voice_method="GET",
    )
    fetched = await account.client.incoming_phone_numbers(bought.sid).fetch_async()

    assert updated.friendly_name == fetched.friendly_name == "Support line"
    assert fetched.sms_url == "https://app.example/sms2"
    assert (fetched.voice_url, fetched.voice_method) == ("https://app.example/voice2", "GET")
    assert fetched.phone_number == bought.phone_number


async def test_the_number_list_pages_newest_first(account: SandboxAccount) -> None:
    bought = [
        await account.client.incoming_phone_numbers.create_async(area_code="212") for _ in range(5)
    ]

    first_page = await account.client.incoming_phone_numbers.page_async(page_size=2)
    everything = await account.client.incoming_phone_numbers.list_async(page_size=2)

    assert [n.sid for n in first_page] == [bought[4].sid, bought[3].sid]
    assert [n.sid for n in everything] == [n.sid for n in reversed(bought)]
    second_page = await first_page.next_page_async()
    assert second_page is not None
    assert [n.sid for n in second_page] == [bought[2].sid, bought[1].sid]


async def test_the_number_list_filters_by_phone_number(account: SandboxAccount) -> None:
    wanted = await account.client.incoming_phone_numbers.create_async(area_code="312")
    await account.client.incoming_phone_numbers.create_async(area_code="415")

    found = await account.client.incoming_phone_numbers.list_async(phone_number=wanted.phone_number)

    assert [n.sid for n in found] == [wanted.sid]


async def test_the_phone_number_filter_takes_partial_numbers_and_digit_wildcards(
    account: SandboxAccount,
) -> None:
    # Twilio: "You can specify partial numbers and use '*' as a wildcard for any digit."
    wanted = await account.client.incoming_phone_numbers.create_async(phone_number="+13125550142")
    await account.client.incoming_phone_numbers.create_async(phone_number="+14155550143")

    partial = await account.client.incoming_phone_numbers.list_async(phone_number="5550142")
    wildcard = await account.client.incoming_phone_numbers.list_async(phone_number="+1312555**42")
    neither = await account.client.incoming_phone_numbers.list_async(phone_number="+1312555*43")

    assert [n.sid for n in partial] == [wanted.sid]
    assert [n.sid for n in wildcard] == [wanted.sid]
    assert neither == []


async def test_releasing_a_number_makes_it_available_again(account: SandboxAccount) -> None:
    sydney = account.client.available_phone_numbers("AU").local
    bought = await account.client.incoming_phone_numbers.create_async(phone_number="+61255500042")
    offered_while_owned = await sydney.list_async(contains="255500042")

    released = await account.client.incoming_phone_numbers(bought.sid).delete_async()
    offered = await sydney.list_async(contains="255500042")

    assert offered_while_owned == []
    assert released is True
    assert [n.phone_number for n in offered] == ["+61255500042"]
    with pytest.raises(TwilioRestException) as raised:
        await account.client.incoming_phone_numbers(bought.sid).fetch_async()
    assert (raised.value.status, raised.value.code) == (404, 20404)
