"""Creating and checking API keys.

Keys are 256 random bits, so a fast SHA-256 digest is as safe to store as a slow password
hash, and lets every request find its key with one indexed lookup.
"""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from referrals.auth.models import ApiKey, Role
from referrals.errors import Forbidden, Unauthorized

_KEY_PREFIX = "rfk_"
_GRANTS = {Role.admin: {Role.admin, Role.staff}, Role.staff: {Role.staff}}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, name: str, role: Role) -> tuple[ApiKey, str]:
    """A new key; the plain key is returned once and never stored."""
    plain = _KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(name=name, role=role, key_hash=_digest(plain))
    session.add(api_key)
    session.flush()
    return api_key, plain


def authenticate(session: Session, *, key: str | None, required: Role) -> ApiKey:
    """The live key for `key` if its role grants `required`; 401 or 403 otherwise."""
    if not key:
        raise Unauthorized("An API key is required.")
    api_key = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == _digest(key), ApiKey.revoked_at.is_(None))
    )
    if api_key is None:
        raise Unauthorized("The API key is not valid.")
    if required not in _GRANTS[Role(api_key.role)]:
        raise Forbidden(f"This operation needs the {required} role.")
    return api_key
