"""Closing the loop: staff read requests, clear flags, refer, and follow each referral."""

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from referrals.audit.service import Action, Audit
from referrals.auth.service import Caller
from referrals.db import get_for_update, page_of, utcnow
from referrals.errors import Conflict, InvalidInput, NotFound
from referrals.intake import screening
from referrals.intake import service as intake
from referrals.intake.models import ReferralRequest
from referrals.intake.schemas import (
    ReferralRequestRead,
    ReferralRequestSummary,
    RequestStatus,
    ReviewCreate,
)
from referrals.matching import service as matching
from referrals.matching.schemas import MatchQuery, MatchResponse
from referrals.phi import PhiCipher
from referrals.registry import service as registry
from referrals.registry.models import CareTeam
from referrals.registry.schemas import OLDEST_AGE
from referrals.schemas import Page
from referrals.workflow import events
from referrals.workflow.events import EventKind
from referrals.workflow.models import Referral
from referrals.workflow.schemas import (
    ReferralCreate,
    ReferralUpdate,
    RequestFilters,
    RequestUpdate,
)
from referrals.workflow.transitions import (
    ACTIVE,
    REFERABLE,
    REFERRAL_ALLOWED,
    REQUEST_ALLOWED,
    ReferralStatus,
    a,
)


def _summary(request: ReferralRequest, document: dict) -> dict:
    patient = document["patient"]
    return {
        "id": request.id,
        "status": request.status,
        "received_at": request.received_at,
        "flagged": request.flagged,
        "cleared": request.cleared,
        "first_name": patient["first_name"],
        "last_name": patient["last_name"],
        "postal_code": document["postal_code"],
    }


def list_requests(
    session: Session, *, filters: RequestFilters, cipher: PhiCipher, audit: Audit
) -> Page[ReferralRequestSummary]:
    """Requests newest first, by status, whether screening flagged them and whether a
    reviewer has looked at them."""
    query = select(ReferralRequest)
    if filters.status is not None:
        query = query.where(ReferralRequest.status == filters.status)
    if filters.flagged is not None:
        query = query.where(ReferralRequest.flagged == filters.flagged)
    if filters.reviewed is not None:
        reviewed = ReferralRequest.reviewed_at.is_not(None)
        query = query.where(reviewed if filters.reviewed else ~reviewed)
    rows, total = page_of(
        session,
        query,
        ReferralRequest.received_at.desc(),
        ReferralRequest.id,
        limit=filters.limit,
        offset=filters.offset,
    )
    audit.record(session, action=Action.referral_request_list, request_ids=[r.id for r in rows])
    items = [ReferralRequestSummary(**_summary(r, cipher.decrypt(r.phi))) for r in rows]
    return Page(items=items, total=total, limit=filters.limit, offset=filters.offset)


def _referrals(session: Session, request_id: str) -> list[Referral]:
    query = select(Referral).where(Referral.referral_request_id == request_id)
    return list(session.scalars(query.order_by(Referral.created_at, Referral.id)))


def _not_with_a_team(session: Session, request: ReferralRequest) -> None:
    """409 while one of the request's referrals is still open."""
    if any(r.status in ACTIVE for r in _referrals(session, request.id)):
        raise Conflict("The request is with a care team; that referral must end first.")


def read(
    session: Session, *, request_id: str, cipher: PhiCipher, audit: Audit
) -> ReferralRequestRead:
    """One request with everything the patient sent, its flags, review and referrals."""
    audit.record(session, action=Action.referral_request_read, request_ids=[request_id])
    return _detail(session, intake.get(session, request_id=request_id), cipher)


def _detail(session: Session, request: ReferralRequest, cipher: PhiCipher) -> ReferralRequestRead:
    document = cipher.decrypt(request.phi)
    review = None
    if request.reviewed_at is not None:
        review = {
            "cleared": request.cleared,
            "reviewed_at": request.reviewed_at,
            "reviewer": request.reviewed_by,
        }
    return ReferralRequestRead(
        **_summary(request, document),
        patient=document["patient"],
        radius_miles=document["radius_miles"],
        preferences=document["preferences"],
        clinical=document["clinical"],
        screening_flags=document["screening_flags"],
        review=review,
        referrals=[
            {**vars(r), "care_team_id": r.care_team_id} for r in _referrals(session, request.id)
        ],
    )


def _age(document: dict) -> int:
    """The patient's age today."""
    return screening.age_on(date.fromisoformat(document["patient"]["date_of_birth"]), date.today())


def matches(session: Session, *, request_id: str, cipher: PhiCipher, audit: Audit) -> MatchResponse:
    """The care teams that fit the request as the patient filled it in."""
    audit.record(session, action=Action.referral_request_matches, request_ids=[request_id])
    document = cipher.decrypt(intake.get(session, request_id=request_id).phi)
    preferences, clinical = document["preferences"], document["clinical"]
    query = MatchQuery(
        postal_code=document["postal_code"],
        radius_miles=document["radius_miles"],
        modality=preferences["modalities"],
        condition=clinical["conditions"],
        insurance=preferences["insurance"],
        max_price_usd=preferences["max_price_usd"],
        language=preferences["language"],
        # a patient who has aged past the oldest age a search takes fits the same teams:
        # no team's minimum age is higher
        patient_age=min(_age(document), OLDEST_AGE),
        psychiatrist_gender=preferences["psychiatrist_gender"],
        anesthesia_type=preferences["anesthesia_type"],
        telehealth=preferences["telehealth"],
        program=preferences["program"],
    )
    return matching.find_matches(session, query=query)


