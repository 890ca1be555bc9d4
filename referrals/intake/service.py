"""Receiving referral requests: validation that needs lookups, screening, idempotency."""

import uuid
from datetime import date

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from referrals.audit.service import Action, Audit, Outcome
from referrals.db import driver_execute, get_for_update, insert_rows, lock_for_write, utcnow
from referrals.errors import InvalidInput, NotFound
from referrals.intake import screening
from referrals.intake.models import IdempotencyKey, ReferralRequest
from referrals.intake.schemas import IntakeCreate, IntakeReceipt, Patient, RequestStatus
from referrals.phi import PhiCipher
from referrals.workflow import events
from referrals.workflow.events import EventKind

IDEMPOTENCY_HEADER = "Idempotency-Key"
# INSERT ... ON CONFLICT DO NOTHING RETURNING: a row back if the key was free (psycopg
# reports no row count for it). Built once per engine: building costs more than running.
_KEY = IdempotencyKey.key
_CLAIM_KEY = {
    "sqlite": sqlite.insert(IdempotencyKey).on_conflict_do_nothing().returning(_KEY),
    "postgresql": postgresql.insert(IdempotencyKey).on_conflict_do_nothing().returning(_KEY),
}
_UNSTORE = delete(ReferralRequest).where(ReferralRequest.id == bindparam("id"))
# Plain SQL on the driver, the same on both engines, cheaper than building or even running
# a SQLAlchemy statement. `= true`, not a bare `active`: only the comparison lets SQLite
# seek ix_care_teams_active_min_age rather than walk it.
_YOUNGEST_ACCEPTED = "SELECT min(min_patient_age) FROM care_teams WHERE active = true"


def _check_contact(patient: Patient) -> None:
    channel = "email" if patient.preferred_contact == "email" else "phone"
    if getattr(patient, channel) is None:
        raise InvalidInput.on(f"patient.{channel}", "is required to be contacted this way")


def _receipt(request: ReferralRequest) -> IntakeReceipt:
    return IntakeReceipt(id=request.id, status=RequestStatus.new, received_at=request.received_at)


def _replay(session: Session, key: str, sent: dict, cipher: PhiCipher) -> IntakeReceipt:
    """The first answer to this taken key; a 422 if it was taken for another body.

    The bodies are compared in the clear, decrypted: a digest of one stored beside the key
    would let a copy of the database, without the PHI key, confirm a guess of it.
    """
    known = session.get_one(IdempotencyKey, key)
    first = session.get_one(ReferralRequest, known.referral_request_id)
    first_sent = cipher.decrypt(first.phi)
    del first_sent["screening_flags"]  # the service's, from the registry and the day
    if first_sent != sent:
        raise InvalidInput.on(IDEMPOTENCY_HEADER, "was already used for a different request")
    return _receipt(first)


def _claim(session: Session, key: str, request_id: str) -> bool:
    """Record the idempotency key for this request; False if the key was already taken."""
    row = {"key": key, "referral_request_id": request_id}
    claim = _CLAIM_KEY[session.get_bind().dialect.name]
    return session.connection().execute(claim, row).first() is not None


def _answer(
    session: Session, receipt: IntakeReceipt, audit: Audit, outcome: Outcome
) -> IntakeReceipt:
    audit.record(
        session, action=Action.referral_request_create, request_ids=[receipt.id], outcome=outcome
    )
    return receipt


def _youngest_accepted(session: Session) -> int | None:
    return driver_execute(session, _YOUNGEST_ACCEPTED).fetchone()[0]


def receive(
    session: Session,
    *,
    data: IntakeCreate,
    idempotency_key: str | None,
    cipher: PhiCipher,
    audit: Audit,
) -> IntakeReceipt:
    """Store a new request (or answer a retry of one: a replay) and record that it arrived."""
    _check_contact(data.patient)
    age = screening.age_on(data.patient.date_of_birth, date.today())
    flags = screening.flags(data.clinical, age=age, youngest_accepted=_youngest_accepted(session))
    sent = data.model_dump(mode="json")
    document = sent | {"screening_flags": flags}
    receipt = IntakeReceipt(id=uuid.uuid4().hex, status=RequestStatus.new, received_at=utcnow())
    request = receipt.model_dump() | {"flagged": bool(flags), "phi": cipher.encrypt(document)}
    lock_for_write(session)
    insert_rows(session, ReferralRequest, request)
    if idempotency_key and not _claim(session, idempotency_key, receipt.id):
        # The key is taken: this is a retry, or a duplicate sent at the same moment. The
        # request went in first (the key's row refers to it): take it out again.
        session.connection().execute(_UNSTORE, {"id": receipt.id})
        answer = _replay(session, idempotency_key, sent, cipher)
        return _answer(session, answer, audit, Outcome.replay)
    events.record(
        session,
        request_id=receipt.id,
        kind=EventKind.request,
        actor=events.PUBLIC,
        cipher=cipher,
        to_status=RequestStatus.new,
    )
    return _answer(session, receipt, audit, Outcome.ok)


def get(session: Session, *, request_id: str, for_update: bool = False) -> ReferralRequest:
    """The request; `for_update` locks it until the transaction ends, so that staff's moves
    on one request take turns."""
    read = get_for_update if for_update else Session.get
    request = read(session, ReferralRequest, request_id) if len(request_id) == 32 else None
    if request is None:
        raise NotFound("No referral request has this id.")
    return request
