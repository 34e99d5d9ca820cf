"""Records rendered in Twilio's JSON, field for field as its OpenAPI specifications list them."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

import phonenumbers

from trunkline.sandbox.catalog import AvailableNumber, Country
from trunkline.sandbox.records import (
    Account,
    Application,
    Call,
    ConversationService,
    Key,
    Media,
    Message,
    PhoneNumber,
    Recording,
)

API_VERSION = "2010-04-01"
API_HOST = "https://api.twilio.com"
CONVERSATIONS_HOST = "https://conversations.twilio.com"
_NUMBER_TYPE_NAMES = {"local": "local", "mobile": "mobile", "tollfree": "toll-free"}


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's 2010 API date format: ``Thu, 30 Jul 2015 20:12:31 +0000``."""
    return format_datetime(moment) if moment is not None else None


def iso8601(moment: datetime) -> str:
    """The v1 APIs' date format: ``2015-12-16T22:18:37Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def account_uri(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


def account_json(account: Account) -> dict[str, Any]:
    base = account_uri(account.sid)
    names = ("addresses", "calls", "incoming_phone_numbers", "messages", "recordings")
    camel = ("Addresses", "Calls", "IncomingPhoneNumbers", "Messages", "Recordings")
    return {
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.date_created),
        "date_updated": rfc2822(account.date_updated),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.sid,
        "sid": account.sid,
        "status": account.status,
        "subresource_uris": {
            name: f"{base}/{path}.json" for name, path in zip(names, camel, strict=True)
        }
        | {"available_phone_numbers": f"{base}/AvailablePhoneNumbers.json"},
        "type": "Full",
        "uri": f"{base}.json",
    }


def country_json(account_sid: str, country: Country) -> dict[str, Any]:
    base = f"{account_uri(account_sid)}/AvailablePhoneNumbers/{country.code}"
    keys = {"Local": "local", "Mobile": "mobile", "TollFree": "toll_free"}
    return {
        "country_code": country.code,
        "country": country.name,
        "uri": f"{base}.json",
        "beta": False,
        "subresource_uris": {keys[name]: f"{base}/{name}.json" for name in country.number_types},
    }


def available_number_json(number: AvailableNumber) -> dict[str, Any]:
    block = number.block
    return {
        "friendly_name": number.friendly_name,
        "phone_number": number.phone_number,
        "lata": block.lata,
        "locality": block.locality,
        "rate_center": block.locality.upper() if block.locality else None,
        "latitude": block.latitude,
        "longitude": block.longitude,
        "region": block.region,
        "postal_code": block.postal_code,
        "iso_country": number.iso_country,
        "address_requirements": "none",
        "beta": False,
        "capabilities": _capabilities(
            block.capabilities.voice, block.capabilities.sms, block.capabilities.mms
        ),
    }


def phone_number_json(number: PhoneNumber) -> dict[str, Any]:
    uri = f"{account_uri(number.account_sid)}/IncomingPhoneNumbers/{number.sid}.json"
    return {
        "account_sid": number.account_sid,
        "address_sid": None,
        "address_requirements": "none",
        "api_version": API_VERSION,
        "beta": False,
        "capabilities": _capabilities(number.voice, number.sms, number.mms),
        "date_created": rfc2822(number.date_created),
        "date_updated": rfc2822(number.date_updated),
        "friendly_name": number.friendly_name,
        "identity_sid": None,
        "phone_number": number.phone_number,
        "origin": "twilio",
        "sid": number.sid,
        "sms_application_sid": None,
        "sms_fallback_method": number.sms_fallback_method,
        "sms_fallback_url": number.sms_fallback_url,
        "sms_method": number.sms_method,
        "sms_url": number.sms_url,
        "status_callback": number.status_callback,
        "status_callback_method": number.status_callback_method,
        "trunk_sid": None,
        "uri": uri,
        "voice_receive_mode": "voice",
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": number.voice_fallback_method,
        "voice_fallback_url": number.voice_fallback_url,
        "voice_method": number.voice_method,
        "voice_url": number.voice_url,
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "bundle_sid": None,
        "status": "in-use",
        "type": _NUMBER_TYPE_NAMES[number.number_type],
    }


def key_json(key: Key) -> dict[str, Any]:
    """A Key as fetched or listed: never its secret."""
    return {
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(key.date_created),
        "date_updated": rfc2822(key.date_updated),
    }


def new_key_json(key: Key) -> dict[str, Any]:
    """A Key as its creation answers it: the only time its secret is shown."""
    return key_json(key) | {"secret": key.secret}


def application_json(application: Application) -> dict[str, Any]:
    return {
        "account_sid": application.account_sid,
        "api_version": application.api_version,
        "date_created": rfc2822(application.date_created),
        "date_updated": rfc2822(application.date_updated),
        "friendly_name": application.friendly_name,
        "message_status_callback": application.message_status_callback,
        "sid": application.sid,
        "sms_fallback_method": application.sms_fallback_method,
        "sms_fallback_url": application.sms_fallback_url,
        "sms_method": application.sms_method,
        "sms_status_callback": application.sms_status_callback,
        "sms_url": application.sms_url,
        "status_callback": application.status_callback,
        "status_callback_method": application.status_callback_method,
        "uri": f"{account_uri(application.account_sid)}/Applications/{application.sid}.json",
        "voice_caller_id_lookup": application.voice_caller_id_lookup,
        "voice_fallback_method": application.voice_fallback_method,
        "voice_fallback_url": application.voice_fallback_url,
        "voice_method": application.voice_method,
        "voice_url": application.voice_url,
        "public_application_connect_enabled": application.public_application_connect_enabled,
    }


def message_json(message: Message) -> dict[str, Any]:
    uri = f"{account_uri(message.account_sid)}/Messages/{message.sid}"
    return {
        "body": message.body,
        "num_segments": str(segment_count(message.body)),
        "direction": message.direction,
        "from": message.from_,
        "to": message.to,
        "date_updated": rfc2822(message.date_updated),
        "price": message.price,
        "error_message": message.error_message,
        "uri": f"{uri}.json",
        "account_sid": message.account_sid,
        "num_media": str(len(message.media_urls)),
        "status": message.status,
        "messaging_service_sid": message.messaging_service_sid,
        "sid": message.sid,
        "date_sent": rfc2822(message.date_sent),
        "date_created": rfc2822(message.date_created),
        "error_code": message.error_code,
        "price_unit": message.price_unit,
        "api_version": API_VERSION,
        "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
    }


def media_uri(media: Media) -> str:
    """The Media resource's path under the API host, without an extension (its content)."""
    return f"{account_uri(media.account_sid)}/Messages/{media.parent_sid}/Media/{media.sid}"


