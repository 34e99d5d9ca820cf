"""Recordings made during calls, and their recording-status callbacks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trunkline.sandbox import sids
from trunkline.sandbox.records import Call, Recording
from trunkline.sandbox.webhooks import Params
from trunkline.sandbox.wire import API_VERSION, recording_media_url, rfc2822

if TYPE_CHECKING:
    from trunkline.sandbox.runtime import Sandbox

PRICE_PER_MINUTE = 0.0025


def create_recording(
    sandbox: Sandbox, call: Call, *, duration: int, source: str, channels: int = 1
) -> Recording:
    """Store a finished recording of ``call`` lasting ``duration`` seconds."""
    now = sandbox.clock.now()
    minutes = max(1, -(-duration // 60))
    recording = Recording(
        sid=sids.new_sid(sids.RECORDING),
        account_sid=call.account_sid,
        call_sid=call.sid,
        duration=duration,
        channels=channels,
        source=source,
        status="completed",
        date_created=now,
        date_updated=now,
        start_time=now,
        price=f"-{PRICE_PER_MINUTE * minutes:.5f}",
    )
    sandbox.store.recordings[recording.sid] = recording
    sandbox.store.save()
    return recording


def recording_params(sandbox: Sandbox, recording: Recording) -> Params:
    """The form fields of a recording-status callback."""
    return [
        ("AccountSid", recording.account_sid),
        ("CallSid", recording.call_sid),
        ("RecordingSid", recording.sid),
        ("RecordingUrl", recording_media_url(recording, sandbox.media_base)),
        ("RecordingStatus", recording.status),
        ("RecordingDuration", str(recording.duration)),
        ("RecordingChannels", str(recording.channels)),
        ("RecordingStartTime", rfc2822(recording.start_time) or ""),
        ("RecordingSource", recording.source),
        ("RecordingTrack", "both"),
        ("ErrorCode", "0"),
        ("ApiVersion", API_VERSION),
    ]


def recording_result_params(sandbox: Sandbox, recording: Recording) -> Params:
    """What ``<Record action>`` and ``<Dial action>`` receive about the recording."""
    return [
        ("RecordingUrl", recording_media_url(recording, sandbox.media_base)),
        ("RecordingSid", recording.sid),
        ("RecordingDuration", str(recording.duration)),
    ]


async def announce_recording(
    sandbox: Sandbox, recording: Recording, url: str | None, method: str = "POST"
) -> None:
    """Post the recording-status callback (after a step: Twilio first processes the audio)."""
    if not url:
        return
    await sandbox.clock.step()
    account = sandbox.store.accounts[recording.account_sid]
    await sandbox.webhooks.send(
        url, recording_params(sandbox, recording), auth_token=account.auth_token, method=method
    )
