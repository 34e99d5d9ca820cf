"""A message's ``Media``: list, fetch, delete, and the file itself (see :mod:`..media`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from trunkline.sandbox.auth import path_account, sandbox_of
from trunkline.sandbox.errors import not_found, twilio_path
from trunkline.sandbox.media import media_content, message_media
from trunkline.sandbox.paging import PageRequest, envelope_2010, select
from trunkline.sandbox.records import Account, Media, Message
from trunkline.sandbox.wire import account_uri, media_json

router = APIRouter(prefix="/twilio/api/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}")
AccountDep = Annotated[Account, Depends(path_account)]


@router.get("/Media.json")
async def list_media(account: AccountDep, message_sid: str, request: Request) -> dict[str, Any]:
    message = _message(request, account, message_sid)
    page_request = PageRequest.from_query(request.query_params)
    return envelope_2010(
        select(message_media(sandbox_of(request), message), page_request),
        page_request,
        key="media_list",
        uri=f"{account_uri(account.sid)}/Messages/{message.sid}/Media.json",
        filters=[],
        render=media_json,
    )


@router.get("/Media/{media_sid}.json")
async def fetch_media(
    account: AccountDep, message_sid: str, media_sid: str, request: Request
) -> dict[str, Any]:
    return media_json(_media(request, account, message_sid, media_sid))


@router.delete("/Media/{media_sid}.json", status_code=204)
async def delete_media(
    account: AccountDep, message_sid: str, media_sid: str, request: Request
) -> Response:
    media = _media(request, account, message_sid, media_sid)
    store = sandbox_of(request).store
    del store.media[media.sid]
    store.save()
    return Response(status_code=204)


@router.get("/Media/{media_sid}", include_in_schema=False)
async def media_file(
    account: AccountDep, message_sid: str, media_sid: str, request: Request
) -> Response:
    """The file, to the account's credentials only (media HTTP auth enforced, see the module)."""
    media = _media(request, account, message_sid, media_sid)
    return Response(media_content(media.content_type), media_type=media.content_type)


def _message(request: Request, account: Account, message_sid: str) -> Message:
    message = sandbox_of(request).store.messages.get(message_sid)
    if message is None or message.account_sid != account.sid:
        raise not_found(twilio_path(request))
    return message


def _media(request: Request, account: Account, message_sid: str, media_sid: str) -> Media:
    media = sandbox_of(request).store.media.get(media_sid)
    if media is None or media.account_sid != account.sid or media.parent_sid != message_sid:
        raise not_found(twilio_path(request))
    return media
