"""Available numbers: countries, and deterministic numbers per country and type."""

from __future__ import annotations

import httpx
import phonenumbers
import pytest

from tests.sandbox.fixtures import SandboxAccount, open_account
from trunkline.twilio import ProviderError, TwilioClients, call_twilio

# What is offered, and what buying a given number does, depends on the whole catalogue.
pytestmark = pytest.mark.own_sandbox


async def test_the_country_list_offers_us_ca_gb_do_and_au(account: SandboxAccount) -> None:
    countries = await account.client.available_phone_numbers.list_async()

    assert {c.country_code for c in countries} == {"AU", "CA", "DO", "GB", "US"}
    us = next(c for c in countries if c.country_code == "US")
    assert us.country == "United States"
    assert us.subresource_uris == {
        "local": f"/2010-04-01/Accounts/{account.sid}/AvailablePhoneNumbers/US/Local.json",
        "toll_free": f"/2010-04-01/Accounts/{account.sid}/AvailablePhoneNumbers/US/TollFree.json",
    }


async def test_a_country_can_be_fetched_on_its_own(account: SandboxAccount) -> None:
    country = await account.client.available_phone_numbers("GB").fetch_async()

    assert (country.country_code, country.country) == ("GB", "United Kingdom")
    assert sorted(country.subresource_uris) == ["local", "mobile", "toll_free"]


async def test_local_numbers_in_an_area_code_are_the_same_on_every_search(
    account: SandboxAccount,
) -> None:
    numbers = account.client.available_phone_numbers("US").local

    first = await numbers.list_async(area_code=312, page_size=3)
    again = await numbers.list_async(area_code=312, page_size=3)

    assert [n.phone_number for n in first] == ["+13125550100", "+13125550101", "+13125550102"]
    assert [n.phone_number for n in again] == [n.phone_number for n in first]
    chicago = first[0]
    assert chicago.friendly_name == "(312) 555-0100 (sandbox)"
    assert (chicago.locality, chicago.region, chicago.iso_country) == ("Chicago", "IL", "US")
    assert chicago.capabilities == {"voice": True, "sms": True, "mms": True, "fax": False}


@pytest.mark.parametrize(
    ("country", "kind", "first_number"),
    [
        ("US", "toll_free", "+18005550100"),
        ("CA", "local", "+14165550100"),
        ("CA", "toll_free", "+18885550100"),
        ("GB", "local", "+442079460000"),
        ("GB", "mobile", "+447700900000"),
        ("GB", "toll_free", "+448081570000"),
        ("DO", "local", "+18095550100"),
        ("AU", "local", "+61255500000"),
        ("AU", "mobile", "+61491570100"),
        ("AU", "toll_free", "+611800975700"),
    ],
)
async def test_every_country_offers_plausible_numbers_of_its_own(
    account: SandboxAccount, country: str, kind: str, first_number: str
) -> None:
    numbers = getattr(account.client.available_phone_numbers(country), kind)

    found = await numbers.list_async(page_size=5)

    assert found[0].phone_number == first_number
    assert len(found) == 5
    for number in found:
        parsed = phonenumbers.parse(number.phone_number)
        assert phonenumbers.is_possible_number(parsed)
        assert number.iso_country == country
        assert number.friendly_name.endswith(" (sandbox)")


async def test_contains_matches_digits_letters_and_wildcards(account: SandboxAccount) -> None:
    numbers = account.client.available_phone_numbers("US").local

    by_digits = await numbers.list_async(area_code=415, contains="0142")
    by_wildcard = await numbers.list_async(area_code=415, contains="555*1*9")
    by_letters = await numbers.list_async(area_code=415, contains="JKL0142")  # 5550142
    by_absent_letters = await numbers.list_async(area_code=415, contains="JAM")  # 526

    assert [n.phone_number for n in by_digits] == ["+14155550142"]
    assert [n.phone_number for n in by_wildcard] == [f"+141555501{d}9" for d in range(10)]
    assert [n.phone_number for n in by_letters] == ["+14155550142"]
    assert by_absent_letters == []


async def test_capability_filters_keep_only_capable_numbers(account: SandboxAccount) -> None:
    london = account.client.available_phone_numbers("GB")

    sms_local = await london.local.list_async(sms_enabled=True)
    sms_mobile = await london.mobile.list_async(sms_enabled=True, page_size=2)
    mms_mobile = await london.mobile.list_async(mms_enabled=True)
    voice_local = await london.local.list_async(voice_enabled=True, page_size=2)

    assert sms_local == []
    assert [n.phone_number for n in sms_mobile] == ["+447700900000", "+447700900001"]
    assert mms_mobile == []
    assert [n.phone_number for n in voice_local] == ["+442079460000", "+442079460001"]


async def test_page_size_bounds_the_number_of_results(account: SandboxAccount) -> None:
    numbers = account.client.available_phone_numbers("US").local

    assert len(await numbers.list_async(page_size=7)) == 7
    assert len(await numbers.list_async(area_code=206)) == 50
    assert len(await numbers.list_async(area_code=206, page_size=1000)) == 100


async def test_a_number_bought_by_one_account_is_not_offered_to_another(
    account: SandboxAccount, control: httpx.AsyncClient, twilio_clients: TwilioClients
) -> None:
    other = await open_account(control, twilio_clients)
    offered = await account.client.available_phone_numbers("CA").local.list_async(
        area_code=604, page_size=1
    )
    taken = offered[0].phone_number

    await account.client.incoming_phone_numbers.create_async(phone_number=taken)
    offered_to_other = await other.client.available_phone_numbers("CA").local.list_async(
        area_code=604, page_size=1
    )

    assert offered_to_other[0].phone_number != taken
    assert taken == "+16045550100" or offered_to_other[0].phone_number > taken


async def test_a_country_the_sandbox_does_not_serve_is_not_found(account: SandboxAccount) -> None:
    with pytest.raises(ProviderError) as raised:
        await call_twilio(account.client.available_phone_numbers("FR").local.list_async())

    assert (raised.value.status, raised.value.code) == (404, 20404)


async def test_a_number_type_the_country_does_not_offer_is_not_found(
    account: SandboxAccount,
) -> None:
    with pytest.raises(ProviderError) as raised:
        await call_twilio(account.client.available_phone_numbers("US").mobile.list_async())

    assert (raised.value.status, raised.value.code) == (404, 20404)
