"""Fixtures for the sandbox carrier's tests (defined in :mod:`tests.sandbox.fixtures`)."""

from tests.sandbox.fixtures import (
    account,
    conforms_to_twilio_specs,
    control,
    pytest_configure,
    receiver,
    receiver_server,
    sandbox_server,
    shared_sandbox_server,
    twilio_clients,
    twilio_specs,
)

__all__ = [
    "account",
    "conforms_to_twilio_specs",
    "control",
    "pytest_configure",
    "receiver",
    "receiver_server",
    "sandbox_server",
    "shared_sandbox_server",
    "twilio_clients",
    "twilio_specs",
]
