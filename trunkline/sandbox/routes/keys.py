"""API keys (``Keys.json``): create (the secret shown once), list, fetch, rename, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from trunkline.sandbox import sids
from trunkline.sandbox.auth import path_account, sandbox_of
from trunkline.sandbox.errors import not_found, twilio_path
from trunkline.sandbox.forms import read_form
from trunkline.sandbox.paging import PageRequest, envelope_2010, select
from trunkline.sandbox.records import Account, Key
from trunkline.sandbox.wire import account_uri, key_json, new_key_json

router = APIRouter(prefix="/twilio/api/2010-04-01/Accounts/{account_sid}")
AccountDep = Annotated[Account, Depends(path_account)]


@router.post("/Keys.json")
async def create_key(account: AccountDep, request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    form = await read_form(request)
    now = sandbox.clock.now()
    key = Key(
        sid=sids.new_sid(sids.API_KEY),
        account_sid=account.sid,
        friendly_name=form.text("FriendlyName"),
        secret=sids.new_key_secret(),
        date_created=now,
        date_updated=now,
    )
    sandbox.store.keys[key.sid] = key
    sandbox.store.save()
    return JSONResponse(new_key_json(key), status_code=201)


@router.get("/Keys.json")
async def list_keys(account: AccountDep, request: Request) -> dict[str, Any]:
    keys = [
        k for k in reversed(sandbox_of(request).store.keys.values()) if k.account_sid == account.sid
    ]
    page_request = PageRequest.from_query(request.query_params)
    return envelope_2010(
        select(keys, page_request),
        page_request,
        key="keys",
        uri=f"{account_uri(account.sid)}/Keys.json",
        filters=[],
        render=key_json,
    )


@router.get("/Keys/{key_sid}.json")
async def fetch_key(account: AccountDep, key_sid: str, request: Request) -> dict[str, Any]:
    return key_json(_owned(request, account, key_sid))


@router.post("/Keys/{key_sid}.json")
async def update_key(account: AccountDep, key_sid: str, request: Request) -> dict[str, Any]:
    key = _owned(request, account, key_sid)
    form = await read_form(request)
    if "FriendlyName" in form:
        key.friendly_name = form.text("FriendlyName")
    sandbox = sandbox_of(request)
    key.date_updated = sandbox.clock.now()
    sandbox.store.save()
    return key_json(key)


@router.delete("/Keys/{key_sid}.json", status_code=204)
async def delete_key(account: AccountDep, key_sid: str, request: Request) -> Response:
    _owned(request, account, key_sid)
    sandbox = sandbox_of(request)
    del sandbox.store.keys[key_sid]
    sandbox.store.save()
    return Response(status_code=204)


def _owned(request: Request, account: Account, key_sid: str) -> Key:
    key = sandbox_of(request).store.key_owned_by(account.sid, key_sid)
    if key is None:
        raise not_found(twilio_path(request))
    return key
