"""FastAPI routers for provider callbacks: signature checks, idempotent ingestion, TwiML."""

from trunkline.webhooks.twilio import activity_publisher, twilio_webhook_router

__all__ = ["activity_publisher", "twilio_webhook_router"]
