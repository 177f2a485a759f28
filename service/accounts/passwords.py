"""The password lifecycle: change (knowing the current one), reset by a one-time password.

The OTP is 8 random digits, stored only as a keyed digest in ``Account.reset``; its clear
value travels once, encrypted at rest in the pending ``password_reset_requested`` event, to
the notifications topic the mail service reads. Each confirm attempt claims a try
atomically *before* the OTP is compared, so parallel guesses cannot exceed the limit, and
the successful write matches the OTP digest, so an OTP works once.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from typing import Any

from service.accounts.documents import Account, PendingReset, username_key
from service.accounts.rules import (
    USERNAME_MAX,
    check_password,
    invalid_otp,
    is_encodable,
    otp_digest,
)
from service.auth.caller import Caller
from service.auth.service import revoke_all_sessions
from service.auth.throttle import LoginThrottle
from service.core.atomic import atomic_update
from service.core.clock import now_ms
from service.core.errors import Conflict, Forbidden
from service.core.outbox import new_event, write_change
from service.core.security import random_digits
from service.dependencies import Dependencies

OTP_DIGITS = 8
RESET_WINDOW_MS = 15 * 60 * 1000
WRITE_ATTEMPTS = 3
# Every reset request answers after this long at least (no timing tells a user exists).
RESET_ANSWER_SECONDS = 0.3
NOT_DELETED: dict[str, Any] = {"deleted": {"$ne": True}}


def _collection() -> Any:
    return Account.get_pymongo_collection()


def _username_key(username: str) -> str | None:
    """The lookup key, or None for input no account can have (too long, not storable)."""
    if len(username) > 4 * USERNAME_MAX or not is_encodable(username):
        return None
    return username_key(username)


async def _set_password(
    deps: Dependencies,
    account: Account,
    password_hash: str,
    *,
    event_type: str,
    actor_id: str,
    extra_match: dict[str, Any] | None = None,
) -> bool:
    """Store a new hash, clear any pending reset, end every session; False if the match failed.

    A concurrent change of something else is retried; when ``extra_match`` (the OTP being
    used) no longer holds, it gives up.
    """
    match_extra = extra_match or {}
    for _ in range(WRITE_ATTEMPTS):
        after = account.model_copy(update={"password_hash": password_hash, "reset": None})
        written = await write_change(
            _collection(),
            match={"_id": account.id, "version": account.version, **match_extra},
            update={
                "$set": {"password_hash": password_hash, "reset": None},
                "$inc": {"token_version": 1},
            },
            events=[new_event(event_type, account.account_id, after.public_fields(),
                              actor_id=actor_id)],
        )
        if written is not None:
            deps.wake_outbox()
            await revoke_all_sessions(account.account_id)
            return True
        raw = await _collection().find_one({"_id": account.id, **NOT_DELETED, **match_extra})
        if raw is None:
            return False
        account = Account.model_validate(raw)
    raise Conflict("conflict", "The account changed meanwhile; try again")


async def change_password(
    *, deps: Dependencies, caller: Caller, current: str, password: str, client_address: str
) -> None:
    """A wrong ``current`` is 403 and counts as a login failure for the caller's username."""
    throttle = LoginThrottle(deps.settings)
    key = caller.account.username_key
    failures = await throttle.count_attempt(key, client_address)
    if not await deps.hasher.verify(current, caller.account.password_hash):
        await throttle.failure_delay(failures)
        raise Forbidden("invalid_current_password", "The current password is wrong")
    await throttle.succeeded(key, client_address)
    check_password(password, deps.common_passwords)
    password_hash = await deps.hasher.hash(password)
    changed = await _set_password(
        deps, caller.account, password_hash,
        event_type="accounts.account.password_changed", actor_id=caller.id,
    )
    if not changed:  # the account was deleted meanwhile
        raise Forbidden("invalid_current_password", "The current password is wrong")


