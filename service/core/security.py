"""Password hashing, JWTs, encryption at rest and constant-time comparisons."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import bcrypt
import jwt
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.core.clock import now_s
from service.core.errors import Unauthenticated

# New hashes carry this prefix: bcrypt over a SHA-256 digest of the whole password, so no
# byte past bcrypt's 72nd is ignored. Plain "$2b$" hashes imported from the old service
# still verify.
DIGEST_PREFIX = "bcrypt-sha256$"
BCRYPT_MAX_BYTES = 72


def _digest(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def _hash_sync(password: str, rounds: int) -> str:
    hashed = bcrypt.hashpw(_digest(password), bcrypt.gensalt(rounds))
    return DIGEST_PREFIX + hashed.decode()


def _verify_sync(password: str, stored: str) -> bool:
    if stored.startswith(DIGEST_PREFIX):
        return bcrypt.checkpw(_digest(password), stored[len(DIGEST_PREFIX) :].encode())
    raw = password.encode()
    if len(raw) > BCRYPT_MAX_BYTES:
        # A legacy hash only saw 72 bytes; accepting more would accept a different password.
        return False
    try:
        return bcrypt.checkpw(raw, stored.encode())
    except ValueError:
        return False


class PasswordHasher:
    """bcrypt off the event loop; a dummy hash keeps unknown-user logins as slow as real ones."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self._dummy = _hash_sync(secrets.token_urlsafe(16), rounds)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(_hash_sync, password, self.rounds)

    async def verify(self, password: str, stored: str | None) -> bool:
        if not stored:
            await asyncio.to_thread(_verify_sync, password, self._dummy)
            return False
        return await asyncio.to_thread(_verify_sync, password, stored)

    async def burn(self, password: str) -> None:
        """Spend the time of one verification (for answers that must not be faster)."""
        await asyncio.to_thread(_verify_sync, password, self._dummy)


def constant_time_equals(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def token_digest(token: str) -> str:
    """Digest of a high-entropy opaque token (refresh tokens, login codes) for storage."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(key: str, purpose: str, message: str) -> str:
    """HMAC-SHA256 of ``message`` under a key derived from ``key`` for one ``purpose``."""
    derived = hashlib.sha256(f"{purpose}\x00{key}".encode()).digest()
    return hmac.new(derived, message.encode(), hashlib.sha256).hexdigest()


def key_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class TokenSigner:
    secret: str
    previous_secret: str | None
    issuer: str
    ttl_seconds: int

    def issue(self, claims: dict[str, Any]) -> str:
        now = now_s()
        payload = {
            **claims,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
            "iss": self.issuer,
        }
        return jwt.encode(
            payload, self.secret, algorithm="HS256", headers={"kid": key_id(self.secret)}
        )

    def verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("invalid_token", "The token is not valid") from None
        secret = self.secret
        if self.previous_secret and header.get("kid") == key_id(self.previous_secret):
            secret = self.previous_secret
        try:
            return jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token_expired", "The token has expired") from None
        except jwt.PyJWTError:
            raise Unauthenticated("invalid_token", "The token is not valid") from None


class DataCipher:
    """AES-256-GCM with a key derived from ACCOUNTS_DATA_KEY, for secrets kept at rest."""

    def __init__(self, data_key: str) -> None:
        self._aead = AESGCM(hashlib.sha256(data_key.encode()).digest())

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        raw = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()


def random_digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))
