"""``Messages.json``: send, list, fetch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from trunkline.sandbox.auth import path_account, sandbox_of
from trunkline.sandbox.errors import not_found, twilio_path
from trunkline.sandbox.forms import read_form
from trunkline.sandbox.messaging import create_outbound_message
from trunkline.sandbox.paging import PageRequest, envelope_2010, select
from trunkline.sandbox.records import Account
from trunkline.sandbox.wire import account_uri, message_json

router = APIRouter(prefix="/twilio/api/2010-04-01/Accounts/{account_sid}")
AccountDep = Annotated[Account, Depends(path_account)]


@router.post("/Messages.json")
async def send_message(account: AccountDep, request: Request) -> JSONResponse:
    message = create_outbound_message(sandbox_of(request), account, await read_form(request))
    return JSONResponse(message_json(message), status_code=201)


@router.get("/Messages.json")
async def list_messages(account: AccountDep, request: Request) -> dict[str, Any]:
    query = request.query_params
    filters = [(k, query[k]) for k in ("To", "From") if k in query]
    messages = [
        m
        for m in reversed(sandbox_of(request).store.messages.values())
        if m.account_sid == account.sid
        and ("To" not in query or m.to == query["To"])
        and ("From" not in query or m.from_ == query["From"])
    ]
    page_request = PageRequest.from_query(query)
    return envelope_2010(
        select(messages, page_request),
        page_request,
        key="messages",
        uri=f"{account_uri(account.sid)}/Messages.json",
        filters=filters,
        render=message_json,
    )


@router.get("/Messages/{message_sid}.json")
async def fetch_message(account: AccountDep, message_sid: str, request: Request) -> dict[str, Any]:
    message = sandbox_of(request).store.messages.get(message_sid)
    if message is None or message.account_sid != account.sid:
        raise not_found(twilio_path(request))
    return message_json(message)
