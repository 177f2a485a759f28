"""The Account document and the shapes it embeds."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Any

import pymongo
from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import IndexModel

from service.core.outbox import OutboxFields


class AccountType(StrEnum):
    USER = "User"
    SUPER_USER = "SuperUser"
    SYSTEM = "System"
    SERVICE = "Service"
    PROVIDER = "Provider"


class PermissionLevel(StrEnum):
    READ = "Read"
    WRITE = "Write"
    ADMIN = "Admin"

    @property
    def rank(self) -> int:
        return {"Read": 1, "Write": 2, "Admin": 3}[self.value]


class OrgUnit(BaseModel):
    org_id: str
    unit_id: str | None = None
    org_list: list[str] = Field(default_factory=list)


class ResourcePermission(BaseModel):
    resource_id: str
    permission: PermissionLevel


class SystemPermissions(BaseModel):
    system_id: str
    permissions: list[ResourcePermission] = Field(default_factory=list)


class PendingReset(BaseModel):
    """A password-reset OTP: only its hash is kept."""

    otp_hash: str
    expires_at: int
    tries: int = 0


class Account(Document, OutboxFields):
    id: PydanticObjectId = Field(default_factory=PydanticObjectId)  # type: ignore[assignment]
    account_type: AccountType = AccountType.USER
    system_id: str | None = None
    username: str
    username_key: str
    password_hash: str | None = None
    org_unit: OrgUnit
    org_bound: bool = False
    permissions: list[SystemPermissions] = Field(default_factory=list)
    enabled: bool = True
    trusted: bool = False
    created_on: int
    last_logged_in: int | None = None
    reset: PendingReset | None = None
    reset_requests: list[int] = Field(default_factory=list)
    contacts: dict[str, str] = Field(default_factory=dict)
    oauth_sub: str | None = None
    oauth_issuer: str | None = None
    oauth_provider_id: str | None = None
    token_version: int = 0

    class Settings:
        name = "accounts"
        indexes = [
            IndexModel(
                [("username_key", pymongo.ASCENDING)], unique=True, name="username_key_unique"
            ),
            IndexModel([("org_unit.org_id", pymongo.ASCENDING)], name="home_org"),
            IndexModel([("permissions.system_id", pymongo.ASCENDING)], name="permission_system"),
            IndexModel([("pending_events.0.id", pymongo.ASCENDING)], name="outbox_pending"),
            IndexModel(
                [("oauth_provider_id", pymongo.ASCENDING), ("oauth_sub", pymongo.ASCENDING)],
                name="oauth_link",
            ),
        ]

    @property
    def account_id(self) -> str:
        return str(self.id)

    @property
    def is_superuser(self) -> bool:
        return self.account_type == AccountType.SUPER_USER

    def pending_reset(self, now: int) -> PendingReset | None:
        """The reset waiting for its OTP, if one is still usable."""
        if self.reset is None or self.reset.expires_at <= now:
            return None
        return self.reset

    def permission_map(self) -> dict[str, dict[str, str]]:
        return {
            grant.system_id: {p.resource_id: p.permission.value for p in grant.permissions}
            for grant in self.permissions
        }

    def public_fields(self) -> dict[str, Any]:
        """The account as the REST bodies and events show it: never a hash or an OTP."""
        return {
            "id": self.account_id,
            "account_type": self.account_type.value,
            "system_id": self.system_id,
            "username": self.username,
            "org_unit": self.org_unit.model_dump(),
            "org_bound": self.org_bound,
            "permissions": [grant.model_dump(mode="json") for grant in self.permissions],
            "enabled": self.enabled,
            "trusted": self.trusted,
            "created_on": self.created_on,
            "last_logged_in": self.last_logged_in,
            "contacts": dict(self.contacts),
            "oauth_sub": self.oauth_sub,
            "oauth_provider_id": self.oauth_provider_id,
        }


def username_key(username: str) -> str:
    """The form usernames are unique in: NFKC-normalised and case-folded."""
    return unicodedata.normalize("NFKC", username).casefold()
