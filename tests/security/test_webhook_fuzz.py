"""Every webhook route, fuzzed: no re-signed mutation of a valid body is answered 5xx.

A 5xx tells Twilio to retry, so a webhook that can never be stored would come back forever; bad
input must be a 4xx naming what is wrong. Each mutation drops, empties or replaces a few fields
(over-long strings, huge and negative integers, unicode, control characters, NUL), sends a field
twice, or sends the body as JSON, and is signed with the tenant's auth token as Twilio signs, so
it passes verification and reaches the parsers behind it.

Hypothesis drives the examples from a thread of its own (it has no asyncio runner): each POST is
run on the test's event loop, where the gateway serves, and awaited from that thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.security.webhook_bodies import PATHS, SENDER, valid_body
from tests.webhooks.fixtures import TwilioTenant
from trunkline.models import SHARED_WHATSAPP_SENDERS, PhoneNumber
from trunkline.services.callbacks import Callback

# 300 mutations over the six routes: about 20 s per backend on a busy 2-core machine.
EXAMPLES_PER_ROUTE = 50
INTEGER_EDGES = [2**15, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, 2**64, -1, 0]
# Names Twilio sends that no route reads yet, and numbered media past NumMedia.
EXTRA_NAMES = ["MediaUrl1", "MediaUrl9", "MediaContentType1", "ApiVersion", "Caller"]
# Amounts and RFC 2822 dates at and past what their columns and datetime hold.
EDGE_TEXTS = [
    "-0.00001",
    "-0.000001",
    "9999999.99999",
    "10000000",
    "1e5",
    "NaN",
    "-Infinity",
    "0x10",
    "Mon, 30 Nov 2026 01:02:03 +0000",
    "Fri, 31 Dec 9999 23:59:59 -2359",
    "Mon, 01 Jan 0001 00:00:00 +2359",
    "Mon, 30 Nov 2026 25:61:61 +0000",
    "Mon, 31 Feb 2026 01:02:03 +0000",
    "30 Nov 2026 01:02:03 +9999",
]

Pairs = list[tuple[str, Any]]
T = TypeVar("T")

texts = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=5),
    st.builds(
        lambda unit, count: unit * count,
        st.sampled_from(["x", "5", "+", "é", "\U0001f600", "\x00", "\x1f", " "]),
        st.integers(min_value=1, max_value=1200),
    ),
)
integers = st.one_of(
    st.sampled_from(INTEGER_EDGES).map(str),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    # Leading zeros past the 4,300 digits int() takes.
    st.builds(lambda zeros, n: "0" * zeros + str(n), st.integers(0, 5000), st.integers(0, 99)),
)
values = st.one_of(texts, integers, st.sampled_from(EDGE_TEXTS))
# JSON can carry what a form cannot: lone surrogates, numbers, null, lists and objects.
json_values = st.one_of(
    values,
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@dataclass(frozen=True)
class Mutation:
    """What to do to a valid body: ``(op, name, value)`` steps, then the encoding."""

    steps: list[tuple[str, str, Any]]
    as_json: bool

    def apply(self, body: dict[str, str]) -> Pairs:
        pairs: Pairs = list(body.items())
        for op, name, value in self.steps:
            if op == "drop":
                pairs = [(k, v) for k, v in pairs if k != name]
            elif op == "set":
                pairs = [(k, v) for k, v in pairs if k != name] + [(name, value)]
            else:  # "repeat": the field a second time
                pairs.append((name, value))
        return pairs


@st.composite
def mutations(draw: st.DrawFn, names: list[str]) -> Mutation:
    as_json = draw(st.booleans())
    name = st.one_of(st.sampled_from(names + EXTRA_NAMES), st.text(min_size=1, max_size=12))
    step = st.tuples(
        st.sampled_from(["drop", "set", "set", "repeat"]),
        name,
        json_values if as_json else values,
    )
    return Mutation(steps=draw(st.lists(step, min_size=1, max_size=3)), as_json=as_json)


def signed_request(
    tenant: TwilioTenant, path: str, pairs: Pairs, *, as_json: bool
) -> httpx.Request:
    """The request Twilio would send: form parameters signed in order, JSON via bodySHA256."""
    validator = RequestValidator(tenant.auth_token)
    if as_json:
        # Written by hand so a repeated name stays repeated.
        body = "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in pairs) + "}"
        query = urlencode({"bodySHA256": hashlib.sha256(body.encode()).hexdigest()})
        signature = validator.compute_signature(f"{tenant.gateway}{path}?{query}", {})
        return tenant.http.build_request(
            "POST",
            f"{path}?{query}",
            content=body,
            headers={"Content-Type": "application/json", "X-Twilio-Signature": signature},
        )
    form = [(k, str(v)) for k, v in pairs]
    return tenant.http.build_request(
        "POST",
        path,
        content=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            **tenant.signed_headers(path, form),
        },
    )


@pytest.mark.parametrize("path", PATHS)
async def test_no_re_signed_mutation_of_a_valid_webhook_is_answered_5xx(
    twilio_tenant: TwilioTenant, path: str
) -> None:
    await fuzz(twilio_tenant, path)


# The routes whose receiving number may be the shared WhatsApp sender (found by AccountSid).
SHARED_SENDER_PATHS = [Callback.MESSAGING.value, Callback.MESSAGE_STATUS.value]


@pytest.mark.parametrize("path", SHARED_SENDER_PATHS)
async def test_no_re_signed_mutation_of_a_webhook_of_the_shared_whatsapp_sender_is_answered_5xx(
    twilio_tenant: TwilioTenant, path: str
) -> None:
    shared = await PhoneNumber.create(
        tenant_id=twilio_tenant.tenant_id,
        sid=None,
        phone_number=next(iter(SHARED_WHATSAPP_SENDERS)),
        whatsapp_enabled=True,
    )

    await fuzz(replace(twilio_tenant, number=shared), path)


# The voice route's other callers: a browser client dialling out (From=client:..., CallerId),
# and a placed call being answered (outbound-api, From = our number); and the action route told
# a <Dial> was answered.
VOICE_SHAPES: dict[str, Callable[[TwilioTenant], dict[str, str]]] = {
    "browser call": lambda tenant: (
        valid_body(tenant)
        | {"From": "client:amy_0123456789ab", "To": SENDER, "CallerId": tenant.number.phone_number}
    ),
    "placed call": lambda tenant: (
        valid_body(tenant)
        | {"Direction": "outbound-api", "From": tenant.number.phone_number, "To": SENDER}
    ),
    "answered dial": lambda tenant: valid_body(tenant) | {"DialCallStatus": "completed"},
}
VOICE_SHAPE_PATHS = {
    "browser call": Callback.VOICE.value,
    "placed call": Callback.VOICE.value,
    "answered dial": f"{Callback.VOICE_ACTION.value}?step=dial&answeredBy=client%3Aamy",
}


@pytest.mark.parametrize("shape", sorted(VOICE_SHAPES))
async def test_no_re_signed_mutation_of_each_kind_of_voice_webhook_is_answered_5xx(
    twilio_tenant: TwilioTenant, shape: str
) -> None:
    await fuzz(twilio_tenant, VOICE_SHAPE_PATHS[shape], body=VOICE_SHAPES[shape])


async def fuzz(
    twilio_tenant: TwilioTenant,
    path: str,
    body: Callable[[TwilioTenant], dict[str, str]] = valid_body,
) -> None:
    """Mutations of a valid body to ``path``, re-signed: none answered 5xx, some stored."""
    loop = asyncio.get_running_loop()
    valid = await twilio_tenant.http.send(
        signed_request(twilio_tenant, path, list(body(twilio_tenant).items()), as_json=False)
    )
    assert valid.status_code == 200, f"{path} does not store the valid body: {valid.text}"
    answered: dict[int, int] = {}

    def on_loop(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=30)

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,  # nothing written into the work tree
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(mutation=mutations(sorted(body(twilio_tenant))))
    def no_5xx(mutation: Mutation) -> None:
        pairs = mutation.apply(body(twilio_tenant))
        request = signed_request(twilio_tenant, path, pairs, as_json=mutation.as_json)
        response = on_loop(twilio_tenant.http.send(request))
        answered[response.status_code] = answered.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.status_code, response.text)
        if response.status_code != 200:
            assert response.status_code in {400, 403}, (response.status_code, response.text)
            assert isinstance(response.json()["detail"], str), response.text

    await asyncio.to_thread(no_5xx)

    assert sum(answered.values()) >= EXAMPLES_PER_ROUTE
    assert answered.get(200, 0) > 0, answered  # mutations that still store: the fuzz got through
