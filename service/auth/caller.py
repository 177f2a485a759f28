"""The authenticated caller: who it is, what it may do on the service's own system, where."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from service.accounts.documents import Account, PermissionLevel
from service.core.errors import Forbidden
from service.organisations.tree import OrgTree
from service.systems.documents import SERVICE_SYSTEM_ID


def account_reach(account: Account, tree: OrgTree) -> set[str] | None:
    """Organisations an account reaches; None means every organisation (SuperUser)."""
    if account.is_superuser:
        return None
    roots = [account.org_unit.org_id, *account.org_unit.org_list]
    return tree.reach(roots, bound=account.org_bound)


def holds(account: Account, system_id: str, resource_id: str, level: PermissionLevel) -> bool:
    """Whether the account holds ``level`` or more on a resource (Admin > Write > Read)."""
    if account.is_superuser:
        return True
    for grant in account.permissions:
        if grant.system_id != system_id:
            continue
        for permission in grant.permissions:
            if permission.resource_id == resource_id and permission.permission.rank >= level.rank:
                return True
    return False


@dataclass
class Caller:
    account: Account
    tree: OrgTree
    session_id: str | None = None

    @property
    def id(self) -> str:
        return self.account.account_id

    @property
    def is_superuser(self) -> bool:
        return self.account.is_superuser

    @cached_property
    def reach(self) -> set[str] | None:
        return account_reach(self.account, self.tree)

    def reaches(self, org_id: str | None) -> bool:
        if org_id is None:
            return False
        return org_id in self.tree and (self.reach is None or org_id in self.reach)

    def can(self, resource: str, level: PermissionLevel) -> bool:
        return holds(self.account, SERVICE_SYSTEM_ID, resource, level)

    def require(self, resource: str, level: PermissionLevel) -> None:
        if not self.can(resource, level):
            raise Forbidden("forbidden", f"{level.value} permission on {resource} is required")

    def require_superuser(self) -> None:
        if not self.is_superuser:
            raise Forbidden("forbidden", "Only a SuperUser may do this")
