"""GraphQL types of browser calling: provisioning its Twilio resources, and the SDK's token."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.services import voice_provisioning, voice_tokens


@strawberry.type(
    description="The tenant's TwiML App and API key for browser calling (the key's secret is "
    "stored encrypted and never shown)."
)
class VoiceProvisioning:
    twiml_app_sid: str
    api_key_sid: str
    twiml_app_created: bool = strawberry.field(
        description="Whether this run made the app (false: the stored one was reused)."
    )
    api_key_created: bool = strawberry.field(
        description="Whether this run made the key (false: the stored one was reused)."
    )

    @classmethod
    def from_result(cls, value: voice_provisioning.VoiceProvisioning) -> VoiceProvisioning:
        return cls(
            twiml_app_sid=value.twiml_app_sid,
            api_key_sid=value.api_key_sid,
            twiml_app_created=value.twiml_app_created,
            api_key_created=value.api_key_created,
        )


@strawberry.type(description="A Twilio Voice SDK access token for the caller's browser.")
class VoiceAccessToken:
    token: str = strawberry.field(description="The JWT to hand to the Voice SDK's Device.")
    identity: str = strawberry.field(
        description="The caller's client identity (calls to them ring client:<identity>)."
    )
    expires_at: datetime = strawberry.field(
        description="At most an hour away, and never after the caller's session ends."
    )

    @classmethod
    def from_token(cls, value: voice_tokens.VoiceAccessToken) -> VoiceAccessToken:
        return cls(token=value.token, identity=value.identity, expires_at=value.expires_at)
