"""The audit log as admins read it."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from referrals.audit.models import Action
from referrals.schemas import Limit, Offset


def _utc(value: datetime) -> datetime:
    """A time without an offset is taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Instant = Annotated[datetime, AfterValidator(_utc)]


class AuditFilters(BaseModel):
    model_config = {"extra": "forbid"}

    referral_request_id: Annotated[str, Field(max_length=32)] | None = None
    actor: Annotated[str, Field(max_length=32)] | None = None
    action: Action | None = None
    since: Annotated[Instant | None, Field(description="At or after (ISO 8601; UTC if naive).")] = (
        None
    )
    until: Annotated[Instant | None, Field(description="Before (ISO 8601; UTC if naive).")] = None
    limit: Limit = 20
    offset: Offset = 0


class AuditEventRead(BaseModel):
    id: int
    at: datetime
    actor: str
    action: Action
    referral_request_ids: list[str]
    client_address: str | None
    request_id: str
    outcome: str
