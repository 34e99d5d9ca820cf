"""The gateway's Twilio client: per-tenant clients, API-base redirection, error mapping."""

from trunkline.twilio.clients import ApiBaseHttpClient, TwilioClients, redirect_url
from trunkline.twilio.errors import ProviderError, call_twilio, provider_errors

__all__ = [
    "ApiBaseHttpClient",
    "ProviderError",
    "TwilioClients",
    "call_twilio",
    "provider_errors",
    "redirect_url",
]
