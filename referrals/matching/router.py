"""`GET /matches`: the staff's ad-hoc search."""

from typing import Annotated

from fastapi import APIRouter

from referrals.deps import SessionDep, StaffKey
from referrals.matching import service
from referrals.matching.schemas import MatchQuery, MatchResponse
from referrals.query import from_query

router = APIRouter(tags=["matching"])


@router.get("/matches")
def matches(
    query: Annotated[MatchQuery, from_query(MatchQuery)], session: SessionDep, _: StaffKey
) -> MatchResponse:
    """Care teams near a ZIP code or point that pass the filters, best first, with reasons."""
    return service.find_matches(session, query=query)
