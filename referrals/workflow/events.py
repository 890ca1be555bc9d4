"""The history of a referral request: one event per change, notes encrypted."""

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from referrals.db import insert_rows
from referrals.phi import PhiCipher
from referrals.workflow.models import Event

PUBLIC = "public"


class EventKind(StrEnum):
    request = "request"
    referral = "referral"
    review = "review"


def actor_of(api_key_id: int) -> str:
    return f"key:{api_key_id}"


def record(
    session: Session,
    *,
    request_id: str,
    kind: EventKind,
    actor: str,
    cipher: PhiCipher,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    referral_id: str | None = None,
) -> None:
    """Add one event to the session's transaction."""
    row = {
        "referral_request_id": request_id,
        "referral_id": referral_id,
        "kind": kind,
        "actor": actor,
        "from_status": from_status,
        "to_status": to_status,
        "note": cipher.encrypt({"note": note}) if note else None,
    }
    insert_rows(session, Event, row)


def history(session: Session, *, request_id: str, cipher: PhiCipher) -> list[dict]:
    """The request's events, oldest first, notes decrypted."""
    events = session.scalars(
        select(Event).where(Event.referral_request_id == request_id).order_by(Event.id)
    )
    return [
        {
            "id": event.id,
            "at": event.at,
            "actor": event.actor,
            "kind": event.kind,
            "referral_id": event.referral_id,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "note": cipher.decrypt(event.note)["note"] if event.note else None,
        }
        for event in events
    ]
