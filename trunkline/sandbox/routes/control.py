"""The control API: what the outside world does to the sandbox (no Twilio equivalent).

``POST /control/accounts`` opens an account; ``POST /control/inbound/message`` and
``POST /control/inbound/call`` play a phone that texts or calls one of the sandbox's numbers.
``POST /control/accounts/{sid}/auth-token`` rotates an account's auth token and
``POST /control/numbers/webhooks`` edits a number's webhooks, as a person would in the Console.
``POST /control/clients/{identity}`` marks a Voice SDK client (un)available to answer, and
``POST /control/client-call`` plays a browser client dialling out through a TwiML App. It takes
no credentials: it stands for the public telephone network and the users' browsers.

Twilio's WhatsApp Sandbox sender (+14155238886) is every account's: a message to it names the
account whose sandbox the phone joined (``account_sid``) and goes to the URL that account set in
the Console, which ``POST /control/accounts/{sid}/whatsapp-sandbox`` stands in for.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from trunkline.sandbox import sids
from trunkline.sandbox.auth import sandbox_of
from trunkline.sandbox.forms import e164
from trunkline.sandbox.messaging import (
    WHATSAPP_SANDBOX_SENDER,
    deliver_inbound_message,
    shared_sender,
)
from trunkline.sandbox.records import Account, PhoneNumber
from trunkline.sandbox.routes.conversations import DEFAULT_SERVICE_NAME, create_service
from trunkline.sandbox.runtime import Sandbox
from trunkline.sandbox.voice import dial_from_client, receive_call

router = APIRouter(prefix="/control")


class NewAccount(BaseModel):
    friendly_name: str = "Sandbox account"


class AccountCredentials(BaseModel):
    account_sid: str
    auth_token: str


class InboundMessage(BaseModel):
    to: str = Field(description="A sandbox number, E.164, or the WhatsApp Sandbox sender")
    from_: str = Field(alias="from", description="The sender's number, E.164")
    body: str = ""
    channel: Literal["sms", "whatsapp"] = "sms"
    media_urls: list[str] = Field(default_factory=list, max_length=10)
    account_sid: str | None = Field(
        default=None,
        description="For the shared WhatsApp Sandbox sender (required there): whose sandbox the "
        "sender joined. For any other number it must be the owner's, if given.",
    )


class WhatsAppSandbox(BaseModel):
    """The Console's WhatsApp Sandbox settings: "When a message comes in"."""

    url: str = Field(min_length=1, max_length=2048)
    method: Literal["GET", "POST"] = "POST"


class InboundCall(BaseModel):
    to: str
    from_: str = Field(alias="from")


class Delivered(BaseModel):
    sid: str


class ClientAvailability(BaseModel):
    """Whether a Voice SDK client answers when a ``<Dial><Client>`` rings it."""

    available: bool


class ClientCall(BaseModel):
    """A browser client dialling out through a TwiML App (the Voice SDK's ``device.connect``).

    The app (one of the account's Applications) says where Twilio asks what to do and where the
    call's statuses go, as on Twilio: a Voice SDK token names its TwiML App, nothing else.
    """

    account_sid: str
    application_sid: str = Field(pattern=r"^AP[0-9a-fA-F]{32}$")
    identity: str = Field(min_length=1, max_length=121, pattern=r"^[A-Za-z0-9_.@-]+$")
    to: str = Field(min_length=1, max_length=64, description="The SDK's To parameter")
    caller_id: str | None = Field(
        default=None, max_length=64, description="The SDK's CallerId parameter, if any"
    )


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


@router.post("/accounts/{account_sid}/whatsapp-sandbox")
async def set_whatsapp_sandbox(
    request: Request, account_sid: str, settings: WhatsAppSandbox
) -> WhatsAppSandbox:
    sandbox = sandbox_of(request)
    account = _account(sandbox, account_sid)
    account.whatsapp_sandbox_url = settings.url
    account.whatsapp_sandbox_method = settings.method
    account.date_updated = sandbox.clock.now()
    sandbox.store.save()
    return settings


class NewAuthToken(BaseModel):
    auth_token: str


@router.post("/accounts/{account_sid}/auth-token")
async def rotate_auth_token(request: Request, account_sid: str) -> NewAuthToken:
    """The Console's "promote secondary token": the old token stops being accepted at once."""
    sandbox = sandbox_of(request)
    account = _account(sandbox, account_sid)
    account.auth_token = sids.new_auth_token()
    account.date_updated = sandbox.clock.now()
    sandbox.store.save()
    return NewAuthToken(auth_token=account.auth_token)


