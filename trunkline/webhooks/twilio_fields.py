"""The parameters of Twilio's callbacks, each declared against the column it lands in.

A handler reads a parameter only through one of these (see :mod:`trunkline.webhooks.fields`).

Statuses (``MessageStatus``, ``CallStatus``, ``RecordingStatus``) are keywords, not a closed list:
one Twilio adds later is stored, not refused. A 400 would lose it for good (Twilio does not
retry), whereas the status rules already know what to do with a status they cannot place: it is
recorded in the entity's history and never becomes the current status of an entity we hold
(``status_supersedes``, ``call_status_supersedes``; a recording keeps its status). Only its
shape is checked: a keyword of at most the column's length.
"""

from __future__ import annotations

from trunkline.models import ActivityEvent, Call, Message, PhoneNumber, Recording, TwilioSettings
from trunkline.services.calling import BRIDGE_PARAMETER
from trunkline.webhooks.fields import Characters, Text, amount, column, instant, integer, text

IDENTIFIER = Characters.IDENTIFIER
TOKEN = Characters.TOKEN

# Read before the signature is checked, to find the tenant whose auth token checks it.
ACCOUNT_SID = text(
    "AccountSid", lands_in=column(TwilioSettings, "account_sid"), characters=IDENTIFIER
)
MESSAGING_SERVICE_SID = text(
    "MessagingServiceSid",
    lands_in=column(TwilioSettings, "messaging_service_sid"),
    characters=IDENTIFIER,
)


def receiving_number(name: str) -> Text:
    """``To`` or ``From`` naming one of our numbers (``whatsapp:`` stripped), as a look-up of
    the numbers table takes it."""
    return text(name, lands_in=column(PhoneNumber, "phone_number"))


# Mapped to ``Direction`` (anything but "inbound" is outbound), not stored as sent.
DIRECTION = text("Direction", lands_in=None, characters=TOKEN, lower=True)

# Messages.
MESSAGE_SID = text(
    "MessageSid", "SmsMessageSid", "SmsSid", lands_in=column(Message, "sid"), characters=IDENTIFIER
)
STATUS_MESSAGE_SID = text(
    "MessageSid", "SmsSid", lands_in=column(Message, "sid"), characters=IDENTIFIER
)
MESSAGE_FROM = text("From", lands_in=column(Message, "from_address"))
MESSAGE_TO = text("To", lands_in=column(Message, "to_address"))
BODY = text("Body", lands_in=column(Message, "body"), characters=Characters.TEXT)
MESSAGE_STATUS = text(
    "MessageStatus", "SmsStatus", lands_in=column(Message, "status"), characters=TOKEN, lower=True
)
ERROR_CODE = integer("ErrorCode", lands_in=column(Message, "error_code"), minimum=0)
NUM_SEGMENTS = integer("NumSegments", lands_in=column(Message, "num_segments"), minimum=0)
# Twilio attaches at most ten media to a message; each is one entry of ``Message.media``.
NUM_MEDIA = integer("NumMedia", lands_in=None, minimum=0, maximum=10)
MEDIA_URL = text("MediaUrl{}", lands_in=column(Message, "media"))
MEDIA_CONTENT_TYPE = text("MediaContentType{}", lands_in=column(Message, "media"))

# Calls and recordings.
CALL_SID = text("CallSid", lands_in=column(Call, "sid"), characters=IDENTIFIER)
CALL_FROM = text("From", lands_in=column(Call, "from_address"))
CALL_TO = text("To", lands_in=column(Call, "to_address"))
CALL_STATUS = text("CallStatus", lands_in=column(Call, "status"), characters=TOKEN, lower=True)
SEQUENCE_NUMBER = integer("SequenceNumber", lands_in=column(Call, "last_sequence"), minimum=0)
CALL_DURATION = integer("CallDuration", lands_in=column(Call, "duration"), minimum=0)
# What the call cost (final statuses only), as Twilio writes it: negative, a charge.
CALL_PRICE = amount("Price", lands_in=column(Call, "price"))
CALL_PRICE_UNIT = text("PriceUnit", lands_in=column(Call, "price_unit"), characters=TOKEN)
# When Twilio sent the callback (RFC 2822): how a call's start and end are known
# (``ingestion.calls.CallUpdate``); StartTime/EndTime when a callback carries them.
TIMESTAMP = instant("Timestamp")
START_TIME = instant("StartTime")
END_TIME = instant("EndTime")
# A browser call's caller ID (a voice SDK parameter): one of the tenant's numbers.
CALLER_ID = text("CallerId", lands_in=column(PhoneNumber, "phone_number"))
# What a <Dial> of our TwiML came to (posted to its action URL); selects what follows.
DIAL_CALL_STATUS = text("DialCallStatus", lands_in=None, characters=TOKEN, lower=True)
# Read from the action URL's own query (we wrote it; the signature covers it).
ACTION_STEP = text("step", lands_in=None, characters=TOKEN, lower=True)
ANSWERED_BY = text("answeredBy", lands_in=column(Call, "answered_by"))
# Read from a placed call's voice URL (placeCall wrote it): where to connect the callee.
BRIDGE = text(BRIDGE_PARAMETER, lands_in=column(Call, "bridge_to"))
RECORDING_SID = text("RecordingSid", lands_in=column(Recording, "sid"), characters=IDENTIFIER)
RECORDING_STATUS = text(
    "RecordingStatus", lands_in=column(Recording, "status"), characters=TOKEN, lower=True
)
RECORDING_DURATION = integer("RecordingDuration", lands_in=column(Recording, "duration"), minimum=0)
RECORDING_CHANNELS = integer("RecordingChannels", lands_in=column(Recording, "channels"), minimum=1)
RECORDING_URL = text("RecordingUrl", lands_in=column(Recording, "media_url"))

# Conversations events are kept in the activity log's payload (JSON) as they came.
_PAYLOAD = column(ActivityEvent, "payload")
EVENT_TYPE = text("EventType", lands_in=_PAYLOAD, characters=TOKEN)
CONVERSATION_FIELDS = (
    EVENT_TYPE,
    text("ConversationSid", lands_in=_PAYLOAD, characters=IDENTIFIER),
    text("MessageSid", lands_in=_PAYLOAD, characters=IDENTIFIER),
    text("ParticipantSid", lands_in=_PAYLOAD, characters=IDENTIFIER),
    text("Author", lands_in=_PAYLOAD),
    text("Body", lands_in=_PAYLOAD, characters=Characters.TEXT),
    text("Source", lands_in=_PAYLOAD, characters=TOKEN),
)
