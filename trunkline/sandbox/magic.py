"""Twilio's magic test numbers, and the sandbox's own outcome numbers: the one table.

Twilio documents these inputs for its test credentials
(https://www.twilio.com/docs/iam/test-credentials): each either passes validation or fails with a
fixed error code. The sandbox honours them for every account. Twilio documents no number whose
*delivery* fails or whose call ends busy; the sandbox adds a few in the same ``+1500555`` range
(marked "sandbox" below) so applications can exercise those paths too.

What depends on a contact rather than a number (STOP / START opt-out, 21610; WhatsApp's 24-hour
window, 63016) is :mod:`trunkline.sandbox.consent`'s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    """A synchronous 400 error Twilio answers for a magic input."""

    code: int
    message: str


@dataclass(frozen=True)
class DeliveryFailure:
    """How a message to this number ends, after it was accepted."""

    status: str  # undelivered | failed
    code: int
    message: str


# A From number every account may use: "passes all validation" for messages and calls.
UNIVERSAL_SENDER = "+15005550006"

# Buying numbers (POST IncomingPhoneNumbers).
PURCHASE_REJECTIONS: dict[str, Rejection] = {
    "+15005550000": Rejection(21422, "PhoneNumber +15005550000 is not available."),
    "+15005550001": Rejection(21421, "PhoneNumber +15005550001 is invalid."),
}
AREA_CODE_REJECTIONS: dict[str, Rejection] = {
    "533": Rejection(21452, "No phone numbers found in area code 533."),
}
# AreaCode 500 buys the always-available magic number; so does PhoneNumber +15005550006.
MAGIC_AREA_CODE = "500"

# Sending messages (POST Messages).
MESSAGE_FROM_REJECTIONS: dict[str, Rejection] = {
    "+15005550001": Rejection(21212, "The 'From' number +15005550001 is not a valid phone number."),
    "+15005550007": Rejection(
        21606,
        "The 'From' phone number provided (+15005550007) is not a valid message-capable Twilio "
        "phone number for this destination.",
    ),
    "+15005550008": Rejection(
        21611, "This 'From' number has exceeded the maximum number of queued messages."
    ),
}
MESSAGE_TO_REJECTIONS: dict[str, Rejection] = {
    "+15005550001": Rejection(21211, "Invalid 'To' Phone Number: +15005550001"),
    "+15005550002": Rejection(
        21612, "The 'To' phone number: +15005550002, is not currently reachable."
    ),
    "+15005550003": Rejection(
        21408,
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' "
        "number: +15005550003.",
    ),
    "+15005550004": Rejection(21610, "Attempt to send to unsubscribed recipient"),
}
MESSAGE_DELIVERY_FAILURES: dict[str, DeliveryFailure] = {
    "+15005550009": DeliveryFailure(
        "undelivered", 21614, "'To' number is not a valid mobile number"
    ),
    # sandbox: a carrier that drops the message without a delivery receipt.
    "+15005550013": DeliveryFailure("failed", 30008, "Unknown error"),
}

# Placing calls (POST Calls).
CALL_FROM_REJECTIONS: dict[str, Rejection] = {
    "+15005550001": Rejection(
        21212, "The source phone number provided, +15005550001, is not valid."
    ),
}
CALL_TO_REJECTIONS: dict[str, Rejection] = {
    "+15005550001": Rejection(21217, "Phone number does not appear to be valid"),
    "+15005550002": Rejection(21214, "'To' phone number cannot be reached"),
    "+15005550003": Rejection(
        21215,
        "Account not authorized to call +15005550003. Perhaps you need to enable some "
        "international permissions.",
    ),
    "+15005550004": Rejection(21216, "Account not allowed to call +15005550004"),
}
# sandbox: how a call (or a <Dial>) to these numbers ends instead of being answered.
CALL_OUTCOMES: dict[str, str] = {
    "+15005550011": "busy",
    "+15005550012": "no-answer",
    "+15005550013": "failed",
    "+15005550014": "no-answer",
}
# sandbox: a callee that rings for the call's whole ``Timeout`` (60 s by default), in real seconds
# whatever the clock's pace, before it is no-answer: a call that stays live until it is hung up.
CALL_RINGS_UNTIL_TIMEOUT = "+15005550014"

# SIP response codes Twilio reports beside each final call status.
SIP_RESPONSE_CODES: dict[str, int] = {
    "completed": 200,
    "busy": 486,
    "no-answer": 487,
    "failed": 500,
    "canceled": 487,
}


def strip_channel(address: str) -> str:
    """``whatsapp:+1555...`` -> ``+1555...``: magic numbers apply to the bare number."""
    return address.split(":", 1)[1] if ":" in address else address
