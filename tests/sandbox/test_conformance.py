"""Conformance to Twilio's OpenAPI specifications.

Every test in this package already has each exchange with the sandbox checked afterwards
(``conforms_to_twilio_specs``); these tests make sure that check covers every route the sandbox
serves, and that it does catch departures from the specs.
"""

from __future__ import annotations

import dataclasses
import json
import re

import httpx
from fastapi.routing import APIRoute

from tests.sandbox.conformance import Exchange, TwilioSpecs
from tests.sandbox.fixtures import SandboxAccount, SandboxServer
from tests.sandbox.receiver import WebhookReceiver
from trunkline.sandbox.routes import accounts, calls, conversations, messages, numbers

TWILIO_ROUTERS = (accounts, numbers, messages, calls, conversations)


def twilio_routes() -> list[APIRoute]:
    """The sandbox's Twilio API routes; audio media (not JSON, not in the specs) left out."""
    routes = [r for module in TWILIO_ROUTERS for r in module.router.routes]
    return [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]


def template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_every_twilio_route_of_the_sandbox_is_an_operation_of_twilios_specs(
    twilio_specs: TwilioSpecs,
) -> None:
    specified = {
        (method, f"/twilio/{product}{template(path)}")
        for product in ("api", "conversations")
        for method, path in twilio_specs.operations(product)
    }

    served = {(m, template(r.path)) for r in twilio_routes() for m in r.methods - {"HEAD"}}

    assert len(served) == 28
    assert served - specified == set()


async def test_one_pass_over_every_route_is_checked_against_the_specs(
    account: SandboxAccount, receiver: WebhookReceiver, sandbox_server: SandboxServer
) -> None:
    first = len(sandbox_server.recorder.exchanges)
    client = account.client
    await client.api.v2010.accounts(account.sid).fetch_async()
    await client.available_phone_numbers.list_async()
    await client.available_phone_numbers("US").fetch_async()
    await client.available_phone_numbers("US").local.list_async(page_size=2)
    await client.available_phone_numbers("GB").mobile.list_async(page_size=2)
    await client.available_phone_numbers("GB").toll_free.list_async(page_size=2)
    number = await client.incoming_phone_numbers.create_async(area_code="206")
    await client.incoming_phone_numbers.list_async()
    await client.incoming_phone_numbers(number.sid).fetch_async()
    await client.incoming_phone_numbers(number.sid).update_async(friendly_name="checked")
    message = await client.messages.create_async(
        to="+14155550199", from_=number.phone_number, body="conformance"
    )
    await client.messages.list_async(limit=1)
    await client.messages(message.sid).fetch_async()
    call = await client.calls.create_async(
        to="+14155550177",
        from_=number.phone_number,
        twiml="<Response><Pause/></Response>",
        record=True,
        status_callback=receiver.url("/done"),
    )
    await receiver.next("/done")
    await client.calls.list_async(limit=1)
    await client.calls(call.sid).fetch_async()
    await client.calls(call.sid).update_async(status="completed")
    recordings = await client.calls(call.sid).recordings.list_async()
    await client.recordings.list_async(call_sid=call.sid)
    await client.recordings(recordings[0].sid).fetch_async()
    await client.recordings(recordings[0].sid).delete_async()
    await client.incoming_phone_numbers(number.sid).delete_async()
    conversations_v1 = client.conversations.v1
    await conversations_v1.configuration().fetch_async()
    service = await conversations_v1.services.create_async(friendly_name="checked")
    await conversations_v1.services.list_async()
    await conversations_v1.services(service.sid).fetch_async()
    await conversations_v1.services(service.sid).configuration.webhooks().fetch_async()
    await (
        conversations_v1.services(service.sid)
        .configuration.webhooks()
        .update_async(filters=["onMessageAdded"])
    )

    exchanges = sandbox_server.recorder.exchanges[first:]
    exercised = {
        (e.method, template(r.path))
        for e in exchanges
        for r in twilio_routes()
        if e.method in r.methods and r.path_regex.match(e.path)
    }
    served = {(m, template(r.path)) for r in twilio_routes() for m in r.methods - {"HEAD"}}
    assert exercised == served
    # The spec check itself runs when this test ends, over all of these exchanges.


async def test_the_spec_check_catches_fields_that_are_missing_extra_or_mistyped(
    account: SandboxAccount, sandbox_server: SandboxServer, twilio_specs: TwilioSpecs
) -> None:
    await account.client.api.v2010.accounts(account.sid).fetch_async()
    real = sandbox_server.recorder.exchanges[-1]
    body = json.loads(real.response_body)

    def with_body(changed: dict[str, object]) -> Exchange:
        return dataclasses.replace(real, response_body=json.dumps(changed).encode())

    missing = with_body({k: v for k, v in body.items() if k != "auth_token"})
    extra = with_body(body | {"balance": "10.00"})
    mistyped = with_body(body | {"status": "sleeping"})

    assert twilio_specs.violations(real) == []
    assert "'auth_token' is a required property" in " ".join(twilio_specs.violations(missing))
    assert "'balance' was unexpected" in " ".join(twilio_specs.violations(extra))
    assert "'sleeping' is not one of" in " ".join(twilio_specs.violations(mistyped))


async def test_the_spec_check_catches_a_malformed_error_body_and_request(
    account: SandboxAccount, sandbox_server: SandboxServer, twilio_specs: TwilioSpecs
) -> None:
    async with httpx.AsyncClient() as http:
        await http.get(
            f"{sandbox_server.url}/twilio/api/2010-04-01/Accounts/{account.sid}.json",
            auth=(account.sid, "wrong"),
        )
    real_error = sandbox_server.recorder.exchanges[-1]
    bare_error = dataclasses.replace(real_error, response_body=b'{"detail": "Unauthorized"}')
    bad_path = dataclasses.replace(
        real_error, path="/twilio/api/2010-04-01/Accounts/not-a-sid.json"
    )

    assert twilio_specs.violations(real_error) == []
    assert "'code' is a required property" in " ".join(twilio_specs.violations(bare_error))
    assert twilio_specs.violations(bad_path)[0].startswith("request GET")
