"""Legacy account administration and password routes: thin adapters over service.accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, StrictBool, StrictStr

from rest_compat.bodies import LegacyBody
from rest_compat.dependencies import AddressDep, CallerDep, DepsDep
from rest_compat.permissions import permitted
from service.accounts import passwords, service
from service.accounts.documents import (
    Account,
    AccountType,
    OrgUnit,
    PermissionLevel,
    SystemPermissions,
)
from service.accounts.service import ACCOUNTS, AccountCreate, AccountUpdate
from service.auth.caller import Caller
from service.core.clock import now_ms

router = APIRouter(prefix="/accounts", tags=["accounts"])


# The route permission is checked before the body or query is parsed (403 before 422).
ReaderDep = Annotated[Caller, Depends(permitted(ACCOUNTS, PermissionLevel.READ))]
WriterDep = Annotated[Caller, Depends(permitted(ACCOUNTS, PermissionLevel.WRITE))]


# --- bodies (the seed's field names; strict, unknown keys ignored) -----------------------


class PermissionIn(LegacyBody):
    resource_id: StrictStr
    permission: PermissionLevel


class SystemPermissionsIn(LegacyBody):
    system_id: StrictStr
    permissions: list[PermissionIn]

    def to_model(self) -> SystemPermissions:
        return SystemPermissions.model_validate(self.model_dump())


class OrgUnitIn(LegacyBody):
    org_id: StrictStr
    unit_id: StrictStr | None = None
    org_list: list[StrictStr] | None = None

    def to_model(self) -> OrgUnit:
        return OrgUnit(org_id=self.org_id, unit_id=self.unit_id, org_list=self.org_list or [])


class AccountCreateBody(LegacyBody):
    account_type: AccountType = AccountType.USER
    system_id: StrictStr | None = None
    username: StrictStr
    password: StrictStr
    org_unit: OrgUnitIn
    org_bound: StrictBool | None = None
    permissions: list[SystemPermissionsIn] | None = None
    trusted: StrictBool | None = None
    contacts: dict[StrictStr, StrictStr] | None = None

    def to_model(self) -> AccountCreate:
        return AccountCreate(
            account_type=self.account_type,
            system_id=self.system_id,
            username=self.username,
            password=self.password,
            org_unit=self.org_unit.to_model(),
            org_bound=self.org_bound,
            permissions=[grant.to_model() for grant in self.permissions or []],
            trusted=self.trusted,
            contacts=self.contacts,
        )


class AccountUpdateBody(LegacyBody):
    id: StrictStr
    account_type: AccountType | None = None
    username: StrictStr | None = None
    password: StrictStr | None = None
    org_unit: OrgUnitIn | None = None
    permissions: list[SystemPermissionsIn] | None = None
    trusted: StrictBool | None = None
    enabled: StrictBool | None = None
    contacts: dict[StrictStr, StrictStr] | None = None
    org_bound: StrictBool | None = None

    def to_model(self) -> AccountUpdate:
        return AccountUpdate(
            id=self.id,
            account_type=self.account_type,
            username=self.username,
            password=self.password,
            org_unit=self.org_unit.to_model() if self.org_unit else None,
            permissions=(
                [grant.to_model() for grant in self.permissions]
                if self.permissions is not None else None
            ),
            trusted=self.trusted,
            enabled=self.enabled,
            contacts=self.contacts,
            org_bound=self.org_bound,
        )


class PasswordChangeBody(LegacyBody):
    password: StrictStr
    current: StrictStr


class ResetRequestBody(LegacyBody):
    username: StrictStr


class ResetConfirmBody(LegacyBody):
    username: StrictStr
    otp: StrictStr
    password: StrictStr


class ResourcePermissionOut(BaseModel):
    resource_id: str
    permission: PermissionLevel


class SystemPermissionsOut(BaseModel):
    system_id: str
    permissions: list[ResourcePermissionOut]


class OrgUnitOut(BaseModel):
    org_id: str
    unit_id: str | None
    org_list: list[str]


class ResetOtpOut(BaseModel):
    otp: None = None
    expires_at: int


class AccountOut(BaseModel):
    """The seed's Account: ``password`` is always null, the OTP itself never shown."""

    id: str
    account_type: AccountType
    system_id: str | None
    username: str
    password: None = None
    org_unit: OrgUnitOut
    org_bound: bool
    permissions: list[SystemPermissionsOut]
    enabled: bool
    trusted: bool
    created_on: int
    last_logged_in: int | None
    reset_password_otp: ResetOtpOut | None
    contacts: dict[str, str]
    oauth_sub: str | None
    oauth_provider_id: str | None

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        fields = account.public_fields()
        pending = account.pending_reset(now_ms())
        fields["reset_password_otp"] = (
            ResetOtpOut(expires_at=pending.expires_at) if pending else None
        )
        return cls.model_validate(fields)


