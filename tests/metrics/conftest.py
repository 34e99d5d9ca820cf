from __future__ import annotations

from tests.webhooks.fixtures import sandbox_carrier, twilio_tenant, webhook_http

__all__ = ["sandbox_carrier", "twilio_tenant", "webhook_http"]
