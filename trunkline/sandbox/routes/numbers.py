"""Available numbers (search) and incoming numbers (buy, list, fetch, update, release)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from trunkline.sandbox import catalog, magic, sids
from trunkline.sandbox.auth import path_account, sandbox_of
from trunkline.sandbox.errors import bad_request, not_found, twilio_path
from trunkline.sandbox.forms import Form, e164, read_form
from trunkline.sandbox.paging import PageRequest, envelope_2010, select
from trunkline.sandbox.records import Account, PhoneNumber
from trunkline.sandbox.runtime import Sandbox
from trunkline.sandbox.wire import (
    account_uri,
    available_number_json,
    country_json,
    phone_number_json,
)

router = APIRouter(prefix="/twilio/api/2010-04-01/Accounts/{account_sid}")
AccountDep = Annotated[Account, Depends(path_account)]
# (form field, record attribute, is an HTTP method) for the settable URL fields.
_SETTINGS = (
    ("SmsUrl", "sms_url", False),
    ("SmsMethod", "sms_method", True),
    ("SmsFallbackUrl", "sms_fallback_url", False),
    ("SmsFallbackMethod", "sms_fallback_method", True),
    ("VoiceUrl", "voice_url", False),
    ("VoiceMethod", "voice_method", True),
    ("VoiceFallbackUrl", "voice_fallback_url", False),
    ("VoiceFallbackMethod", "voice_fallback_method", True),
    ("StatusCallback", "status_callback", False),
    ("StatusCallbackMethod", "status_callback_method", True),
)


@router.get("/AvailablePhoneNumbers.json")
async def list_countries(account: AccountDep) -> dict[str, Any]:
    return {
        "countries": [country_json(account.sid, c) for c in catalog.COUNTRIES.values()],
        "uri": f"{account_uri(account.sid)}/AvailablePhoneNumbers.json",
    }


@router.get("/AvailablePhoneNumbers/{country_code}.json")
async def fetch_country(account: AccountDep, country_code: str, request: Request) -> dict[str, Any]:
    country = catalog.COUNTRIES.get(country_code)
    if country is None:
        raise not_found(twilio_path(request))
    return country_json(account.sid, country)


@router.get("/AvailablePhoneNumbers/{country_code}/Local.json")
async def search_local_numbers(
    account: AccountDep, country_code: str, request: Request
) -> dict[str, Any]:
    return _search(account, country_code, "Local", request)


@router.get("/AvailablePhoneNumbers/{country_code}/Mobile.json")
async def search_mobile_numbers(
    account: AccountDep, country_code: str, request: Request
) -> dict[str, Any]:
    return _search(account, country_code, "Mobile", request)


@router.get("/AvailablePhoneNumbers/{country_code}/TollFree.json")
async def search_toll_free_numbers(
    account: AccountDep, country_code: str, request: Request
) -> dict[str, Any]:
    return _search(account, country_code, "TollFree", request)


def _search(
    account: Account, country_code: str, list_name: str, request: Request
) -> dict[str, Any]:
    country = catalog.COUNTRIES.get(country_code)
    if country is None or list_name not in country.number_types:
        raise not_found(twilio_path(request))
    query = request.query_params
    page = PageRequest.from_query(query)
    found = catalog.search(
        country,
        catalog.NUMBER_TYPES[list_name],
        catalog.NumberQuery(
            area_code=query.get("AreaCode"),
            contains=query.get("Contains"),
            sms_enabled=_flag(query.get("SmsEnabled")),
            mms_enabled=_flag(query.get("MmsEnabled")),
            voice_enabled=_flag(query.get("VoiceEnabled")),
            limit=page.size,
        ),
        sandbox_of(request).store.taken_numbers(),
    )
    uri = f"{account_uri(account.sid)}/AvailablePhoneNumbers/{country_code}/{list_name}.json"
    return {
        "available_phone_numbers": [available_number_json(number) for number in found],
        "end": max(len(found) - 1, 0),
        "first_page_uri": f"{uri}?PageSize={page.size}&Page=0",
        "next_page_uri": None,  # Twilio answers a search with one page, never more
        "page": 0,
        "page_size": page.size,
        "previous_page_uri": None,
        "start": 0,
        "uri": uri,
    }


@router.post("/IncomingPhoneNumbers.json")
async def buy_number(account: AccountDep, request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    form = await read_form(request)
    available = _choose_number(sandbox, form)
    now = sandbox.clock.now()
    block = available.block
    number = PhoneNumber(
        sid=sids.new_sid(sids.PHONE_NUMBER),
        account_sid=account.sid,
        phone_number=available.phone_number,
        friendly_name=form.text("FriendlyName") or available.friendly_name,
        iso_country=available.iso_country,
        number_type=block.number_type,
        voice=block.capabilities.voice,
        sms=block.capabilities.sms,
        mms=block.capabilities.mms,
        date_created=now,
        date_updated=now,
    )
    _apply_settings(number, form)
    sandbox.store.numbers[number.sid] = number
    sandbox.store.save()
    return JSONResponse(phone_number_json(number), status_code=201)


@router.get("/IncomingPhoneNumbers.json")
async def list_numbers(account: AccountDep, request: Request) -> dict[str, Any]:
    query = request.query_params
    filters = [(k, query[k]) for k in ("PhoneNumber", "FriendlyName") if k in query]
    wanted_number = _number_pattern(query.get("PhoneNumber", ""))
    wanted_name = query.get("FriendlyName")
    numbers = [
        n
        for n in reversed(sandbox_of(request).store.numbers.values())
        if n.account_sid == account.sid
        and (wanted_number is None or wanted_number.search(n.phone_number))
        and (wanted_name is None or n.friendly_name == wanted_name)
    ]
    page_request = PageRequest.from_query(query)
    return envelope_2010(
        select(numbers, page_request),
        page_request,
        key="incoming_phone_numbers",
        uri=f"{account_uri(account.sid)}/IncomingPhoneNumbers.json",
        filters=filters,
        render=phone_number_json,
    )


@router.get("/IncomingPhoneNumbers/{number_sid}.json")
async def fetch_number(account: AccountDep, number_sid: str, request: Request) -> dict[str, Any]:
    return phone_number_json(_owned(request, account, number_sid))


@router.post("/IncomingPhoneNumbers/{number_sid}.json")
async def update_number(account: AccountDep, number_sid: str, request: Request) -> dict[str, Any]:
    number = _owned(request, account, number_sid)
    form = await read_form(request)
    if "FriendlyName" in form:
        number.friendly_name = form.text("FriendlyName") or number.friendly_name
    _apply_settings(number, form)
    sandbox = sandbox_of(request)
    number.date_updated = sandbox.clock.now()
    sandbox.store.save()
    return phone_number_json(number)


@router.delete("/IncomingPhoneNumbers/{number_sid}.json", status_code=204)
async def release_number(account: AccountDep, number_sid: str, request: Request) -> Response:
    _owned(request, account, number_sid)
    sandbox = sandbox_of(request)
    del sandbox.store.numbers[number_sid]
    sandbox.store.save()
    return Response(status_code=204)


def _owned(request: Request, account: Account, number_sid: str) -> PhoneNumber:
    number = sandbox_of(request).store.numbers.get(number_sid)
    if number is None or number.account_sid != account.sid:
        raise not_found(twilio_path(request))
    return number


def _choose_number(sandbox: Sandbox, form: Form) -> catalog.AvailableNumber:
    """The number a purchase names (``PhoneNumber``) or the first free one in ``AreaCode``."""
    requested, area_code = form.text("PhoneNumber"), form.text("AreaCode")
    if requested is not None:
        rejection = magic.PURCHASE_REJECTIONS.get(requested)
        if rejection is not None:
            raise bad_request(rejection.code, rejection.message)
        normalized = e164(requested)
        if normalized is None:
            raise bad_request(21421, f"PhoneNumber {requested} is invalid.")
        if normalized == magic.UNIVERSAL_SENDER:
            return _magic_number()
        available = catalog.find(normalized)
        if available is None or normalized in sandbox.store.taken_numbers():
            raise bad_request(21422, f"PhoneNumber {normalized} is not available.")
        return available
    if area_code is not None:
        rejection = magic.AREA_CODE_REJECTIONS.get(area_code)
        if rejection is not None:
            raise bad_request(rejection.code, rejection.message)
        if area_code == magic.MAGIC_AREA_CODE:
            return _magic_number()
        for code in ("US", "CA", "DO"):
            found = catalog.search(
                catalog.COUNTRIES[code],
                "local",
                catalog.NumberQuery(area_code=area_code, limit=1),
                sandbox.store.taken_numbers(),
            )
            if found:
                return found[0]
        raise bad_request(21452, f"No phone numbers found in area code {area_code}.")
    raise bad_request(21421, "A 'PhoneNumber' or 'AreaCode' is required.")


def _magic_number() -> catalog.AvailableNumber:
    """Twilio's always-available test number, which any account may hold."""
    block = catalog.NumberBlock(
        "local", magic.UNIVERSAL_SENDER, 1, None, None, None, None, None, catalog.VOICE_SMS_MMS
    )
    name = catalog.friendly_name(magic.UNIVERSAL_SENDER) + catalog.SANDBOX_MARK
    return catalog.AvailableNumber(magic.UNIVERSAL_SENDER, name, "US", block)


def _apply_settings(number: PhoneNumber, form: Form) -> None:
    for field, attribute, is_method in _SETTINGS:
        if field not in form:
            continue
        if is_method:
            setattr(number, attribute, form.method(field))
        else:
            setattr(number, attribute, form.text(field))


def _number_pattern(raw: str) -> re.Pattern[str] | None:
    """Twilio's ``PhoneNumber`` filter: a whole or partial number, ``*`` standing for any digit.

    A ``+`` sent unencoded arrives as a space; it is read back as the ``+`` it was.
    """
    wanted = raw.replace(" ", "+")
    if not wanted:
        return None
    return re.compile(re.escape(wanted).replace(re.escape("*"), "[0-9]"))


def _flag(raw: str | None) -> bool | None:
    return None if raw is None else raw.lower() == "true"
