"""Process-wide dependencies, built once at start-up and handed to every service function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from service.core.security import DataCipher, PasswordHasher, TokenSigner
from service.core.settings import Settings
from service.organisations.tree import OrgTreeCache


def load_common_passwords() -> frozenset[str]:
    text = resources.files("service.core").joinpath("data/common-passwords.txt").read_text()
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#")
    )


@dataclass
class Dependencies:
    settings: Settings
    hasher: PasswordHasher
    signer: TokenSigner
    cipher: DataCipher
    org_tree: OrgTreeCache
    common_passwords: frozenset[str]
    wake_outbox: Callable[[], None] = field(default=lambda: None)

    @classmethod
    def build(cls, settings: Settings) -> Dependencies:
        return cls(
            settings=settings,
            hasher=PasswordHasher(settings.bcrypt_rounds),
            signer=TokenSigner(
                secret=settings.signing_secret,
                previous_secret=settings.jwt_previous_secret,
                issuer=settings.jwt_issuer,
                ttl_seconds=settings.access_token_ttl_seconds,
            ),
            cipher=DataCipher(settings.encryption_key),
            org_tree=OrgTreeCache(),
            common_passwords=load_common_passwords(),
        )
