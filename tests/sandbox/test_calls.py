"""Outbound calls: validation, progression, status callbacks, TwiML, hang-up, listing."""

from __future__ import annotations

import asyncio

import pytest
from twilio.base.exceptions import TwilioRestException

from tests.sandbox.fixtures import SandboxAccount
from tests.sandbox.receiver import WebhookReceiver

CALLEE = "+14155550177"
ALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


async def own_number(account: SandboxAccount) -> str:
    bought = await account.client.incoming_phone_numbers.create_async(area_code="212")
    return bought.phone_number


async def test_a_call_reports_each_requested_event_in_sequence_with_duration_and_price(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    receiver.reply("/twiml", "<Response><Say>Your order is on its way</Say></Response>")

    call = await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        url=receiver.url("/twiml"),
        status_callback=receiver.url("/status"),
        status_callback_event=ALL_EVENTS,
    )
    events = [await receiver.next("/status") for _ in range(4)]
    twiml_request = await receiver.next("/twiml")
    fetched = await account.client.calls(call.sid).fetch_async()

    assert (call.status, call.direction) == ("queued", "outbound-api")
    assert [e.fields["CallStatus"] for e in events] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert [e.fields["SequenceNumber"] for e in events] == ["0", "1", "2", "3"]
    assert all(e.signed_with(account.auth_token) for e in events)
    completed = events[-1].fields
    # Six words at 2.5 words per second: three seconds, billed as one minute.
    assert (completed["CallDuration"], completed["Duration"]) == ("3", "1")
    assert (completed["Price"], completed["PriceUnit"]) == ("-0.01400", "USD")
    assert completed["SipResponseCode"] == "200"
    assert completed["CallbackSource"] == "call-progress-events"
    assert (completed["From"], completed["To"], completed["Direction"]) == (
        caller,
        CALLEE,
        "outbound-api",
    )
    assert twiml_request.signed_with(account.auth_token)
    assert twiml_request.fields["CallStatus"] == "in-progress"
    assert (fetched.status, fetched.duration, fetched.price) == ("completed", "3", "-0.01400")
    assert fetched.start_time is not None
    assert fetched.end_time is not None


async def test_without_status_callback_events_only_completed_is_reported(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)

    await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        twiml="<Response><Pause length='3'/></Response>",
        status_callback=receiver.url("/status"),
    )
    only = await receiver.next("/status")

    assert (only.fields["CallStatus"], only.fields["SequenceNumber"]) == ("completed", "0")
    assert only.fields["CallDuration"] == "3"


async def test_a_get_status_callback_is_signed_over_its_query_string(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)

    await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        twiml="<Response><Say>Hi</Say></Response>",
        status_callback=receiver.url("/status"),
        status_callback_method="GET",
    )
    callback = await receiver.next("/status")

    assert callback.method == "GET"
    assert callback.signed_with(account.auth_token)
    assert callback.fields["CallStatus"] == "completed"


@pytest.mark.parametrize("outcome", ["busy", "no-answer", "failed"])
async def test_the_sandbox_outcome_numbers_end_calls_unanswered(
    account: SandboxAccount, receiver: WebhookReceiver, outcome: str
) -> None:
    caller = await own_number(account)
    callee = {"busy": "+15005550011", "no-answer": "+15005550012", "failed": "+15005550013"}[
        outcome
    ]

    call = await account.client.calls.create_async(
        to=callee,
        from_=caller,
        url=receiver.url("/twiml"),
        status_callback=receiver.url("/status"),
        status_callback_event=ALL_EVENTS,
    )
    events = [await receiver.next("/status") for _ in range(3)]
    fetched = await account.client.calls(call.sid).fetch_async()

    assert [e.fields["CallStatus"] for e in events] == ["initiated", "ringing", outcome]
    assert (events[-1].fields["CallDuration"], events[-1].fields["Price"]) == ("0", "0.00000")
    assert (fetched.status, fetched.duration, fetched.start_time) == (outcome, "0", None)
    assert receiver.waiting("/twiml") == 0  # nobody answered, so no TwiML was asked for


@pytest.mark.parametrize(
    ("to", "caller", "code"),
    [("+15005550001", None, 21217), ("+15005550002", None, 21214),
     ("+15005550003", None, 21215), ("+15005550004", None, 21216),
     (CALLEE, "+15005550001", 21212), (CALLEE, "+14155550123", 21210), ("12", None, 21217)],
)  # fmt: skip
async def test_magic_and_unowned_numbers_are_refused_with_twilios_codes(
    account: SandboxAccount, to: str, caller: str | None, code: int
) -> None:
    source = caller or await own_number(account)

    with pytest.raises(TwilioRestException) as raised:
        await account.client.calls.create_async(to=to, from_=source, twiml="<Response/>")

    assert (raised.value.status, raised.value.code) == (400, code)


async def test_a_call_needs_a_url_twiml_or_application(account: SandboxAccount) -> None:
    caller = await own_number(account)

    with pytest.raises(TwilioRestException) as raised:
        await account.client.calls.create_async(to=CALLEE, from_=caller)

    assert (raised.value.status, raised.value.code) == (400, 21205)


async def test_the_magic_caller_15005550006_may_call(account: SandboxAccount) -> None:
    call = await account.client.calls.create_async(
        to=CALLEE, from_="+15005550006", twiml="<Response/>"
    )

    assert (call._from, call.status, call.phone_number_sid) == ("+15005550006", "queued", None)


