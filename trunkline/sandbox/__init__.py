"""The sandbox carrier: a stateful Twilio simulator, so Trunkline runs and is tested offline.

It speaks Twilio's REST wire format (paths, form fields, JSON bodies, paging envelopes, error
bodies, per the OpenAPI specifications in ``tests/twilio_oai``) for what Trunkline uses: accounts,
available and incoming phone numbers, messages, calls, recordings, API keys, TwiML Apps, and a
Conversations service's webhook configuration. Statuses advance on a step clock, and it posts
signed, retried webhooks.
Message media is hosted as Twilio hosts it (:mod:`trunkline.sandbox.media`): nothing is fetched.

Routes:
    ``/twilio/{product}/...``: Twilio's API, e.g. ``/twilio/api/2010-04-01/Accounts/{sid}.json``
    for ``https://api.twilio.com/2010-04-01/Accounts/{sid}.json`` and ``/twilio/conversations/v1/``
    for ``https://conversations.twilio.com/v1/``. HTTP Basic auth with Account SID and auth token.

    ``POST /control/accounts`` -> ``{"account_sid", "auth_token"}``;
    ``POST /control/inbound/message`` with ``{"to", "from", "body", "channel": "sms"|"whatsapp",
    "media_urls": [...], "account_sid"?}`` -> ``{"sid"}`` (``account_sid`` required for the shared
    WhatsApp Sandbox sender, +14155238886); ``POST /control/inbound/call`` with ``{"to", "from"}``
    -> ``{"sid"}``; ``POST /control/accounts/{sid}/whatsapp-sandbox`` with ``{"url", "method"?}``
    (the Console's WhatsApp Sandbox "When a message comes in").

Running it:
    Standalone, serve ``create_sandbox_app(...)`` with any ASGI server; its lifespan starts and
    stops the simulation. Mounted (``parent.mount("/sandbox", sandbox_app)``), Starlette does not
    run the sub-app's lifespan, so the parent must run the :class:`Sandbox` at
    ``sandbox_app.state.sandbox`` from its own lifespan::

        sandbox_app = create_sandbox_app(state_path=data_dir / "sandbox.json")
        app.mount("/sandbox", sandbox_app)

        @asynccontextmanager
        async def lifespan(app):
            async with sandbox_app.state.sandbox:  # or: await .start() ... await .close()
                yield

    ``close()`` cancels every status progression and webhook in flight and saves the state;
    ``start()`` resumes unfinished message progressions (calls cut by a restart end ``failed``).

Magic numbers (Twilio's test numbers, and the sandbox's own outcome numbers) are listed in
:mod:`trunkline.sandbox.magic`.
"""

from trunkline.sandbox.app import create_sandbox_app
from trunkline.sandbox.runtime import Sandbox

__all__ = ["Sandbox", "create_sandbox_app"]
