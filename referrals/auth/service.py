"""Creating and checking API keys.

Keys are 256 random bits, so a fast SHA-256 digest is as safe to store as a slow password
hash, and lets every request find its key with one indexed lookup.
"""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from referrals.auth.models import ApiKey, Role
from referrals.db import driver_execute, utcnow
from referrals.errors import Forbidden, NotFound, Unauthorized

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


def list_keys(session: Session) -> list[ApiKey]:
    """Every key ever made, oldest first (their digests' rows: the keys are not stored)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, *, key_id: int) -> ApiKey:
    """Revoke the live key `key_id`: every request carrying it is refused (401) from now on."""
    api_key = session.get(ApiKey, key_id)
    if api_key is None or api_key.revoked_at is not None:
        raise NotFound("No live API key has this id.")
    api_key.revoked_at = utcnow()
    session.flush()
    return api_key


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a request: the live API key it carried."""

    id: int
    name: str
    role: Role


# Every authenticated request runs this; on the driver it costs a tenth of an ORM query.
_LIVE_KEY = {
    "sqlite": "SELECT id, name, role FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
    "postgresql": (
        "SELECT id, name, role FROM api_keys WHERE key_hash = %s AND revoked_at IS NULL"
    ),
}


def authenticate(session: Session, *, key: str | None, required: Role) -> Caller:
    """The caller holding the live key `key` if its role grants `required`; 401 or 403 if not."""
    if not key:
        raise Unauthorized("An API key is required.")
    statement = _LIVE_KEY[session.get_bind().dialect.name]
    row = driver_execute(session, statement, (_digest(key),)).fetchone()
    if row is None:
        raise Unauthorized("The API key is not valid.")
    caller = Caller(row[0], row[1], Role(row[2]))
    if required not in _GRANTS[caller.role]:
        raise Forbidden(f"This operation needs the {required} role.")
    return caller
