"""The allowed changes of a request's and a referral's status, as tables."""

from enum import StrEnum

from referrals.intake.schemas import RequestStatus


class ReferralStatus(StrEnum):
    sent = "sent"
    accepted = "accepted"
    declined = "declined"
    scheduled = "scheduled"
    completed = "completed"
    cancelled = "cancelled"


REFERRAL_ALLOWED: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.sent: frozenset({ReferralStatus.accepted, ReferralStatus.declined}),
    ReferralStatus.accepted: frozenset({ReferralStatus.scheduled, ReferralStatus.cancelled}),
    ReferralStatus.scheduled: frozenset({ReferralStatus.completed, ReferralStatus.cancelled}),
    ReferralStatus.declined: frozenset(),
    ReferralStatus.completed: frozenset(),
    ReferralStatus.cancelled: frozenset(),
}
# A request with one of these is still with a team: it cannot be referred again.
ACTIVE = frozenset({ReferralStatus.sent, ReferralStatus.accepted, ReferralStatus.scheduled})

# What staff may set; `referred` is set by sending a referral, and a completed referral
# closes its request.
REQUEST_ALLOWED: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.new: frozenset({RequestStatus.in_review, RequestStatus.closed}),
    RequestStatus.in_review: frozenset({RequestStatus.closed}),
    RequestStatus.referred: frozenset({RequestStatus.closed}),
    RequestStatus.closed: frozenset(),
}
REFERABLE = frozenset({RequestStatus.new, RequestStatus.in_review, RequestStatus.referred})


def a(status: StrEnum) -> str:
    """The status as an English noun phrase starts: "An in-review", "A sent"."""
    words = status.replace("_", "-")
    return f"{'An' if words[0] in 'aeiou' else 'A'} {words}"
