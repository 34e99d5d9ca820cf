"""TwiML Apps (``Applications.json``): create, list, fetch, update, delete.

A Voice SDK client places its calls through one: Twilio asks the app's ``VoiceUrl`` what to do
(the browser-call simulation finds it with ``SandboxStore.application_owned_by``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from trunkline.sandbox import sids
from trunkline.sandbox.auth import path_account, sandbox_of
from trunkline.sandbox.errors import not_found, twilio_path
from trunkline.sandbox.forms import Form, read_form
from trunkline.sandbox.paging import PageRequest, envelope_2010, select
from trunkline.sandbox.records import Account, Application
from trunkline.sandbox.wire import account_uri, application_json

router = APIRouter(prefix="/twilio/api/2010-04-01/Accounts/{account_sid}")
AccountDep = Annotated[Account, Depends(path_account)]
# (form field, record attribute) of what a create or an update may set, by kind of value.
_URLS = (
    ("VoiceUrl", "voice_url"),
    ("VoiceFallbackUrl", "voice_fallback_url"),
    ("StatusCallback", "status_callback"),
    ("SmsUrl", "sms_url"),
    ("SmsFallbackUrl", "sms_fallback_url"),
    ("SmsStatusCallback", "sms_status_callback"),
    ("MessageStatusCallback", "message_status_callback"),
)
_METHODS = (
    ("VoiceMethod", "voice_method"),
    ("VoiceFallbackMethod", "voice_fallback_method"),
    ("StatusCallbackMethod", "status_callback_method"),
    ("SmsMethod", "sms_method"),
    ("SmsFallbackMethod", "sms_fallback_method"),
)
_FLAGS = (
    ("VoiceCallerIdLookup", "voice_caller_id_lookup"),
    ("PublicApplicationConnectEnabled", "public_application_connect_enabled"),
)


@router.post("/Applications.json")
async def create_application(account: AccountDep, request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    form = await read_form(request)
    now = sandbox.clock.now()
    application = Application(
        sid=sids.new_sid(sids.APPLICATION),
        account_sid=account.sid,
        friendly_name=form.text("FriendlyName"),
        date_created=now,
        date_updated=now,
    )
    _apply(application, form)
    sandbox.store.applications[application.sid] = application
    sandbox.store.save()
    return JSONResponse(application_json(application), status_code=201)


@router.get("/Applications.json")
async def list_applications(account: AccountDep, request: Request) -> dict[str, Any]:
    query = request.query_params
    wanted_name = query.get("FriendlyName")
    filters = [("FriendlyName", wanted_name)] if wanted_name is not None else []
    applications = [
        a
        for a in reversed(sandbox_of(request).store.applications.values())
        if a.account_sid == account.sid and (wanted_name is None or a.friendly_name == wanted_name)
    ]
    page_request = PageRequest.from_query(query)
    return envelope_2010(
        select(applications, page_request),
        page_request,
        key="applications",
        uri=f"{account_uri(account.sid)}/Applications.json",
        filters=filters,
        render=application_json,
    )


@router.get("/Applications/{application_sid}.json")
async def fetch_application(
    account: AccountDep, application_sid: str, request: Request
) -> dict[str, Any]:
    return application_json(_owned(request, account, application_sid))


@router.post("/Applications/{application_sid}.json")
async def update_application(
    account: AccountDep, application_sid: str, request: Request
) -> dict[str, Any]:
    application = _owned(request, account, application_sid)
    form = await read_form(request)
    if "FriendlyName" in form:
        application.friendly_name = form.text("FriendlyName")
    _apply(application, form)
    sandbox = sandbox_of(request)
    application.date_updated = sandbox.clock.now()
    sandbox.store.save()
    return application_json(application)


@router.delete("/Applications/{application_sid}.json", status_code=204)
async def delete_application(
    account: AccountDep, application_sid: str, request: Request
) -> Response:
    _owned(request, account, application_sid)
    sandbox = sandbox_of(request)
    del sandbox.store.applications[application_sid]
    sandbox.store.save()
    return Response(status_code=204)


def _owned(request: Request, account: Account, application_sid: str) -> Application:
    application = sandbox_of(request).store.application_owned_by(account.sid, application_sid)
    if application is None:
        raise not_found(twilio_path(request))
    return application


def _apply(application: Application, form: Form) -> None:
    """Set what the form names; an empty URL clears it, as on Twilio."""
    if "ApiVersion" in form:
        application.api_version = form.text("ApiVersion") or application.api_version
    for field, attribute in _URLS:
        if field in form:
            setattr(application, attribute, form.text(field))
    for field, attribute in _METHODS:
        if field in form:
            setattr(application, attribute, form.method(field))
    for field, attribute in _FLAGS:
        if field in form:
            setattr(application, attribute, bool(form.flag(field)))
