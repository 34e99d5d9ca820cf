"""FastAPI routers for provider callbacks: signature checks, idempotent ingestion, TwiML."""

from trunkline.webhooks.twilio import twilio_webhook_router

__all__ = ["twilio_webhook_router"]
