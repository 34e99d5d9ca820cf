"""The one parser of client-supplied ids and cursors: what it accepts, and what it refuses."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from trunkline.activity.cursor import format_seq
from trunkline.services.errors import InvalidInput
from trunkline.services.keys import (
    MAX_KEY,
    decode_cursor,
    decode_keyset_cursor,
    encode_cursor,
    encode_keyset_cursor,
    parse_key,
    parse_optional_key,
    parse_seq,
)

MALFORMED = [
    "",
    "0",
    "-1",
    "+5",
    "007",
    "1e23",
    "1.0",
    "0x10",
    "1_000",
    " 1",
    "1 ",
    "1\n",
    "\t1",
    "١٢",  # Arabic-Indic digits: int() reads them as 12
    "\uff11\uff12",  # fullwidth digits
    "abc",
    "9" * 10_000,
    str(MAX_KEY + 1),
    "99999999999999999999999",
]


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", ["1", "42", "1000000", str(MAX_KEY)])
def test_a_key_written_as_the_gateway_writes_it_is_accepted(value: str) -> None:
    assert parse_key(value, field="id") == int(value)


@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_or_out_of_range_key_is_bad_input_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_key(value, field="numberId")

    assert (raised.value.field, raised.value.message) == ("numberId", "numberId is not a valid id.")


def test_an_absent_optional_key_is_none_and_a_present_one_is_parsed() -> None:
    assert parse_optional_key(None, field="numberId") is None
    assert parse_optional_key("7", field="numberId") == 7
    with pytest.raises(InvalidInput):
        parse_optional_key("0", field="numberId")


@pytest.mark.parametrize("seq", [0, 1, 250, MAX_KEY])
def test_an_activity_cursor_round_trips(seq: int) -> None:
    assert parse_seq(format_seq(seq)) == seq


@pytest.mark.parametrize(
    "cursor", [value for value in MALFORMED if value != "0"] + [b64("number:1")]
)
def test_a_malformed_activity_cursor_is_bad_input_naming_the_field(cursor: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_seq(cursor, field="after")

    assert raised.value.field == "after"


def test_no_activity_cursor_is_none() -> None:
    assert parse_seq(None) is None


@pytest.mark.parametrize("key", [1, 99, MAX_KEY])
def test_a_list_cursor_round_trips(key: int) -> None:
    assert decode_cursor("number", encode_cursor("number", key)) == key


@pytest.mark.parametrize(
    "cursor",
    [
        b64("call:5"),  # another list's cursor
        b64("number5"),
        b64("number:"),
        b64("number:1e23"),
        b64("number:0"),
        b64("number:-1"),
        b64("number: 1"),
        b64(f"number:{MAX_KEY + 1}"),
        b64("number:99999999999999999999999"),
        b64("number:١٢"),
        encode_cursor("number", 5) + "=",  # padding the gateway never writes
        encode_cursor("number", 5) + "\n",
        " " + encode_cursor("number", 5),
        "bnVtYmVyOjV",  # "number:5" ("bnVtYmVyOjU") with its two unused low bits set
        "bnVtYmVyOjE+",  # standard, not URL-safe, alphabet
        "A" * 10_000,
        "5",
        "",
        "%%%",
    ],
)
def test_a_cursor_this_list_did_not_hand_out_is_bad_input_naming_the_field(cursor: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_cursor("number", cursor, field="after")

    assert (raised.value.field, raised.value.message) == (
        "after",
        "after is not a cursor this list handed out.",
    )


def test_no_list_cursor_is_none() -> None:
    assert decode_cursor("number", None) is None


INSTANTS = [
    datetime(2026, 11, 29, 23, 0, 14, 123456, tzinfo=UTC),
    datetime(2026, 11, 29, 23, 0, tzinfo=UTC),  # no microseconds
    datetime(1969, 7, 20, 20, 17, 40, 5, tzinfo=UTC),  # before the epoch
    datetime(2026, 11, 30, 1, 0, 14, 123456, tzinfo=timezone(timedelta(hours=2))),
]


@pytest.mark.parametrize("at", INSTANTS)
@pytest.mark.parametrize("key", [1, MAX_KEY])
def test_a_keyset_cursor_round_trips_to_the_same_instant_and_key(at: datetime, key: int) -> None:
    decoded = decode_keyset_cursor("message", encode_keyset_cursor("message", at, key))

    assert decoded == (at, key)
    assert decoded is not None
    assert decoded[0].utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor("message", 5),  # no instant
        b64("message:1:5:7"),
        b64("call:1764457214123456:5"),  # another list's
        b64("message::5"),
        b64("message:1764457214123456:"),
        b64("message:01764457214123456:5"),  # leading zero
        b64("message:-0:5"),
        b64("message:1.5:5"),
        b64("message:1e15:5"),
        b64("message:1764457214123456:0"),
        b64("message:1764457214123456:-5"),
        b64(f"message:1764457214123456:{MAX_KEY + 1}"),
        b64("message:999999999999999999:5"),  # past year 9999
        b64("message:-999999999999999999:5"),  # before year 1
        b64("message:١٢:5"),
        encode_keyset_cursor("message", INSTANTS[0], 5) + "=",
        " " + encode_keyset_cursor("message", INSTANTS[0], 5),
        "A" * 10_000,
        "",
    ],
)
def test_a_keyset_cursor_this_list_did_not_hand_out_is_bad_input_naming_the_field(
    cursor: str,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_keyset_cursor("message", cursor, field="after")

    assert (raised.value.field, raised.value.message) == (
        "after",
        "after is not a cursor this list handed out.",
    )


def test_no_keyset_cursor_is_none() -> None:
    assert decode_keyset_cursor("message", None) is None