def media_json(media: Media) -> dict[str, Any]:
    return {
        "account_sid": media.account_sid,
        "content_type": media.content_type,
        "date_created": rfc2822(media.date_created),
        "date_updated": rfc2822(media.date_updated),
        "parent_sid": media.parent_sid,
        "sid": media.sid,
        "uri": f"{media_uri(media)}.json",
    }


def media_content_url(media: Media, media_base: str) -> str:
    """Where the file is served (``MediaUrl{N}``); ``media_base`` defaults to Twilio's API host."""
    return f"{media_base}{media_uri(media)}"


def call_json(call: Call) -> dict[str, Any]:
    uri = f"{account_uri(call.account_sid)}/Calls/{call.sid}"
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.date_created),
        "date_updated": rfc2822(call.date_updated),
        "parent_call_sid": call.parent_call_sid,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": national_format(call.to),
        "from": call.from_,
        "from_formatted": national_format(call.from_),
        "phone_number_sid": call.phone_number_sid,
        "status": call.status,
        "start_time": rfc2822(call.start_time),
        "end_time": rfc2822(call.end_time),
        "duration": str(call.duration) if call.duration is not None else None,
        "price": call.price,
        "price_unit": call.price_unit,
        "direction": call.direction,
        "answered_by": None,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": None,
        "queue_time": "0",
        "trunk_sid": None,
        "uri": f"{uri}.json",
        "subresource_uris": {
            name: f"{uri}/{path}.json"
            for name, path in (
                ("notifications", "Notifications"),
                ("recordings", "Recordings"),
                ("events", "Events"),
            )
        },
    }


