"""What a contact lets a sender send them: SMS opt-out keywords, and WhatsApp's 24-hour window.

Both are read from the messages the contact sent the sender (the store's history), so they survive
a restart with it, and the sandbox's clock decides what "within 24 hours" means.

- Opt-out (https://help.twilio.com/articles/223134027): a contact who texts one of Twilio's
  opt-out keywords to a sender gets nothing more from it (21610 on every send) until they text
  an opt-in keyword. The keyword is the whole message, any case, surrounding spaces ignored.
- WhatsApp (https://www.twilio.com/docs/whatsapp/key-concepts): a business may send free-form
  messages to a user only within 24 hours of the user's last message to it; outside that window
  only a template (``ContentSid``) may be sent (63016).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from trunkline.sandbox.records import Message

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
WHATSAPP_WINDOW = timedelta(hours=24)


def _from_contact(messages: dict[str, Message], sender: str, contact: str) -> Iterator[Message]:
    """The contact's messages to ``sender`` (both addresses as sent, prefix included), newest
    first."""
    for message in reversed(messages.values()):
        if message.direction == "inbound" and message.to == sender and message.from_ == contact:
            yield message


def opted_out(messages: dict[str, Message], *, sender: str, contact: str) -> bool:
    """Whether the contact's latest keyword to ``sender`` was an opt-out one."""
    for message in _from_contact(messages, sender, contact):
        keyword = " ".join(message.body.split()).upper()
        if keyword in OPT_OUT_KEYWORDS:
            return True
        if keyword in OPT_IN_KEYWORDS:
            return False
    return False


def within_whatsapp_window(
    messages: dict[str, Message], *, sender: str, contact: str, now: datetime
) -> bool:
    """Whether the contact wrote to ``sender`` less than 24 hours before ``now``."""
    latest = next(_from_contact(messages, sender, contact), None)
    return latest is not None and now - latest.date_created < WHATSAPP_WINDOW
