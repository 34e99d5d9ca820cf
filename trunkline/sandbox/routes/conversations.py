"""Conversations v1: services and each service's webhook configuration."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from trunkline.sandbox import sids
from trunkline.sandbox.auth import credentials_account, sandbox_of
from trunkline.sandbox.errors import bad_request, not_found, twilio_path
from trunkline.sandbox.forms import read_form
from trunkline.sandbox.paging import PageRequest, envelope_v1, select
from trunkline.sandbox.records import Account, ConversationService
from trunkline.sandbox.runtime import Sandbox
from trunkline.sandbox.wire import (
    CONVERSATIONS_HOST,
    configuration_json,
    service_json,
    webhook_configuration_json,
)

router = APIRouter(prefix="/twilio/conversations/v1")
AccountDep = Annotated[Account, Depends(credentials_account)]
DEFAULT_SERVICE_NAME = "Default Conversations Service"


def create_service(sandbox: Sandbox, account_sid: str, friendly_name: str) -> ConversationService:
    now = sandbox.clock.now()
    service = ConversationService(
        sid=sids.new_sid(sids.CONVERSATION_SERVICE),
        account_sid=account_sid,
        friendly_name=friendly_name,
        date_created=now,
        date_updated=now,
    )
    sandbox.store.conversation_services[service.sid] = service
    sandbox.store.save()
    return service


@router.get("/Configuration")
async def fetch_configuration(account: AccountDep, request: Request) -> dict[str, Any]:
    services = _services_of(sandbox_of(request), account)
    return configuration_json(account.sid, services[-1].sid if services else None)


@router.post("/Services")
async def create_conversation_service(account: AccountDep, request: Request) -> JSONResponse:
    form = await read_form(request)
    name = form.text("FriendlyName")
    if name is None:
        raise bad_request(20001, "Missing required parameter FriendlyName in the post body")
    service = create_service(sandbox_of(request), account.sid, name)
    return JSONResponse(service_json(service), status_code=201)


@router.get("/Services")
async def list_conversation_services(account: AccountDep, request: Request) -> dict[str, Any]:
    page_request = PageRequest.from_query(request.query_params)
    services = _services_of(sandbox_of(request), account)
    return envelope_v1(
        select(services, page_request),
        page_request,
        key="services",
        url=f"{CONVERSATIONS_HOST}/v1/Services",
        render=service_json,
    )


@router.get("/Services/{service_sid}")
async def fetch_conversation_service(
    account: AccountDep, service_sid: str, request: Request
) -> dict[str, Any]:
    return service_json(_service(request, account, service_sid))


@router.get("/Services/{service_sid}/Configuration/Webhooks")
async def fetch_webhook_configuration(
    account: AccountDep, service_sid: str, request: Request
) -> dict[str, Any]:
    return webhook_configuration_json(_service(request, account, service_sid))


@router.post("/Services/{service_sid}/Configuration/Webhooks")
async def update_webhook_configuration(
    account: AccountDep, service_sid: str, request: Request
) -> dict[str, Any]:
    service = _service(request, account, service_sid)
    form = await read_form(request)
    if "PreWebhookUrl" in form:
        service.pre_webhook_url = form.text("PreWebhookUrl")
    if "PostWebhookUrl" in form:
        service.post_webhook_url = form.text("PostWebhookUrl")
    if "Filters" in form:
        service.filters = form.values("Filters")
    if "Method" in form:
        service.method = form.method("Method")
    sandbox = sandbox_of(request)
    service.date_updated = sandbox.clock.now()
    sandbox.store.save()
    return webhook_configuration_json(service)


def _services_of(sandbox: Sandbox, account: Account) -> list[ConversationService]:
    services = sandbox.store.conversation_services.values()
    return [s for s in services if s.account_sid == account.sid]


def _service(request: Request, account: Account, service_sid: str) -> ConversationService:
    service = sandbox_of(request).store.conversation_services.get(service_sid)
    if service is None or service.account_sid != account.sid:
        raise not_found(twilio_path(request))
    return service
