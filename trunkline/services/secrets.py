"""Secrets at rest: MultiFernet under keys derived per tenant, newest key first.

Each configured key is stretched (HKDF) into one Fernet key per tenant, so a ciphertext copied
into another tenant's row does not decrypt there. Older keys keep decrypting until removed from
``TRUNKLINE_ENCRYPTION_KEYS``; ``trunkline rotate-keys`` re-encrypts under the newest.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from tortoise.transactions import in_transaction

from trunkline.models import SendGridSettings, TwilioSettings
from trunkline.models.database import close_database, open_database
from trunkline.settings import Settings


class SecretUnreadable(Exception):
    """A stored secret that no configured key (for this tenant) decrypts."""


class SecretBox:
    """Encrypts and decrypts the tenants' secrets under the configured keys.

    Deriving a tenant's keys (HKDF per configured key) costs more than the decrypt itself, so
    each box remembers the last ``MAX_REMEMBERED_TENANTS`` tenants' derived keys; the box is the
    cache's owner (built once per process by the gateway), and :meth:`forget_derived_keys` drops
    them.
    """

    MAX_REMEMBERED_TENANTS = 4096

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        for key in keys:
            Fernet(key)  # Refuse a malformed key at start-up, not at the first decrypt.
        self._keys = tuple(keys)
        self._tenant_fernet = lru_cache(maxsize=self.MAX_REMEMBERED_TENANTS)(self._derive_fernet)

    def encrypt(self, *, tenant_id: int, plaintext: str) -> str:
        return self._tenant_fernet(tenant_id).encrypt(plaintext.encode()).decode()

    def decrypt(self, *, tenant_id: int, ciphertext: str) -> str:
        try:
            return self._tenant_fernet(tenant_id).decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable(f"secret of tenant {tenant_id} does not decrypt") from exc

    def rotate(self, *, tenant_id: int, ciphertext: str) -> str:
        """The same secret, encrypted under the newest key."""
        try:
            return self._tenant_fernet(tenant_id).rotate(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable(f"secret of tenant {tenant_id} does not decrypt") from exc

    def forget_derived_keys(self) -> None:
        """Drop every remembered tenant's derived keys (they are derived again when needed)."""
        self._tenant_fernet.cache_clear()

    def _derive_fernet(self, tenant_id: int) -> MultiFernet:
        return MultiFernet([Fernet(_derive(key, tenant_id)) for key in self._keys])


def _derive(key: str, tenant_id: int) -> bytes:
    master = base64.urlsafe_b64decode(key.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"trunkline-secrets-v1",
        info=f"tenant:{tenant_id}".encode(),
    ).derive(master)
    return base64.urlsafe_b64encode(derived)


def secret_box(settings: Settings) -> SecretBox:
    return SecretBox(settings.fernet_keys)


async def rotate_all_secrets(settings: Settings) -> int:
    """Re-encrypt every stored secret under the newest key; returns how many were rewritten."""
    box = secret_box(settings)
    await open_database(settings.effective_database_url)
    count = 0
    try:
        async with in_transaction():
            for twilio in await TwilioSettings.all().select_for_update():
                twilio.auth_token_encrypted = box.rotate(
                    tenant_id=twilio.tenant_id, ciphertext=twilio.auth_token_encrypted
                )
                count += 1
                if twilio.api_key_secret_encrypted:
                    twilio.api_key_secret_encrypted = box.rotate(
                        tenant_id=twilio.tenant_id, ciphertext=twilio.api_key_secret_encrypted
                    )
                    count += 1
                await twilio.save()
            for sendgrid in await SendGridSettings.all().select_for_update():
                sendgrid.api_key_encrypted = box.rotate(
                    tenant_id=sendgrid.tenant_id, ciphertext=sendgrid.api_key_encrypted
                )
                count += 1
                await sendgrid.save()
    finally:
        await close_database()
    return count