def review(
    session: Session,
    *,
    request_id: str,
    data: ReviewCreate,
    api_key: Caller,
    cipher: PhiCipher,
    audit: Audit,
) -> ReferralRequestRead:
    """Record a physician's review of a flagged request: cleared or not."""
    audit.record(session, action=Action.referral_request_review, request_ids=[request_id])
    request = intake.get(session, request_id=request_id)
    request.cleared, request.reviewed_by = data.cleared, api_key.id
    request.reviewed_at = utcnow()
    events.record(
        session,
        request_id=request.id,
        kind=EventKind.review,
        actor=events.actor_of(api_key.id),
        cipher=cipher,
        to_status="cleared" if data.cleared else "not_cleared",
        note=data.note,
    )
    return _detail(session, request, cipher)


def _move_request(
    session: Session, request: ReferralRequest, to: RequestStatus, *, actor: str, cipher, note
) -> None:
    events.record(
        session,
        request_id=request.id,
        kind=EventKind.request,
        actor=actor,
        cipher=cipher,
        from_status=request.status,
        to_status=to,
        note=note,
    )
    request.status = to


def refer(
    session: Session,
    *,
    request_id: str,
    data: ReferralCreate,
    api_key: Caller,
    cipher: PhiCipher,
    audit: Audit,
) -> Referral:
    """Send the request to a care team; flagged requests need a clearance first."""
    audit.record(session, action=Action.referral_create, request_ids=[request_id])
    request = intake.get(session, request_id=request_id, for_update=True)
    if request.status not in REFERABLE:
        raise Conflict(f"{a(request.status)} request cannot be referred.")
    if request.flagged and not request.cleared:
        raise Conflict("Screening flagged this request: a reviewer must clear it first.")
    _not_with_a_team(session, request)
    team_id = registry.parse_id(data.care_team_id)
    team = session.get(CareTeam, team_id) if team_id is not None else None
    if team is None:
        raise InvalidInput.on("care_team_id", "is not the id of a care team")
    if not team.active:
        raise InvalidInput.on("care_team_id", "is an inactive team")
    if not team.accepting_new_patients:
        raise InvalidInput.on("care_team_id", "is a team that is not taking new patients")
    if _age(cipher.decrypt(request.phi)) < team.min_patient_age:
        raise InvalidInput.on(
            "care_team_id", f"is a team that sees patients from age {team.min_patient_age}"
        )
    actor = events.actor_of(api_key.id)
    referral = Referral(
        id=uuid.uuid4().hex,
        referral_request_id=request.id,
        care_team_id=team.id,
        status=ReferralStatus.sent,
    )
    session.add(referral)
    session.flush()
    events.record(
        session,
        request_id=request.id,
        referral_id=referral.id,
        kind=EventKind.referral,
        actor=actor,
        cipher=cipher,
        to_status=ReferralStatus.sent,
        note=data.note,
    )
    if request.status != RequestStatus.referred:
        _move_request(
            session, request, RequestStatus.referred, actor=actor, cipher=cipher, note=None
        )
    session.flush()
    return referral


def update_referral(
    session: Session,
    *,
    referral_id: str,
    data: ReferralUpdate,
    api_key: Caller,
    cipher,
    audit: Audit,
) -> Referral:
    """Move a referral along its allowed transitions; a completed one closes its request."""
    found = len(referral_id) == 32
    referral = get_for_update(session, Referral, referral_id) if found else None
    touched = [referral.referral_request_id] if referral else []
    audit.record(session, action=Action.referral_update, request_ids=touched)
    if referral is None:
        raise NotFound("No referral has this id.")
    current = ReferralStatus(referral.status)
    if data.status not in REFERRAL_ALLOWED[current]:
        raise Conflict(f"{a(current)} referral cannot become {data.status}.")
    actor = events.actor_of(api_key.id)
    events.record(
        session,
        request_id=referral.referral_request_id,
        referral_id=referral.id,
        kind=EventKind.referral,
        actor=actor,
        cipher=cipher,
        from_status=current,
        to_status=data.status,
        note=data.note,
    )
    referral.status = data.status
    if data.status == ReferralStatus.completed:
        request = session.get(ReferralRequest, referral.referral_request_id)
        _move_request(session, request, RequestStatus.closed, actor=actor, cipher=cipher, note=None)
    session.flush()
    session.refresh(referral)
    return referral


def update_request(
    session: Session,
    *,
    request_id: str,
    data: RequestUpdate,
    api_key: Caller,
    cipher,
    audit: Audit,
) -> ReferralRequestRead:
    """Staff's own moves of a request: into review, or closed."""
    audit.record(session, action=Action.referral_request_update, request_ids=[request_id])
    request = intake.get(session, request_id=request_id, for_update=True)
    current = RequestStatus(request.status)
    if data.status not in REQUEST_ALLOWED[current]:
        raise Conflict(f"{a(current)} request cannot become {data.status}.")
    if data.status == RequestStatus.closed:
        _not_with_a_team(session, request)
    _move_request(
        session,
        request,
        data.status,
        actor=events.actor_of(api_key.id),
        cipher=cipher,
        note=data.note,
    )
    session.flush()
    return _detail(session, request, cipher)


def history(session: Session, *, request_id: str, cipher: PhiCipher, audit: Audit) -> list[dict]:
    """The request's events, oldest first."""
    audit.record(session, action=Action.referral_request_events, request_ids=[request_id])
    request = intake.get(session, request_id=request_id)
    return events.history(session, request_id=request.id, cipher=cipher)
