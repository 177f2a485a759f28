"""Legacy request and response bodies, with the seed's field names.

Unknown keys are ignored (legacy clients send whole objects back); a known key with a value
of the wrong type, an operator object such as ``{"$ne": ""}`` included, is 422.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, StrictStr

from service.accounts.documents import Account
from service.auth.service import AccessTo, AuthResult
from service.core.clock import now_ms


class LegacyBody(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Credentials(LegacyBody):
    username: StrictStr
    password: StrictStr


class TokenBody(LegacyBody):
    token: StrictStr


class AccessToBody(BaseModel):
    org_id: str
    unit_ids: list[str]
    brandpath_list: list[str]

    @classmethod
    def of(cls, access: AccessTo) -> AccessToBody:
        return cls(
            org_id=access.org_id, unit_ids=access.unit_ids, brandpath_list=access.brandpath_list
        )


class AuthResponse(BaseModel):
    token: str
    refresh_token: str
    secret: str | None
    access_to: AccessToBody
    properties: dict[str, str]
    services: dict[str, dict[str, str]]

    @classmethod
    def of(cls, result: AuthResult) -> AuthResponse:
        return cls(
            token=result.token,
            refresh_token=result.refresh_token,
            secret=result.secret,
            access_to=AccessToBody.of(result.access_to),
            properties=result.properties,
            services=result.services,
        )


class ResourcePermissionBody(BaseModel):
    resource_id: StrictStr
    permission: StrictStr


class SystemPermissionBody(BaseModel):
    system_id: StrictStr
    permissions: list[ResourcePermissionBody]


class MeResponse(BaseModel):
    id: str
    username: str
    org_id: str
    unit_id: str | None
    permissions: list[SystemPermissionBody]
    enabled: bool
    trusted: bool
    created_on: int
    last_logged_in: int | None
    pending_password_reset: bool
    access_to: AccessToBody
    oauth_provider_id: str | None

    @classmethod
    def of(cls, account: Account, access: AccessTo) -> MeResponse:
        return cls(
            id=account.account_id,
            username=account.username,
            org_id=account.org_unit.org_id,
            unit_id=account.org_unit.unit_id,
            permissions=[
                SystemPermissionBody.model_validate(grant.model_dump(mode="json"))
                for grant in account.permissions
            ],
            enabled=account.enabled,
            trusted=account.trusted,
            created_on=account.created_on,
            last_logged_in=account.last_logged_in,
            pending_password_reset=account.pending_reset(now_ms()) is not None,
            access_to=AccessToBody.of(access),
            oauth_provider_id=account.oauth_provider_id,
        )
