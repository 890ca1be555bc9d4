"""Query parameters of the registry's list endpoints."""

from pydantic import BaseModel, ConfigDict

from referrals.registry.vocab import Condition, Modality, Payer, Program, Role
from referrals.schemas import LanguageCode, Limit, Offset, PublicId, StateCode, ZipCode


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
    npi: str | None = None


class SiteFilters(PageParams):
    state: StateCode | None = None
    postal_code: ZipCode | None = None


class CareTeamFilters(PageParams):
    site_id: PublicId | None = None
    provider_id: PublicId | None = None
    state: StateCode | None = None
    active: bool | None = None
    accepting_new_patients: bool | None = None
    modality: list[Modality] = []
    condition: list[Condition] = []
    insurance: Payer | None = None
    program: Program | None = None
