"""The audit log as admins read it."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from referrals.audit.models import Action
from referrals.schemas import Limit, Offset


def _utc(value: datetime) -> datetime:
    """The time in UTC; one without an offset is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first representable time
        raise ValueError("is out of range") from None


Instant = Annotated[datetime, AfterValidator(_utc)]


class AuditFilters(BaseModel):
    model_config = {"extra": "forbid"}

    referral_request_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
    actor: Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,32}$", examples=["key:1"])] | None = None
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
