"""TwiML answers."""

from __future__ import annotations

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
