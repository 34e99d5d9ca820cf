"""Twilio's webhooks: a route table keyed by `Callback`; verified, stored, then announced.

Each route verifies first (:mod:`trunkline.webhooks.verification`), then parses the delivery
into an :class:`Ingestion` (:mod:`trunkline.webhooks.twilio_handlers`) and hands it to the
process's ingestion writer, which commits it with whatever else is waiting (group commit) before
the request is answered; the writer then publishes each committed batch's activity on the bus in
one round trip (a bus that is down is logged: subscribers backfill from the log). ``GET`` on
each route is a health check.

A route's answer is a function of the delivery: most answer an empty document, the voice routes
TwiML decided per call (:mod:`trunkline.webhooks.voice`), computed before the delivery is stored
and sent once it is.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from time import perf_counter

from fastapi import APIRouter
from prometheus_client import Counter
from starlette.types import Scope
from tortoise.exceptions import BaseORMException

from trunkline import metrics
from trunkline.ingestion.writer import IngestionBusy, IngestionWriter
from trunkline.logs import bind_tenant
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.services.health import HealthLog, RefusalReason
from trunkline.webhooks import twilio_handlers as handlers
from trunkline.webhooks import voice
from trunkline.webhooks.asgi import Answer, WebhookEndpoint
from trunkline.webhooks.requests import WebhookRejected, WebhookRequest, read_webhook
from trunkline.webhooks.twiml import EMPTY
from trunkline.webhooks.verification import Delivery, verify
from trunkline.webhooks.voice import Reply

logger = logging.getLogger(__name__)


Responder = Callable[[Delivery, str], Awaitable[Reply]]
# Which parameter names a delivery's number, and whether the tenant must hold it.
Receiving = Callable[[WebhookRequest], tuple[str, bool]]


def stored(handle: handlers.Handler) -> Responder:
    """A route that stores what ``handle`` parses and answers an empty TwiML document."""

    async def respond(delivery: Delivery, public_url: str) -> Reply:
        return Reply(handle(delivery), EMPTY)

    return respond


@dataclass(frozen=True)
class Route:
    respond: Responder
    # The parameter naming our number; for inbound traffic the tenant must hold it.
    receiving_field: str
    inbound: bool
    # Per delivery, when the number's parameter depends on the call (see voice_receiving).
    receiving: Receiving | None = None
    # Answered whatever goes wrong once verified (the voice fallback: nothing is stored, and a
    # 5xx would leave the caller with Twilio's application-error message).
    always: str | None = None

    def receiving_of(self, webhook: WebhookRequest) -> tuple[str, bool]:
        if self.receiving is not None:
            return self.receiving(webhook)
        return self.receiving_field, self.inbound


# Keyed by the callback whose URL Twilio is given: the path served is the callback's own.
ROUTES: dict[Callback, Route] = {
    Callback.MESSAGING: Route(stored(handlers.inbound_message), receiving_field="To", inbound=True),
    Callback.MESSAGE_STATUS: Route(
        stored(handlers.message_status), receiving_field="From", inbound=False
    ),
    Callback.VOICE: Route(
        voice.answer_call, receiving_field="To", inbound=True, receiving=voice.voice_receiving
    ),
    Callback.VOICE_ACTION: Route(voice.answer_action, receiving_field="To", inbound=False),
    Callback.VOICE_FALLBACK: Route(
        voice.answer_fallback, receiving_field="To", inbound=False, always=voice.fallback_twiml()
    ),
    Callback.CALL_STATUS: Route(stored(handlers.call_status), receiving_field="To", inbound=False),
    Callback.RECORDING_STATUS: Route(
        stored(handlers.recording_status), receiving_field="To", inbound=False
    ),
    Callback.CONVERSATIONS: Route(
        stored(handlers.conversation_event), receiving_field="To", inbound=False
    ),
}


UNAVAILABLE = Answer.detail(503, "temporarily unavailable")

# A webhook's outcome, as counted (besides a refusal's reason: see WebhookRejected.reason).
STORED = "stored"
DUPLICATE = "duplicate"
ANSWERED = "answered"  # verified and answered; nothing to store (a voice route's TwiML)
OVERLOADED = "overloaded"
FAILED = "failed"
REFUSED_REASONS = frozenset({"bad_signature", "unknown_account", "foreign_number", "refused"})


class WebhookMetrics:
    """One route's webhook count and latency, with its label children bound once: per webhook
    it costs two clock reads, a dict look-up, an increment and an observation, no allocation
    beyond the float."""

    def __init__(self, route: str) -> None:
        self.route = route
        self.duration = metrics.WEBHOOK_DURATION.labels(route)
        self._counters: dict[str, Counter] = {}

    def count(self, outcome: str, started: float) -> None:
        self.duration.observe(perf_counter() - started)
        counter = self._counters.get(outcome)
        if counter is None:
            label = f"refused:{outcome}" if outcome in REFUSED_REASONS else outcome
            counter = self._counters[outcome] = metrics.WEBHOOKS.labels(self.route, label)
        counter.inc()


def twilio_webhook_router(
    accounts: TwilioAccounts, writer: IngestionWriter, health_log: HealthLog
) -> APIRouter:
    """The routes of :data:`ROUTES`: each verifies with ``accounts``, stores through ``writer``
    and notes in ``health_log`` what a tenant's health shows (last webhook, refusals)."""
    router = APIRouter()

    def register(callback: Callback, route: Route) -> None:
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        async def receive(scope: Scope, body: bytes) -> Answer:
            started = perf_counter()
            try:
                webhook = read_webhook(scope, body, public_url=accounts.public_url)
                receiving_field, inbound = route.receiving_of(webhook)
                delivery = await verify(
                    webhook, accounts=accounts, receiving_field=receiving_field, inbound=inbound
                )
                await health_log.webhook_arrived(delivery.tenant_id)
                bind_tenant(delivery.tenant_id)
                # Decided before it is stored, answered once stored: a retry is decided again.
                reply = await route.respond(delivery, accounts.public_url)
                outcome = ANSWERED
                if reply.ingestion is not None:
                    ingested = await writer.ingest(reply.ingestion)
                    outcome = DUPLICATE if ingested.duplicate else STORED
            except WebhookRejected as rejected:
                logger.info("webhook %s rejected: %s", path, rejected.detail)
                observed.count(rejected.reason, started)
                if rejected.tenant_id is not None and rejected.refusal is not None:
                    await health_log.webhook_refused(
                        rejected.tenant_id,
                        reason=RefusalReason(rejected.refusal),
                        route=path,
                        phone_number=rejected.phone_number,
                    )
                return Answer.detail(rejected.status, rejected.detail)
            except Exception as exc:
                if route.always is not None:
                    logger.error("webhook %s not answered: %r", path, exc)
                    observed.count(FAILED, started)
                    return Answer.xml(route.always)
                return unavailable(exc, started)
            observed.count(outcome, started)
            return Answer.xml(reply.twiml)

        def unavailable(exc: Exception, started: float) -> Answer:
            if isinstance(exc, IngestionBusy):
                # Full (or shutting down): Twilio retries a 503 later; a 429 it would not.
                logger.warning("webhook %s not stored: %s", path, exc)
                observed.count(OVERLOADED, started)
                return UNAVAILABLE
            observed.count(FAILED, started)
            if isinstance(exc, BaseORMException | OSError):
                # Never a 2xx for what we did not store, never a 429: Twilio retries a 5xx.
                logger.error("webhook %s not stored: %r", path, exc)
            else:
                # The driver's own errors (a refused or dropped connection) reach us untranslated;
                # whatever it was, the transaction rolled back: ask Twilio to retry.
                logger.error("webhook %s not stored", path, exc_info=exc)
            return UNAVAILABLE

        path = callback.value
        name = callback.name.lower()
        observed = WebhookMetrics(name)
        router.add_api_route(path, health, methods=["GET"], name=f"{name}_health")
        # A bare ASGI endpoint, not an API route (see trunkline.webhooks.asgi).
        router.add_route(path, WebhookEndpoint(receive), methods=["POST"], name=name)

    for callback, route in ROUTES.items():
        register(callback, route)
    return router
