"""TwiML answers."""

from __future__ import annotations

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
# Voice behaviour is another issue's; until then a caller hears why nobody answers.
VOICE_PLACEHOLDER = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    "<Say>Thank you for calling. Nobody can take your call right now. Goodbye.</Say>"
    "<Hangup/></Response>"
)