class NumberWebhooks(BaseModel):
    """A number's webhooks as edited in the Console; a field left out is kept."""

    phone_number: str = Field(description="A sandbox number, E.164")
    sms_url: str | None = Field(default=None, max_length=2048)
    voice_url: str | None = Field(default=None, max_length=2048)
    voice_fallback_url: str | None = Field(default=None, max_length=2048)
    status_callback: str | None = Field(default=None, max_length=2048)


@router.post("/numbers/webhooks")
async def edit_number_webhooks(request: Request, edit: NumberWebhooks) -> NumberWebhooks:
    """Someone changes a number's webhooks in the Console (behind the gateway's back)."""
    sandbox = sandbox_of(request)
    number = _sandbox_number(sandbox, edit.phone_number)
    for name in ("sms_url", "voice_url", "voice_fallback_url", "status_callback"):
        value = getattr(edit, name)
        if value is not None:
            setattr(number, name, value)
    number.date_updated = sandbox.clock.now()
    sandbox.store.save()
    return NumberWebhooks(
        phone_number=number.phone_number,
        sms_url=number.sms_url,
        voice_url=number.voice_url,
        voice_fallback_url=number.voice_fallback_url,
        status_callback=number.status_callback,
    )


@router.post("/inbound/message", status_code=202)
async def text_a_number(request: Request, inbound: InboundMessage) -> Delivered:
    sandbox = sandbox_of(request)
    number = _receiving(sandbox, inbound)
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


@router.post("/clients/{identity}")
async def set_client_availability(
    request: Request, identity: str, availability: ClientAvailability
) -> ClientAvailability:
    """Mark a Voice SDK client identity (un)available: an unavailable one rings out."""
    sandbox = sandbox_of(request)
    if availability.available:
        sandbox.unavailable_clients.discard(identity)
    else:
        sandbox.unavailable_clients.add(identity)
    return availability


@router.post("/client-call", status_code=202)
async def call_from_a_client(request: Request, dialled: ClientCall) -> Delivered:
    """A browser client dials out: the TwiML App's voice URL is asked what to do (signed, with
    ``From=client:<identity>``, ``To``, ``CallerId``, ``ApplicationSid``), and its TwiML run."""
    sandbox = sandbox_of(request)
    account = _account(sandbox, dialled.account_sid)
    application = sandbox.store.application_owned_by(account.sid, dialled.application_sid)
    if application is None:
        raise HTTPException(404, f"no TwiML App {dialled.application_sid} in this account")
    if not application.voice_url:
        raise HTTPException(422, f"the TwiML App {application.sid} has no voice URL")
    parameters = [("To", dialled.to)]
    if dialled.caller_id is not None:
        parameters.append(("CallerId", dialled.caller_id))
    call = dial_from_client(
        sandbox,
        account,
        identity=dialled.identity,
        to=dialled.to,
        parameters=parameters,
        url=application.voice_url,
        method=application.voice_method,
        application_sid=application.sid,
        status_callback=application.status_callback,
        status_callback_method=application.status_callback_method,
    )
    return Delivered(sid=call.sid)


def _receiving(sandbox: Sandbox, inbound: InboundMessage) -> PhoneNumber:
    """The number a message is sent to: the shared WhatsApp sender as ``account_sid`` sees it,
    or a number an account owns."""
    if e164(inbound.to.removeprefix("whatsapp:")) != WHATSAPP_SANDBOX_SENDER:
        number = _sandbox_number(sandbox, inbound.to)
        if inbound.account_sid is not None and inbound.account_sid != number.account_sid:
            raise HTTPException(409, f"{number.phone_number} is not {inbound.account_sid}'s")
        return number
    if inbound.channel != "whatsapp":
        raise HTTPException(409, f"{WHATSAPP_SANDBOX_SENDER} receives WhatsApp only")
    if inbound.account_sid is None:
        raise HTTPException(422, "a message to the WhatsApp Sandbox sender needs account_sid")
    account = _account(sandbox, inbound.account_sid)
    if account.whatsapp_sandbox_url is None:
        raise HTTPException(409, f"{account.sid} has no WhatsApp Sandbox URL set")
    return shared_sender(account)


def _account(sandbox: Sandbox, account_sid: str) -> Account:
    account = sandbox.store.accounts.get(account_sid)
    if account is None:
        raise HTTPException(404, f"no sandbox account {account_sid}")
    return account


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
