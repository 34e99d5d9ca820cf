"""Fixtures for the activity tests that store webhooks (shared with the webhook tests)."""

from tests.webhooks.fixtures import sandbox_carrier, twilio_tenant, webhook_http

__all__ = ["sandbox_carrier", "twilio_tenant", "webhook_http"]
