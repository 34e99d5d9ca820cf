"""``Calls.json`` and ``Recordings.json``: place, list, fetch, hang up; fetch, list, delete."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from trunkline.sandbox.auth import path_account, sandbox_of
from trunkline.sandbox.errors import bad_request, not_found, twilio_path
from trunkline.sandbox.forms import read_form
from trunkline.sandbox.paging import PageRequest, envelope_2010, select
from trunkline.sandbox.records import Account, Call, Recording
from trunkline.sandbox.voice import hang_up, place_call
from trunkline.sandbox.wire import account_uri, call_json, call_recording_json, recording_json

router = APIRouter(prefix="/twilio/api/2010-04-01/Accounts/{account_sid}")
AccountDep = Annotated[Account, Depends(path_account)]
_UPDATE_STATUSES = ("completed", "canceled")
_SAMPLE_RATE = 8000


@router.post("/Calls.json")
async def create_call(account: AccountDep, request: Request) -> JSONResponse:
    call = place_call(sandbox_of(request), account, await read_form(request))
    return JSONResponse(call_json(call), status_code=201)


@router.get("/Calls.json")
async def list_calls(account: AccountDep, request: Request) -> dict[str, Any]:
    query = request.query_params
    names = {"To": "to", "From": "from_", "Status": "status", "ParentCallSid": "parent_call_sid"}
    filters = [(k, query[k]) for k in names if k in query]
    calls = [
        c
        for c in reversed(sandbox_of(request).store.calls.values())
        if c.account_sid == account.sid
        and all(getattr(c, names[key]) == value for key, value in filters)
    ]
    page_request = PageRequest.from_query(query)
    return envelope_2010(
        select(calls, page_request),
        page_request,
        key="calls",
        uri=f"{account_uri(account.sid)}/Calls.json",
        filters=filters,
        render=call_json,
    )


@router.get("/Calls/{call_sid}.json")
async def fetch_call(account: AccountDep, call_sid: str, request: Request) -> dict[str, Any]:
    return call_json(_call(request, account, call_sid))


@router.post("/Calls/{call_sid}.json")
async def update_call(account: AccountDep, call_sid: str, request: Request) -> dict[str, Any]:
    call = _call(request, account, call_sid)
    form = await read_form(request)
    status = form.text("Status")
    if status is not None and status not in _UPDATE_STATUSES:
        raise bad_request(21218, f"Invalid Status {status}: must be completed or canceled")
    sandbox = sandbox_of(request)
    if "StatusCallback" in form:
        call.status_callback = form.text("StatusCallback")
        call.status_callback_method = form.method("StatusCallbackMethod")
    if status is not None:
        hang_up(sandbox, call, status)
    sandbox.store.save()
    return call_json(call)


@router.get("/Calls/{call_sid}/Recordings.json")
async def list_call_recordings(
    account: AccountDep, call_sid: str, request: Request
) -> dict[str, Any]:
    _call(request, account, call_sid)
    path = f"Calls/{call_sid}/Recordings.json"
    return _recordings_page(request, account, call_sid, path, render=call_recording_json)


@router.get("/Recordings.json")
async def list_recordings(account: AccountDep, request: Request) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _recordings_page(
        request,
        account,
        request.query_params.get("CallSid"),
        "Recordings.json",
        render=lambda recording: recording_json(recording, sandbox.media_base),
    )


@router.get("/Recordings/{recording_sid}.json")
async def fetch_recording(
    account: AccountDep, recording_sid: str, request: Request
) -> dict[str, Any]:
    recording = _recording(request, account, recording_sid)
    return recording_json(recording, sandbox_of(request).media_base)


@router.delete("/Recordings/{recording_sid}.json", status_code=204)
async def delete_recording(account: AccountDep, recording_sid: str, request: Request) -> Response:
    _recording(request, account, recording_sid)
    sandbox = sandbox_of(request)
    del sandbox.store.recordings[recording_sid]
    sandbox.store.save()
    return Response(status_code=204)


@router.get("/Recordings/{recording_sid}", include_in_schema=False)
async def recording_audio(account: AccountDep, recording_sid: str, request: Request) -> Response:
    """The recording's audio: silence of its length, as WAV (Twilio's default media format).

    To the account's credentials only, as message media: the sandbox behaves as an account with
    "Enforce HTTP Auth on Media URLs" on, which README asks tenants to turn on (the gateway
    always downloads with the tenant's credentials; nobody else then can).
    """
    sid = recording_sid.removesuffix(".wav")
    recording = sandbox_of(request).store.recordings.get(sid)
    if recording is None or recording.account_sid != account.sid:
        raise not_found(twilio_path(request))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(recording.channels)
        audio.setsampwidth(2)
        audio.setframerate(_SAMPLE_RATE)
        audio.writeframes(b"\0\0" * recording.channels * _SAMPLE_RATE * recording.duration)
    return Response(buffer.getvalue(), media_type="audio/x-wav")


def _call(request: Request, account: Account, call_sid: str) -> Call:
    call = sandbox_of(request).store.calls.get(call_sid)
    if call is None or call.account_sid != account.sid:
        raise not_found(twilio_path(request))
    return call


def _recording(request: Request, account: Account, recording_sid: str) -> Recording:
    recording = sandbox_of(request).store.recordings.get(recording_sid)
    if recording is None or recording.account_sid != account.sid:
        raise not_found(twilio_path(request))
    return recording


def _recordings_page(
    request: Request,
    account: Account,
    call_sid: str | None,
    path: str,
    *,
    render: Callable[[Recording], dict[str, Any]],
) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    recordings = [
        r
        for r in reversed(sandbox.store.recordings.values())
        if r.account_sid == account.sid and (call_sid is None or r.call_sid == call_sid)
    ]
    filters = [("CallSid", call_sid)] if call_sid and path == "Recordings.json" else []
    page_request = PageRequest.from_query(request.query_params)
    return envelope_2010(
        select(recordings, page_request),
        page_request,
        key="recordings",
        uri=f"{account_uri(account.sid)}/{path}",
        filters=filters,
        render=render,
    )
