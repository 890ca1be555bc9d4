"""Staff endpoints of the referral loop."""

from typing import Annotated

from fastapi import APIRouter, status

from referrals.audit.context import StaffAudit
from referrals.deps import CipherDep, SessionDep, StaffKey
from referrals.intake.schemas import ReferralRequestRead, ReferralRequestSummary, ReviewCreate
from referrals.matching.schemas import MatchResponse
from referrals.query import from_query
from referrals.schemas import Page
from referrals.workflow import service
from referrals.workflow.schemas import (
    EventRead,
    ReferralCreate,
    ReferralRead,
    ReferralUpdate,
    RequestFilters,
    RequestUpdate,
)

router = APIRouter(tags=["referrals"])


@router.get("/referral-requests")
def list_referral_requests(
    audit: StaffAudit,
    filters: Annotated[RequestFilters, from_query(RequestFilters)],
    session: SessionDep,
    cipher: CipherDep,
) -> Page[ReferralRequestSummary]:
    """Referral requests, newest first, by status, screening flag and whether reviewed."""
    return service.list_requests(session, filters=filters, cipher=cipher, audit=audit)


@router.get("/referral-requests/{request_id}")
def read_referral_request(
    request_id: str, session: SessionDep, cipher: CipherDep, audit: StaffAudit
) -> ReferralRequestRead:
    """One request with its screening flags, review and referrals."""
    return service.read(session, request_id=request_id, cipher=cipher, audit=audit)


@router.patch("/referral-requests/{request_id}")
def update_referral_request(
    request_id: str,
    data: RequestUpdate,
    session: SessionDep,
    cipher: CipherDep,
    key: StaffKey,
    audit: StaffAudit,
) -> ReferralRequestRead:
    """Put a request in review, or close it."""
    return service.update_request(
        session, request_id=request_id, data=data, api_key=key, cipher=cipher, audit=audit
    )


@router.get("/referral-requests/{request_id}/matches")
def referral_request_matches(
    request_id: str, session: SessionDep, cipher: CipherDep, audit: StaffAudit
) -> MatchResponse:
    """Care teams that fit the request as the patient filled it in."""
    return service.matches(session, request_id=request_id, cipher=cipher, audit=audit)


@router.post("/referral-requests/{request_id}/review")
def review_referral_request(
    request_id: str,
    data: ReviewCreate,
    session: SessionDep,
    cipher: CipherDep,
    key: StaffKey,
    audit: StaffAudit,
) -> ReferralRequestRead:
    """Record a physician's review of the screening flags."""
    return service.review(
        session, request_id=request_id, data=data, api_key=key, cipher=cipher, audit=audit
    )


@router.post("/referral-requests/{request_id}/referrals", status_code=status.HTTP_201_CREATED)
def create_referral(
    request_id: str,
    data: ReferralCreate,
    session: SessionDep,
    cipher: CipherDep,
    key: StaffKey,
    audit: StaffAudit,
) -> ReferralRead:
    """Refer the request to a care team (status `sent`)."""
    return service.refer(
        session, request_id=request_id, data=data, api_key=key, cipher=cipher, audit=audit
    )


@router.patch("/referrals/{referral_id}")
def update_referral(
    referral_id: str,
    data: ReferralUpdate,
    session: SessionDep,
    cipher: CipherDep,
    key: StaffKey,
    audit: StaffAudit,
) -> ReferralRead:
    """Move a referral along: accepted, declined, scheduled, completed or cancelled."""
    return service.update_referral(
        session, referral_id=referral_id, data=data, api_key=key, cipher=cipher, audit=audit
    )


@router.get("/referral-requests/{request_id}/events")
def referral_request_events(
    request_id: str, session: SessionDep, cipher: CipherDep, audit: StaffAudit
) -> list[EventRead]:
    """The request's history, oldest first."""
    return service.history(session, request_id=request_id, cipher=cipher, audit=audit)
