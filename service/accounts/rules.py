"""Field rules of accounts, shared by administration and the password lifecycle."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from service.core.errors import InvalidInput, invalid_field
from service.core.ids import is_storable_key

USERNAME_MIN, USERNAME_MAX = 3, 128
PASSWORD_MIN, PASSWORD_MAX = 8, 256
CONTACTS_MAX, CONTACT_KEY_MAX, CONTACT_VALUE_MAX = 50, 64, 1024
# Control, format (zero-width, bidi), separators other than spaces, private use, unassigned
# and lone surrogates: invisible or ambiguous in a username, and surrogates cannot be stored.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"})


def is_encodable(text: str) -> bool:
    """False for strings holding lone surrogates, which no store can encode as UTF-8."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_username(username: str) -> None:
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        raise invalid_field("username", f"must be {USERNAME_MIN} to {USERNAME_MAX} characters")
    if username != username.strip():
        raise invalid_field("username", "must not start or end with whitespace")
    if any(unicodedata.category(char) in REFUSED_CATEGORIES for char in username):
        raise invalid_field("username", "must not contain control or invisible characters")


def check_password(password: str, common_passwords: frozenset[str]) -> None:
    """8 to 256 code points, every one of them counts, and not a well-known password."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise invalid_field("password", f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    if not is_encodable(password):
        raise invalid_field("password", "must be valid Unicode text")
    if password.casefold() in common_passwords:
        raise invalid_field("password", "is one of the most common passwords")


def check_contacts(contacts: dict[str, str]) -> None:
    """A small map of short texts whose keys can be stored as field names."""
    if len(contacts) > CONTACTS_MAX:
        raise invalid_field("contacts", f"at most {CONTACTS_MAX} entries")
    for key, value in contacts.items():
        if not is_encodable(key) or not is_encodable(value):
            raise invalid_field("contacts", "must be valid Unicode text")
        if not is_storable_key(key, CONTACT_KEY_MAX):
            raise invalid_field(
                "contacts",
                f"keys are 1-{CONTACT_KEY_MAX} characters, without '$' first, '.' or NUL",
            )
        if len(value) > CONTACT_VALUE_MAX:
            raise invalid_field("contacts", f"values are at most {CONTACT_VALUE_MAX} characters")


def otp_digest(data_key: str, account_id: str, otp: str) -> str:
    """Keyed digest of an OTP, bound to its account: a leaked database cannot replay it.

    A plain hash of 8 digits would be reversed in seconds, so the key (the data key, which
    never lives in the database) is what protects it.
    """
    key = hashlib.sha256(b"password-reset-otp\x00" + data_key.encode()).digest()
    message = f"{account_id}\x00{otp}".encode(errors="replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def invalid_otp() -> InvalidInput:
    return InvalidInput("invalid_otp", "The one-time password is wrong, expired or already used")
