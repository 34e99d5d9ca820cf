"""Secrets at rest: bound to their tenant, readable across key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from trunkline.services.secrets import SecretBox, SecretUnreadable

TOKEN = "0123456789abcdef0123456789abcdef"


def test_secret_round_trips_for_its_tenant_and_is_not_stored_in_clear() -> None:
    box = SecretBox([Fernet.generate_key().decode()])

    ciphertext = box.encrypt(tenant_id=7, plaintext=TOKEN)

    assert TOKEN not in ciphertext
    assert box.decrypt(tenant_id=7, ciphertext=ciphertext) == TOKEN


def test_ciphertext_copied_to_another_tenant_does_not_decrypt() -> None:
    box = SecretBox([Fernet.generate_key().decode()])
    ciphertext = box.encrypt(tenant_id=7, plaintext=TOKEN)

    with pytest.raises(SecretUnreadable):
        box.decrypt(tenant_id=8, ciphertext=ciphertext)


def test_old_key_keeps_decrypting_until_rotated_then_can_be_removed() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = SecretBox([old]).encrypt(tenant_id=1, plaintext=TOKEN)
    both = SecretBox([new, old])

    assert both.decrypt(tenant_id=1, ciphertext=stored) == TOKEN
    rotated = both.rotate(tenant_id=1, ciphertext=stored)

    assert SecretBox([new]).decrypt(tenant_id=1, ciphertext=rotated) == TOKEN
    with pytest.raises(SecretUnreadable):
        SecretBox([new]).decrypt(tenant_id=1, ciphertext=stored)


def test_malformed_key_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="Fernet key"):
        SecretBox(["not-a-key"])


def test_a_box_that_forgot_its_derived_keys_still_reads_its_secrets() -> None:
    box = SecretBox([Fernet.generate_key().decode()])
    ciphertext = box.encrypt(tenant_id=7, plaintext=TOKEN)

    box.forget_derived_keys()

    assert box.decrypt(tenant_id=7, ciphertext=ciphertext) == TOKEN


def test_boxes_under_other_keys_share_no_derived_keys() -> None:
    mine, other = (
        SecretBox([Fernet.generate_key().decode()]),
        SecretBox([Fernet.generate_key().decode()]),
    )
    ciphertext = mine.encrypt(tenant_id=7, plaintext=TOKEN)
    other.encrypt(tenant_id=7, plaintext=TOKEN)  # the other box has derived tenant 7's keys too

    with pytest.raises(SecretUnreadable):
        other.decrypt(tenant_id=7, ciphertext=ciphertext)
