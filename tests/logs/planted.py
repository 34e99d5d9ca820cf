"""Secrets planted in a flow, and where to look for them afterwards."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from cryptography.fernet import Fernet


def sendgrid_looking_key() -> str:
    return f"SG.{secrets.token_urlsafe(16)[:22]}.{secrets.token_urlsafe(32)[:43]}"


def fernet_key() -> str:
    return Fernet.generate_key().decode()


def api_key_secret() -> str:
    return secrets.token_hex(16)


@dataclass
class Planted:
    """The secrets of one flow, by what they are."""

    by_name: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: str) -> str:
        self.by_name[name] = value
        return value

    def found_in(self, text: str) -> list[str]:
        """The names of the secrets ``text`` holds whole, or their last half (a Fernet key's
        tail was once echoed by a settings error)."""
        return sorted(
            name
            for name, value in self.by_name.items()
            if value in text or value[len(value) // 2 :] in text
        )
