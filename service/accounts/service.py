"""Account administration and the password lifecycle (both APIs call these).

Skeleton: signatures fixed so other domains can rely on them; issue 3 fills them in.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.accounts.documents import AccountType, OrgUnit, SystemPermissions
from service.auth.caller import Caller
from service.dependencies import Dependencies
from service.accounts.documents import Account


class AccountCreate(BaseModel):
    account_type: AccountType = AccountType.USER
    system_id: str | None = None
    username: str
    password: str
    org_unit: OrgUnit
    org_bound: bool | None = None
    permissions: list[SystemPermissions] = Field(default_factory=list)
    trusted: bool | None = None
    contacts: dict[str, str] | None = None


async def create_account(*, deps: Dependencies, caller: Caller, data: AccountCreate) -> Account:
    raise NotImplementedError