async def test_hangup_verb_ends_the_call_and_skips_the_rest(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)

    await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        twiml="<Response><Pause length='4'/><Hangup/><Pause length='60'/></Response>",
        status_callback=receiver.url("/status"),
    )
    completed = await receiver.next("/status")

    assert completed.fields["CallDuration"] == "4"


async def test_a_redirect_fetches_the_next_document_relative_to_the_current_one(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    receiver.reply("/ivr/start", "<Response><Redirect method='GET'>next</Redirect></Response>")
    receiver.reply("/ivr/next", "<Response><Pause length='6'/></Response>")

    await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        url=receiver.url("/ivr/start"),
        status_callback=receiver.url("/status"),
    )
    redirected = await receiver.next("/ivr/next")
    completed = await receiver.next("/status")

    assert redirected.method == "GET"
    assert redirected.signed_with(account.auth_token)
    assert completed.fields["CallDuration"] == "6"


async def test_status_completed_hangs_up_a_call_in_progress(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    release = asyncio.Event()
    receiver.reply("/slow-twiml", "<Response><Pause length='30'/></Response>", hold=release)

    call = await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        url=receiver.url("/slow-twiml"),
        status_callback=receiver.url("/status"),
    )
    await receiver.next("/slow-twiml")  # answered; the application is still thinking
    hung_up = await account.client.calls(call.sid).update_async(status="completed")
    completed = await receiver.next("/status")
    release.set()
    fetched = await account.client.calls(call.sid).fetch_async()

    assert hung_up.status == "completed"
    assert (completed.fields["CallStatus"], completed.fields["CallDuration"]) == ("completed", "1")
    assert (fetched.status, fetched.duration) == ("completed", "1")


async def test_status_canceled_cancels_a_call_that_is_not_answered_yet(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    release = asyncio.Event()
    receiver.reply("/status", hold=release)

    call = await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        twiml="<Response><Say>never heard</Say></Response>",
        status_callback=receiver.url("/status"),
        status_callback_event=["initiated", "completed"],
    )
    initiated = await receiver.next("/status")  # held: the call waits before ringing
    canceled = await account.client.calls(call.sid).update_async(status="canceled")
    completed = await receiver.next("/status")
    release.set()

    assert initiated.fields["CallStatus"] == "initiated"
    assert (canceled.status, canceled.duration) == ("canceled", "0")
    assert (completed.fields["CallStatus"], completed.fields["SipResponseCode"]) == (
        "canceled",
        "487",
    )


async def test_updating_a_finished_call_changes_nothing(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    call = await account.client.calls.create_async(
        to="+15005550011", from_=caller, twiml="<Response/>", status_callback=receiver.url("/s")
    )
    await receiver.next("/s")

    updated = await account.client.calls(call.sid).update_async(status="completed")

    assert updated.status == "busy"


async def test_the_call_list_pages_and_filters_by_status(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    placed = []
    for callee in (CALLEE, "+15005550011", CALLEE):
        placed.append(
            await account.client.calls.create_async(
                to=callee, from_=caller, twiml="<Response/>", status_callback=receiver.url("/s")
            )
        )
        await receiver.next("/s")

    busy = await account.client.calls.list_async(status="busy")
    everything = await account.client.calls.list_async(page_size=1)

    assert [c.sid for c in busy] == [placed[1].sid]
    assert [c.sid for c in everything] == [c.sid for c in reversed(placed)]


async def test_the_ringing_magic_callee_is_no_answer_once_its_timeout_has_passed(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)

    await account.client.calls.create_async(
        to="+15005550014",
        from_=caller,
        twiml="<Response><Say>never heard</Say></Response>",
        status_callback=receiver.url("/status"),
        status_callback_event=["ringing", "completed"],
        timeout=1,
    )
    ringing = await receiver.next("/status")
    started = asyncio.get_running_loop().time()
    completed = await receiver.next("/status")
    rang = asyncio.get_running_loop().time() - started

    assert ringing.fields["CallStatus"] == "ringing"
    assert completed.fields["CallStatus"] == "no-answer"
    assert rang >= 0.9  # a real second, although the clock's steps take none


async def test_a_call_still_ringing_is_canceled_by_status_completed(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    call = await account.client.calls.create_async(
        to="+15005550014",
        from_=caller,
        twiml="<Response><Say>never heard</Say></Response>",
        status_callback=receiver.url("/status"),
        status_callback_event=["ringing", "completed"],
    )
    await receiver.next("/status")  # ringing, for a minute unless hung up

    hung_up = await account.client.calls(call.sid).update_async(status="completed")
    completed = await asyncio.wait_for(receiver.next("/status"), timeout=5)

    assert (hung_up.status, hung_up.duration) == ("canceled", "0")
    assert (completed.fields["CallStatus"], completed.fields["CallDuration"]) == ("canceled", "0")


@pytest.mark.parametrize(
    "ring_seconds",
    ["0", pytest.param("soon", marks=pytest.mark.nonconforming_request)],  # (not an integer)
)
async def test_a_bad_timeout_is_refused(account: SandboxAccount, ring_seconds: str) -> None:
    caller = await own_number(account)

    with pytest.raises(TwilioRestException) as raised:
        await account.client.calls.create_async(
            to=CALLEE, from_=caller, twiml="<Response/>", timeout=ring_seconds
        )

    assert raised.value.status == 400
