"""Sign-in: password login, refresh rotation, logout, and the authenticated caller."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from service.accounts.documents import Account, AccountType, username_key
from service.auth.caller import Caller, account_reach
from service.auth.documents import RefreshSession
from service.auth.throttle import LoginThrottle
from service.core.atomic import atomic_update
from service.core.clock import now_ms
from service.core.errors import Forbidden, Unauthenticated
from service.core.ids import parse_account_id
from service.core.security import constant_time_equals, keyed_digest, token_digest
from service.dependencies import Dependencies
from service.organisations.tree import OrgTree
from service.systems.documents import System

INVALID_CREDENTIALS = "Wrong username or password"
# Longer than any username or password the service stores (128 and 256 code points), with
# room for accounts imported from the old service.
MAX_LOGIN_USERNAME = 256
MAX_LOGIN_PASSWORD = 1024


@dataclass
class AccessTo:
    org_id: str
    unit_ids: list[str]
    brandpath_list: list[str]


@dataclass
class AuthResult:
    token: str
    refresh_token: str
    secret: str | None
    access_to: AccessTo
    properties: dict[str, str]
    services: dict[str, dict[str, str]]


def access_to(account: Account, tree: OrgTree) -> AccessTo:
    """The home org, the home units it may act on, and every ``org:unit`` it reaches."""
    home = account.org_unit.org_id
    home_units = list(tree.nodes[home].units) if home in tree else []
    unit_ids = [account.org_unit.unit_id] if account.org_unit.unit_id else home_units
    brandpaths = [f"{home}:{unit}" for unit in unit_ids]
    reach = account_reach(account, tree)
    others = sorted(tree.nodes) if reach is None else sorted(reach)
    for org_id in others:
        if org_id != home:
            brandpaths.extend(f"{org_id}:{unit}" for unit in tree.nodes[org_id].units)
    return AccessTo(org_id=home, unit_ids=unit_ids, brandpath_list=brandpaths)


def _properties(account: Account, tree: OrgTree) -> dict[str, str]:
    properties = dict(account.contacts)
    properties["account_id"] = account.account_id
    properties["account_type"] = account.account_type.value
    currency = tree.effective_currency(account.org_unit.org_id)
    if currency:
        properties["base_currency"] = currency
    return properties


async def _services(account: Account) -> dict[str, dict[str, str]]:
    query: dict[str, Any] = {"deleted": {"$ne": True}}
    if not account.is_superuser:
        held = [grant.system_id for grant in account.permissions if grant.permissions]
        query["_id"] = {"$in": held}
    merged: dict[str, dict[str, str]] = {}
    cursor = System.get_pymongo_collection().find(query, {"service_config": 1}).sort("_id", 1)
    async for system in cursor:
        merged.update(system.get("service_config") or {})
    return merged


def _claims(account: Account, session_id: str) -> dict[str, Any]:
    return {
        "sub": account.account_id,
        "username": account.username,
        "account_type": account.account_type.value,
        "org_id": account.org_unit.org_id,
        "unit_id": account.org_unit.unit_id,
        "trusted": account.trusted,
        "perms": account.permission_map(),
        "ver": account.token_version,
        "sid": session_id,
    }


def _new_refresh_token(deps: Dependencies, session_id: str) -> str:
    """``<session>.<random>.<mac>``: the MAC tells a token we issued from a made-up one."""
    body = f"{session_id}.{secrets.token_urlsafe(32)}"
    return f"{body}.{keyed_digest(deps.settings.encryption_key, 'refresh-token', body)}"


def _issued_session(deps: Dependencies, refresh_token: str) -> str | None:
    """The session of a refresh token this service issued (current or retired), else None.

    Only a token we really issued may trigger reuse revocation: the session id is visible in
    access tokens, so a made-up ``<session>.<anything>`` must not end somebody's login.
    """
    body, _, mac = refresh_token.rpartition(".")
    expected = keyed_digest(deps.settings.encryption_key, "refresh-token", body)
    if not body or not constant_time_equals(mac, expected):
        return None
    return body.split(".", 1)[0]


def _check_active(account: Account, tree: OrgTree, *, error: type[Exception]) -> None:
    if not account.enabled:
        raise error("account_disabled", "The account is disabled")  # type: ignore[call-arg]
    if not tree.is_active(account.org_unit.org_id):
        raise error("organisation_disabled", "The organisation is disabled")  # type: ignore[call-arg]


async def _auth_result(
    deps: Dependencies,
    account: Account,
    tree: OrgTree,
    session_id: str,
    refresh_token: str,
    *,
    with_secret: bool,
) -> AuthResult:
    gets_secret = (
        with_secret
        and account.enabled
        and account.trusted
        and account.account_type == AccountType.SERVICE
    )
    return AuthResult(
        token=deps.signer.issue(_claims(account, session_id)),
        refresh_token=refresh_token,
        secret=deps.settings.signing_secret if gets_secret else None,
        access_to=access_to(account, tree),
        properties=_properties(account, tree),
        services=await _services(account),
    )


async def start_session(*, deps: Dependencies, account: Account, with_secret: bool) -> AuthResult:
    """Open a refresh-token family for a signed-in account and answer with its tokens."""
    now = now_ms()
    session_id = secrets.token_hex(16)
    refresh_token = _new_refresh_token(deps, session_id)
    await RefreshSession(
        id=session_id,
        account_id=account.account_id,
        token_digest=token_digest(refresh_token),
        token_version=account.token_version,
        created=now,
        rotated=now,
        expires_at=now + deps.settings.refresh_token_ttl_seconds * 1000,
    ).insert()
    tree = await deps.org_tree.current()
    return await _auth_result(
        deps, account, tree, session_id, refresh_token, with_secret=with_secret
    )


async def authenticate(
    *, deps: Dependencies, username: str, password: str, client_address: str
) -> AuthResult:
    """Password login. Unknown user and wrong password answer alike, in about the same time."""
    if len(username) > MAX_LOGIN_USERNAME or len(password) > MAX_LOGIN_PASSWORD:
        # No account can match; answer as for a wrong password, without storing the input.
        await deps.hasher.burn(password[:MAX_LOGIN_PASSWORD])
        raise Unauthenticated("invalid_credentials", INVALID_CREDENTIALS)
    key = username_key(username)
    throttle = LoginThrottle(deps.settings)
    username_failures = await throttle.count_attempt(key, client_address)
    account = await Account.find_one({"username_key": key, "deleted": {"$ne": True}})
    stored = account.password_hash if account else None
    if not await deps.hasher.verify(password, stored) or account is None:
        await throttle.failure_delay(username_failures)
        raise Unauthenticated("invalid_credentials", INVALID_CREDENTIALS)
    await throttle.succeeded(key, client_address)
    tree = await deps.org_tree.current()
    _check_active(account, tree, error=Forbidden)
    account.last_logged_in = now_ms()
    await atomic_update(
        Account.get_pymongo_collection(),
        {"_id": account.id},
        {"$set": {"last_logged_in": account.last_logged_in}},
    )
    return await start_session(deps=deps, account=account, with_secret=True)


async def refresh(*, deps: Dependencies, refresh_token: str) -> AuthResult:
    """Rotate a refresh token; presenting a retired one revokes its whole family."""
    now = now_ms()
    session_id = _issued_session(deps, refresh_token)
    if session_id is None:
        raise Unauthenticated("invalid_token", "The refresh token is not valid")
    new_token = _new_refresh_token(deps, session_id)
    sessions = RefreshSession.get_pymongo_collection()
    rotated = await atomic_update(
        sessions,
        {
            "_id": session_id,
            "token_digest": token_digest(refresh_token),
            "revoked": False,
            "expires_at": {"$gt": now},
        },
        {"$set": {"token_digest": token_digest(new_token), "rotated": now}},
    )
    if rotated is None:
        await _revoke_session(session_id)
        raise Unauthenticated("invalid_token", "The refresh token is not valid")
    account = await Account.get(parse_account_id(rotated["account_id"]))
    tree = await deps.org_tree.current()
    if account is None or account.token_version != rotated["token_version"]:
        await _revoke_session(session_id)
        raise Unauthenticated("invalid_token", "The refresh token is not valid")
    _check_active(account, tree, error=Unauthenticated)
    return await _auth_result(deps, account, tree, session_id, new_token, with_secret=False)


async def logout(*, deps: Dependencies, caller: Caller, refresh_token: str) -> None:
    """End one login: its refresh token, every token rotated from it, and their access tokens."""
    session_id = _issued_session(deps, refresh_token)
    if session_id is not None:
        await _revoke_session(session_id, account_id=caller.id)


async def _revoke_session(session_id: str, *, account_id: str | None = None) -> None:
    match: dict[str, Any] = {"_id": session_id}
    if account_id is not None:
        match["account_id"] = account_id
    await atomic_update(RefreshSession.get_pymongo_collection(), match, {"$set": {"revoked": True}})


async def revoke_all_sessions(account_id: str) -> None:
    """Mark every refresh family of an account revoked (token_version already refuses them)."""
    await RefreshSession.get_pymongo_collection().update_many(
        {"account_id": account_id, "revoked": False}, {"$set": {"revoked": True}}
    )


async def caller_from_token(*, deps: Dependencies, token: str) -> Caller:
    """Verify an access token and load its account: revoked, disabled or orphaned is 401."""
    claims = deps.signer.verify(token)
    account_id = parse_account_id(str(claims.get("sub")))
    account = await Account.get(account_id) if account_id is not None else None
    if account is None or account.deleted or account.token_version != claims.get("ver"):
        raise Unauthenticated("invalid_token", "The token is no longer valid")
    tree = await deps.org_tree.current()
    _check_active(account, tree, error=Unauthenticated)
    session_id = claims.get("sid")
    if session_id is not None:
        session = await RefreshSession.get_pymongo_collection().find_one(
            {"_id": session_id}, {"revoked": 1}
        )
        if session is None or session.get("revoked"):
            raise Unauthenticated("invalid_token", "The session has ended")
    return Caller(account=account, tree=tree, session_id=session_id)
