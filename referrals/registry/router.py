"""Registry endpoints: providers, sites and care teams (staff read, admins write)."""

from typing import Annotated

from fastapi import APIRouter, Response, status

from referrals.deps import AdminKey, SessionDep, SettingsDep, StaffKey
from referrals.query import from_query
from referrals.registry import service
from referrals.registry.filters import CareTeamFilters, ProviderFilters, SiteFilters
from referrals.registry.models import CareTeam, Provider, Site
from referrals.registry.schemas import (
    CareTeamCreate,
    CareTeamRead,
    CareTeamUpdate,
    ProviderCreate,
    ProviderRead,
    ProviderUpdate,
    SiteCreate,
    SiteRead,
    SiteUpdate,
)
from referrals.schemas import Page

router = APIRouter()


@router.post("/providers", status_code=status.HTTP_201_CREATED, tags=["providers"])
def create_provider(data: ProviderCreate, session: SessionDep, _: AdminKey) -> ProviderRead:
    """Add a provider to the registry."""
    return service.create_provider(session, data=data)


@router.get("/providers", tags=["providers"])
def list_providers(
    _: StaffKey,
    params: Annotated[ProviderFilters, from_query(ProviderFilters)],
    session: SessionDep,
) -> Page[ProviderRead]:
    """List providers, filtered by role, licensed state, language or intake status."""
    return service.page(
        session,
        service.provider_query(**params.filters()),
        limit=params.limit,
        offset=params.offset,
    )


@router.get("/providers/{provider_id}", tags=["providers"])
def read_provider(provider_id: str, session: SessionDep, _: StaffKey) -> ProviderRead:
    """One provider."""
    return service.get(session, Provider, provider_id)


@router.patch("/providers/{provider_id}", tags=["providers"])
def update_provider(
    provider_id: str, data: ProviderUpdate, session: SessionDep, _: AdminKey
) -> ProviderRead:
    """Change some of a provider's details."""
    provider = service.get(session, Provider, provider_id, for_update=True)
    return service.update_provider(session, provider=provider, data=data)


@router.delete(
    "/providers/{provider_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["providers"]
)
def delete_provider(provider_id: str, session: SessionDep, _: AdminKey) -> Response:
    """Remove a provider who is on no care team."""
    service.delete(session, service.get(session, Provider, provider_id, for_update=True))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/sites", status_code=status.HTTP_201_CREATED, tags=["sites"])
def create_site(
    data: SiteCreate, session: SessionDep, settings: SettingsDep, _: AdminKey
) -> SiteRead:
    """Add a clinic site; without lat/lon it is geocoded from its address or ZIP code."""
    return service.create_site(session, data=data, settings=settings)


@router.get("/sites", tags=["sites"])
def list_sites(
    _: StaffKey, params: Annotated[SiteFilters, from_query(SiteFilters)], session: SessionDep
) -> Page[SiteRead]:
    """List clinic sites, filtered by state or ZIP code."""
    return service.page(
        session, service.site_query(**params.filters()), limit=params.limit, offset=params.offset
    )


@router.get("/sites/{site_id}", tags=["sites"])
def read_site(site_id: str, session: SessionDep, _: StaffKey) -> SiteRead:
    """One clinic site."""
    return service.get(session, Site, site_id)


@router.patch("/sites/{site_id}", tags=["sites"])
def update_site(
    site_id: str, data: SiteUpdate, session: SessionDep, settings: SettingsDep, _: AdminKey
) -> SiteRead:
    """Change some of a site's details; a new address without lat/lon moves it there."""
    site = service.get(session, Site, site_id, for_update=True)
    return service.update_site(session, site=site, data=data, settings=settings)


@router.delete("/sites/{site_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["sites"])
def delete_site(site_id: str, session: SessionDep, _: AdminKey) -> Response:
    """Remove a site that hosts no care team."""
    service.delete(session, service.get(session, Site, site_id, for_update=True))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/care-teams", status_code=status.HTTP_201_CREATED, tags=["care teams"])
def create_care_team(data: CareTeamCreate, session: SessionDep, _: AdminKey) -> CareTeamRead:
    """Add a care team: a psychiatrist and an anesthesia provider at a site."""
    return service.create_care_team(session, data=data)


@router.get("/care-teams", tags=["care teams"])
def list_care_teams(
    _: StaffKey,
    params: Annotated[CareTeamFilters, from_query(CareTeamFilters)],
    session: SessionDep,
) -> Page[CareTeamRead]:
    """List care teams, filtered by site, provider, state, status or what they offer."""
    return service.page(
        session,
        service.care_team_query(**params.filters()),
        limit=params.limit,
        offset=params.offset,
    )


@router.get("/care-teams/{care_team_id}", tags=["care teams"])
def read_care_team(care_team_id: str, session: SessionDep, _: StaffKey) -> CareTeamRead:
    """One care team."""
    return service.get(session, CareTeam, care_team_id)


@router.patch("/care-teams/{care_team_id}", tags=["care teams"])
def update_care_team(
    care_team_id: str, data: CareTeamUpdate, session: SessionDep, _: AdminKey
) -> CareTeamRead:
    """Change some of a care team's details."""
    team = service.get(session, CareTeam, care_team_id, for_update=True)
    return service.update_care_team(session, team=team, data=data)


@router.delete(
    "/care-teams/{care_team_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["care teams"]
)
def delete_care_team(care_team_id: str, session: SessionDep, _: AdminKey) -> Response:
    """Remove a care team."""
    service.delete(session, service.get(session, CareTeam, care_team_id, for_update=True))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
