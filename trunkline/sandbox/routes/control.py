"""The control API: what the outside world does to the sandbox (no Twilio equivalent).

``POST /control/accounts`` opens an account; ``POST /control/inbound/message`` and
``POST /control/inbound/call`` play a phone that texts or calls one of the sandbox's numbers.
It takes no credentials: it stands for the public telephone network.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from trunkline.sandbox import sids
from trunkline.sandbox.auth import sandbox_of
from trunkline.sandbox.forms import e164
from trunkline.sandbox.messaging import deliver_inbound_message
from trunkline.sandbox.records import Account, PhoneNumber
from trunkline.sandbox.routes.conversations import DEFAULT_SERVICE_NAME, create_service
from trunkline.sandbox.runtime import Sandbox
from trunkline.sandbox.voice import receive_call

router = APIRouter(prefix="/control")


class NewAccount(BaseModel):
    friendly_name: str = "Sandbox account"


class AccountCredentials(BaseModel):
    account_sid: str
    auth_token: str


class InboundMessage(BaseModel):
    to: str = Field(description="A sandbox number, E.164")
    from_: str = Field(alias="from", description="The sender's number, E.164")
    body: str = ""
    channel: Literal["sms", "whatsapp"] = "sms"
    media_urls: list[str] = Field(default_factory=list, max_length=10)


class InboundCall(BaseModel):
    to: str
    from_: str = Field(alias="from")


class Delivered(BaseModel):
    sid: str


@router.post("/accounts", status_code=201)
async def open_account(request: Request, new: NewAccount | None = None) -> AccountCredentials:
    sandbox = sandbox_of(request)
    now = sandbox.clock.now()
    account = Account(
        sid=sids.new_sid(sids.ACCOUNT),
        auth_token=sids.new_auth_token(),
        friendly_name=(new or NewAccount()).friendly_name,
        date_created=now,
        date_updated=now,
    )
    sandbox.store.accounts[account.sid] = account
    # Twilio gives every account a default Conversations service.
    create_service(sandbox, account.sid, DEFAULT_SERVICE_NAME)
    return AccountCredentials(account_sid=account.sid, auth_token=account.auth_token)


@router.post("/inbound/message", status_code=202)
async def text_a_number(request: Request, inbound: InboundMessage) -> Delivered:
    sandbox = sandbox_of(request)
    number = _sandbox_number(sandbox, inbound.to)
    if inbound.channel == "sms" and not number.sms:
        raise HTTPException(409, f"{number.phone_number} cannot receive SMS")
    if not inbound.body and not inbound.media_urls:
        raise HTTPException(422, "an inbound message needs a body or media_urls")
    message = deliver_inbound_message(
        sandbox,
        number,
        sender=_caller(inbound.from_),
        body=inbound.body,
        channel=inbound.channel,
        media_urls=inbound.media_urls,
    )
    return Delivered(sid=message.sid)


@router.post("/inbound/call", status_code=202)
async def call_a_number(request: Request, inbound: InboundCall) -> Delivered:
    sandbox = sandbox_of(request)
    number = _sandbox_number(sandbox, inbound.to)
    if not number.voice:
        raise HTTPException(409, f"{number.phone_number} cannot receive calls")
    call = receive_call(sandbox, number, caller=_caller(inbound.from_))
    return Delivered(sid=call.sid)


def _sandbox_number(sandbox: Sandbox, to: str) -> PhoneNumber:
    normalized = e164(to.removeprefix("whatsapp:"))
    number = sandbox.store.number_by_value(normalized) if normalized else None
    if number is None:
        raise HTTPException(404, f"no sandbox account owns {to}")
    return number


def _caller(sender: str) -> str:
    normalized = e164(sender.removeprefix("whatsapp:"))
    if normalized is None:
        raise HTTPException(422, f"{sender} is not a phone number")
    return normalized
