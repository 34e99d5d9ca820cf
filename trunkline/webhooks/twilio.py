"""Twilio's webhooks: a route table keyed by `Callback`; verified, stored, then announced.

Each route verifies first (:mod:`trunkline.webhooks.verification`), then parses the delivery
into an :class:`Ingestion` (:mod:`trunkline.webhooks.twilio_handlers`) and hands it to the
process's ingestion writer, which commits it with whatever else is waiting (group commit) before
the request is answered; the writer then publishes each committed batch's activity on the bus in
one round trip (a bus that is down is logged: subscribers backfill from the log). ``GET`` on
each route is a health check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.types import Scope
from tortoise.exceptions import BaseORMException

from trunkline.ingestion.writer import IngestionBusy, IngestionWriter
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.webhooks import twilio_handlers as handlers
from trunkline.webhooks.asgi import Answer, WebhookEndpoint
from trunkline.webhooks.requests import WebhookRejected, read_webhook
from trunkline.webhooks.twiml import EMPTY, VOICE_PLACEHOLDER
from trunkline.webhooks.verification import verify

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    handle: handlers.Handler
    # The parameter naming our number; for inbound traffic the tenant must hold it.
    receiving_field: str
    inbound: bool
    answer: str | None = None


# Keyed by the callback whose URL Twilio is given: the path served is the callback's own.
ROUTES: dict[Callback, Route] = {
    Callback.MESSAGING: Route(handlers.inbound_message, receiving_field="To", inbound=True),
    Callback.MESSAGE_STATUS: Route(handlers.message_status, receiving_field="From", inbound=False),
    Callback.VOICE: Route(
        handlers.inbound_call, receiving_field="To", inbound=True, answer=VOICE_PLACEHOLDER
    ),
    Callback.CALL_STATUS: Route(handlers.call_status, receiving_field="To", inbound=False),
    Callback.RECORDING_STATUS: Route(
        handlers.recording_status, receiving_field="To", inbound=False
    ),
    Callback.CONVERSATIONS: Route(handlers.conversation_event, receiving_field="To", inbound=False),
}


UNAVAILABLE = Answer.detail(503, "temporarily unavailable")


def twilio_webhook_router(accounts: TwilioAccounts, writer: IngestionWriter) -> APIRouter:
    """The routes of :data:`ROUTES`: each verifies with ``accounts`` and stores through
    ``writer``."""
    router = APIRouter()

    def register(callback: Callback, route: Route) -> None:
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        async def receive(scope: Scope, body: bytes) -> Answer:
            try:
                webhook = read_webhook(scope, body, public_url=accounts.public_url)
                delivery = await verify(
                    webhook,
                    accounts=accounts,
                    receiving_field=route.receiving_field,
                    inbound=route.inbound,
                )
                await writer.ingest(route.handle(delivery))
            except WebhookRejected as rejected:
                logger.info("webhook %s rejected: %s", path, rejected.detail)
                return Answer.detail(rejected.status, rejected.detail)
            except IngestionBusy as exc:
                # Full (or shutting down): Twilio retries a 503 later; a 429 it would not.
                logger.warning("webhook %s not stored: %s", path, exc)
                return UNAVAILABLE
            except (BaseORMException, OSError) as exc:
                # Never a 2xx for what we did not store, never a 429: Twilio retries a 5xx.
                logger.error("webhook %s not stored: %r", path, exc)
                return UNAVAILABLE
            except Exception:
                # The driver's own errors (a refused or dropped connection) reach us untranslated;
                # whatever it was, the transaction rolled back: ask Twilio to retry.
                logger.exception("webhook %s not stored", path)
                return UNAVAILABLE
            return stored

        path = callback.value
        stored = Answer.xml(route.answer or EMPTY)
        name = callback.name.lower()
        router.add_api_route(path, health, methods=["GET"], name=f"{name}_health")
        # A bare ASGI endpoint, not an API route (see trunkline.webhooks.asgi).
        router.add_route(path, WebhookEndpoint(receive), methods=["POST"], name=name)

    for callback, route in ROUTES.items():
        register(callback, route)
    return router