async def request_password_reset(*, deps: Dependencies, username: str) -> None:
    """Answer alike, in the same time, whether or not the username exists.

    Issuing an OTP costs a write that an unknown username does not, so every answer waits
    until the same floor: the time tells nothing about the account.
    """
    started = time.monotonic()
    try:
        await _issue_reset(deps=deps, username=username)
    finally:
        elapsed = time.monotonic() - started
        await asyncio.sleep(max(0.0, RESET_ANSWER_SECONDS - elapsed))


async def _issue_reset(*, deps: Dependencies, username: str) -> None:
    """Issue an OTP to an enabled account; answers alike whatever happens (no event when not).

    At most ``password_reset_max_per_window`` OTPs per username per 15 minutes; a new OTP
    replaces the earlier one.
    """
    key = _username_key(username)
    if key is None:
        return
    settings = deps.settings
    for _ in range(WRITE_ATTEMPTS):
        raw = await _collection().find_one({"username_key": key, **NOT_DELETED})
        if raw is None:
            return
        account = Account.model_validate(raw)
        tree = await deps.org_tree.current()
        if not account.enabled or not tree.is_active(account.org_unit.org_id):
            return
        now = now_ms()
        recent = [t for t in account.reset_requests if t > now - RESET_WINDOW_MS]
        if len(recent) >= settings.password_reset_max_per_window:
            return
        otp = random_digits(OTP_DIGITS)
        expires_at = now + settings.otp_ttl_seconds * 1000
        reset = PendingReset(
            otp_hash=otp_digest(settings.encryption_key, account.account_id, otp),
            expires_at=expires_at,
        )
        event = new_event(
            "accounts.account.password_reset_requested",
            account.account_id,
            {
                "account_id": account.account_id,
                "username": account.username,
                "contacts": dict(account.contacts),
                "otp": otp,
                "expires_at": expires_at,
            },
            actor_id=None,
            channel="notifications",
            cipher=deps.cipher,
        )
        written = await write_change(
            _collection(),
            match={"_id": account.id, "version": account.version},
            update={"$set": {"reset": reset.model_dump(), "reset_requests": [*recent, now]}},
            events=[event],
        )
        if written is not None:
            deps.wake_outbox()
            return


async def _claim_try(key: str | None, max_tries: int) -> dict[str, Any] | None:
    """Count one try on a live OTP before comparing it; None when there is none to try."""
    if key is None:
        return None
    found = await _collection().find_one({"username_key": key, **NOT_DELETED}, {"_id": 1})
    if found is None:
        return None
    return await atomic_update(
        _collection(),
        {
            "_id": found["_id"],
            **NOT_DELETED,
            "enabled": True,
            "reset.expires_at": {"$gt": now_ms()},
            "reset.tries": {"$lt": max_tries},
        },
        {"$inc": {"reset.tries": 1}},
    )


async def reset_password(*, deps: Dependencies, username: str, otp: str, password: str) -> None:
    """Set a new password with the OTP; every failure is the same 422 ``invalid_otp``."""
    check_password(password, deps.common_passwords)
    settings = deps.settings
    key = _username_key(username)
    claim = await _claim_try(key, settings.otp_max_tries)
    account_id = str(claim["_id"]) if claim else ""
    expected = claim["reset"]["otp_hash"] if claim else otp_digest("", "", "")
    given = otp_digest(settings.encryption_key, account_id, otp if is_encodable(otp) else "")
    if claim is None or not hmac.compare_digest(given, expected):
        if key is not None:
            await LoginThrottle(settings).record_failure(key)
        if claim is not None and claim["reset"]["tries"] >= settings.otp_max_tries:
            await atomic_update(
                _collection(),
                {"_id": claim["_id"], "reset.otp_hash": expected},
                {"$set": {"reset": None}},
            )
        raise invalid_otp()
    account = Account.model_validate(claim)
    password_hash = await deps.hasher.hash(password)
    changed = await _set_password(
        deps, account, password_hash,
        event_type="accounts.account.password_reset", actor_id=account.account_id,
        extra_match={"reset.otp_hash": expected},
    )
    if not changed:
        raise invalid_otp()
