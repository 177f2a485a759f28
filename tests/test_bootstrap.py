"""First start creates the bootstrap organisation, the service's system and the SuperUser."""

from __future__ import annotations

from typing import Any

from service.accounts.documents import Account, AccountType
from service.bootstrap import bootstrap
from service.organisations.documents import Organisation
from service.systems.documents import System
from tests.conftest import BOOTSTRAP_USERNAME


async def test_bootstrap_organisation_exists(app: Any) -> None:
    organisation = await Organisation.get("root")
    assert organisation is not None
    assert organisation.parent_id is None
    assert organisation.enabled


async def test_service_registers_its_own_system(app: Any) -> None:
    system = await System.get("accounts")
    assert system is not None
    assert system.resources == ["accounts", "organisations", "systems", "oauth_providers"]


async def test_bootstrap_superuser_is_homed_in_the_bootstrap_org(app: Any) -> None:
    account = await Account.find_one({"username": BOOTSTRAP_USERNAME})
    assert account is not None
    assert account.account_type == AccountType.SUPER_USER
    assert account.org_unit.org_id == "root"
    assert account.password_hash and account.password_hash.startswith("bcrypt-sha256$")


async def test_second_start_creates_nothing(deps: Any) -> None:
    before = await Account.count()
    report = await bootstrap(deps)
    assert report.generated_password is None
    assert await Account.count() == before
