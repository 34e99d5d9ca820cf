"""Fixtures for the security tests (the webhook ones: :mod:`tests.webhooks.fixtures`)."""

from tests.webhooks.fixtures import sandbox_carrier, twilio_tenant, webhook_http

__all__ = ["sandbox_carrier", "twilio_tenant", "webhook_http"]
