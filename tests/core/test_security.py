"""Password hashing: every character counts, legacy hashes still verify."""

from __future__ import annotations

import bcrypt

from service.core.security import PasswordHasher


async def test_passwords_sharing_72_bytes_do_not_match() -> None:
    hasher = PasswordHasher(rounds=4)
    prefix = "p" * 72
    stored = await hasher.hash(prefix + "-first-8")
    assert await hasher.verify(prefix + "-first-8", stored)
    assert not await hasher.verify(prefix + "-other-8", stored)
    assert not await hasher.verify(prefix, stored)


async def test_plain_bcrypt_hash_from_the_old_service_verifies() -> None:
    hasher = PasswordHasher(rounds=4)
    legacy = bcrypt.hashpw(b"old-service-password", bcrypt.gensalt(4)).decode()
    assert await hasher.verify("old-service-password", legacy)
    assert not await hasher.verify("old-service-passwor", legacy)


async def test_long_password_never_matches_a_legacy_hash_of_its_first_72_bytes() -> None:
    hasher = PasswordHasher(rounds=4)
    legacy = bcrypt.hashpw(b"x" * 72, bcrypt.gensalt(4)).decode()
    assert not await hasher.verify("x" * 80, legacy)


async def test_unknown_user_path_still_spends_a_bcrypt_check() -> None:
    hasher = PasswordHasher(rounds=4)
    assert not await hasher.verify("whatever-password", None)
