"""Staff's side of the loop: referrals, status changes, reviews and the history."""

from datetime import datetime

from pydantic import BaseModel

from referrals.intake.schemas import RequestStatus, ShortText
from referrals.schemas import Limit, Offset, PublicId, RequestModel
from referrals.workflow.events import EventKind
from referrals.workflow.transitions import ReferralStatus


class ReferralCreate(RequestModel):
    care_team_id: PublicId
    note: ShortText | None = None


class ReferralUpdate(RequestModel):
    status: ReferralStatus
    note: ShortText | None = None


class RequestUpdate(RequestModel):
    status: RequestStatus
    note: ShortText | None = None


class ReferralRead(BaseModel):
    id: str
    referral_request_id: str
    care_team_id: PublicId
    status: ReferralStatus
    created_at: datetime
    updated_at: datetime


class EventRead(BaseModel):
    id: int
    at: datetime
    actor: str
    kind: EventKind
    referral_id: str | None
    from_status: str | None
    to_status: str | None
    note: str | None


class RequestFilters(BaseModel):
    model_config = {"extra": "forbid"}

    status: RequestStatus | None = None
    flagged: bool | None = None
    reviewed: bool | None = None
    limit: Limit = 20
    offset: Offset = 0
