"""Query parameters of the registry's list endpoints."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from referrals.registry.schemas import Npi
from referrals.registry.vocab import Condition, Modality, Payer, Program, Role
from referrals.schemas import Distinct, LanguageCode, Limit, Offset, PublicId, StateCode, ZipCode


class PageParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Limit = 20
    offset: Offset = 0

    def filters(self) -> dict:
        """The filter values that were given, without the paging ones."""
        return self.model_dump(exclude={"limit", "offset"}, exclude_none=True)


class ProviderFilters(PageParams):
    role: Role | None = None
    state: StateCode | None = None
    language: LanguageCode | None = None
    accepting_new_patients: bool | None = None
    npi: Npi | None = None


class SiteFilters(PageParams):
    state: StateCode | None = None
    postal_code: ZipCode | None = None


class CareTeamFilters(PageParams):
    site_id: PublicId | None = None
    provider_id: PublicId | None = None
    state: StateCode | None = None
    active: bool | None = None
    accepting_new_patients: bool | None = None
    modality: Annotated[list[Modality], Distinct, Field(max_length=len(Modality))] = []
    condition: Annotated[list[Condition], Distinct, Field(max_length=len(Condition))] = []
    insurance: Payer | None = None
    program: Program | None = None
