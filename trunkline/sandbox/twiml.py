"""TwiML documents: parsing, and how long each verb takes on the simulated clock."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

WORDS_PER_SECOND = 2.5
PLAY_SECONDS = 5
RECORD_SECONDS = 5  # what the simulated caller says into a <Record>
DIAL_TALK_SECONDS = 10  # how long a <Dial>ed party talks before hanging up
GATHER_TIMEOUT_SECONDS = 5


def parse_twiml(text: str) -> ET.Element | None:
    """The ``<Response>`` element of a TwiML document; None for anything else.

    The XML comes from the developer's own webhook; CPython's bundled expat (>= 2.4.1) refuses
    entity-expansion bombs and never fetches external entities, so the stdlib parser is safe here.
    """
    try:
        root = ET.fromstring(text)  # noqa: S314 - see the docstring
    except ET.ParseError:
        return None
    return root if root.tag == "Response" else None


def speech_seconds(text: str) -> int:
    """How long ``<Say>`` takes to speak ``text``."""
    return max(1, math.ceil(len(text.split()) / WORDS_PER_SECOND))


def loops(verb: ET.Element) -> int:
    """A verb's ``loop`` count; 0 means "forever", which a simulation plays once."""
    raw = verb.get("loop", "1")
    return max(int(raw), 1) if raw.isdigit() else 1


def seconds(verb: ET.Element, attribute: str, default: int) -> int:
    raw = verb.get(attribute, "")
    return int(raw) if raw.isdigit() else default