# --- routes ------------------------------------------------------------------------------


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    parts = [part.strip() for part in value.split(",") if part.strip()]
    return parts or None


@router.get("", response_model=list[AccountOut])
async def list_accounts(
    response: Response,
    caller: ReaderDep,
    deps: DepsDep,
    sort_field: str = "username",
    sort_direction: int = 1,
    page: int = 1,
    limit: int = 20,
    account_type: str | None = None,
    account_ids: str | None = None,
    org_id: str | None = None,
) -> list[AccountOut]:
    accounts, total = await service.list_accounts(
        deps=deps,
        caller=caller,
        account_types=_csv(account_type),
        account_ids=_csv(account_ids),
        org_id=org_id,
        sort_field=sort_field,
        sort_direction=sort_direction,
        page=page,
        limit=limit,
    )
    response.headers["X-Total-Count"] = str(total)
    return [AccountOut.of(account) for account in accounts]


@router.post("", response_model=AccountOut)
async def create_account(body: AccountCreateBody, caller: WriterDep, deps: DepsDep) -> AccountOut:
    account = await service.create_account(deps=deps, caller=caller, data=body.to_model())
    return AccountOut.of(account)


@router.put("", response_model=None)
async def update_account(body: AccountUpdateBody, caller: WriterDep, deps: DepsDep) -> None:
    await service.update_account(deps=deps, caller=caller, data=body.to_model())


@router.post("/password", response_model=None)
async def change_password(
    body: PasswordChangeBody, caller: CallerDep, deps: DepsDep, address: AddressDep
) -> None:
    await passwords.change_password(
        deps=deps, caller=caller, current=body.current, password=body.password,
        client_address=address,
    )


@router.post("/password/reset", response_model=None)
async def request_password_reset(body: ResetRequestBody, deps: DepsDep) -> None:
    await passwords.request_password_reset(deps=deps, username=body.username)


@router.post("/password/reset/confirm", response_model=None)
async def reset_password(body: ResetConfirmBody, deps: DepsDep) -> None:
    await passwords.reset_password(
        deps=deps, username=body.username, otp=body.otp, password=body.password
    )


@router.get("/{account_id}", response_model=AccountOut)
async def get_account(account_id: str, caller: ReaderDep, deps: DepsDep) -> AccountOut:
    account = await service.get_account(deps=deps, caller=caller, account_id=account_id)
    return AccountOut.of(account)


@router.post("/{account_id}/disable", response_model=AccountOut)
async def disable_account(account_id: str, caller: WriterDep, deps: DepsDep) -> AccountOut:
    account = await service.disable_account(deps=deps, caller=caller, account_id=account_id)
    return AccountOut.of(account)


@router.post("/{account_id}/enable", response_model=AccountOut)
async def enable_account(account_id: str, caller: WriterDep, deps: DepsDep) -> AccountOut:
    account = await service.enable_account(deps=deps, caller=caller, account_id=account_id)
    return AccountOut.of(account)


@router.post("/{account_id}/unlock", response_model=None)
async def unlock_account(account_id: str, caller: WriterDep, deps: DepsDep) -> None:
    await service.unlock_account(deps=deps, caller=caller, account_id=account_id)


@router.post("/{account_id}/revoke", response_model=None)
async def revoke_account_tokens(account_id: str, caller: WriterDep, deps: DepsDep) -> None:
    await service.revoke_account_tokens(deps=deps, caller=caller, account_id=account_id)