def recording_json(recording: Recording, media_base: str) -> dict[str, Any]:
    uri = f"{account_uri(recording.account_sid)}/Recordings/{recording.sid}"
    return {
        "account_sid": recording.account_sid,
        "api_version": API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": None,
        "date_created": rfc2822(recording.date_created),
        "date_updated": rfc2822(recording.date_updated),
        "start_time": rfc2822(recording.start_time),
        "duration": str(recording.duration),
        "sid": recording.sid,
        "price": recording.price,
        "price_unit": recording.price_unit,
        "status": recording.status,
        "channels": recording.channels,
        "source": recording.source,
        "error_code": None,
        "uri": f"{uri}.json",
        "encryption_details": None,
        "subresource_uris": {
            "add_on_results": f"{uri}/AddOnResults.json",
            "transcriptions": f"{uri}/Transcriptions.json",
        },
        "media_url": recording_media_url(recording, media_base),
    }


def call_recording_json(recording: Recording) -> dict[str, Any]:
    """A recording as ``Calls/{CallSid}/Recordings`` lists it: its own schema, price a number."""
    return {
        "account_sid": recording.account_sid,
        "api_version": API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": None,
        "date_created": rfc2822(recording.date_created),
        "date_updated": rfc2822(recording.date_updated),
        "start_time": rfc2822(recording.start_time),
        "duration": str(recording.duration),
        "sid": recording.sid,
        "price": float(recording.price) if recording.price is not None else None,
        "uri": f"{account_uri(recording.account_sid)}/Calls/{recording.call_sid}"
        f"/Recordings/{recording.sid}.json",
        "encryption_details": None,
        "price_unit": recording.price_unit,
        "status": recording.status,
        "channels": recording.channels,
        "source": recording.source,
        "error_code": None,
        "track": "both",
    }


def recording_media_url(recording: Recording, media_base: str) -> str:
    """Where the recording's audio is served (``media_base`` is Twilio's API host by default)."""
    return f"{media_base}{account_uri(recording.account_sid)}/Recordings/{recording.sid}"


def service_json(service: ConversationService) -> dict[str, Any]:
    url = f"{CONVERSATIONS_HOST}/v1/Services/{service.sid}"
    links = ("conversations", "users", "roles", "bindings", "configuration")
    return {
        "account_sid": service.account_sid,
        "sid": service.sid,
        "friendly_name": service.friendly_name,
        "date_created": iso8601(service.date_created),
        "date_updated": iso8601(service.date_updated),
        "url": url,
        "links": {name: f"{url}/{name.capitalize()}" for name in links},
    }


def webhook_configuration_json(service: ConversationService) -> dict[str, Any]:
    return {
        "account_sid": service.account_sid,
        "chat_service_sid": service.sid,
        "pre_webhook_url": service.pre_webhook_url,
        "post_webhook_url": service.post_webhook_url,
        "filters": list(service.filters),
        "method": service.method,
        "url": f"{CONVERSATIONS_HOST}/v1/Services/{service.sid}/Configuration/Webhooks",
    }


def configuration_json(account_sid: str, default_service_sid: str | None) -> dict[str, Any]:
    url = f"{CONVERSATIONS_HOST}/v1/Configuration"
    return {
        "account_sid": account_sid,
        "default_chat_service_sid": default_service_sid,
        "default_messaging_service_sid": None,
        "default_inactive_timer": None,
        "default_closed_timer": None,
        "url": url,
        "links": {"webhooks": f"{url}/Webhooks"},
    }


def national_format(address: str) -> str:
    """``(415) 555-0100`` for a phone number; other addresses (``client:bob``) unchanged."""
    try:
        parsed = phonenumbers.parse(address)
    except phonenumbers.NumberParseException:
        return address
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def segment_count(body: str) -> int:
    """SMS segments: 160 GSM-7 characters (153 when split), or 70 UCS-2 (67 when split)."""
    single, multi = (160, 153) if _is_gsm7(body) else (70, 67)
    if len(body) <= single:
        return 1
    return -(-len(body) // multi)


_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def _is_gsm7(body: str) -> bool:
    return all(char in _GSM7 for char in body)


def _capabilities(voice: bool, sms: bool, mms: bool) -> dict[str, bool]:
    return {"voice": voice, "sms": sms, "mms": mms, "fax": False}
