"""Argon2id password hashing (argon2-cffi's defaults are Argon2id)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
#: verified against when the user does not exist, so timing does not tell who has an account
_DUMMY = _HASHER.hash("slaflow-dummy-password")


#: the password hash of an account that never logs in with a password (a service account): no password
#: verifies against it
UNUSABLE = "!"


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValueError("passwords have at least 8 characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)
