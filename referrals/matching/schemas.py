"""The search query and its ranked, explained answer."""

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from referrals.registry.schemas import Age, Latitude, Longitude, Price
from referrals.registry.vocab import Condition, Credential, Gender, Modality, Payer, Program, Role
from referrals.schemas import Distinct, LanguageCode, PublicId, ZipCode

Radius = Annotated[float, Field(ge=1, le=500, allow_inf_nan=False)]  # miles


class AnesthesiaType(StrEnum):
    anesthesiologist = "anesthesiologist"
    crna = "crna"


class MatchQuery(BaseModel):
    """A location (`postal_code`, or `lat` and `lon`), hard filters and soft preferences."""

    model_config = ConfigDict(extra="forbid")

    postal_code: ZipCode | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    radius_miles: Radius = 50
    modality: Annotated[list[Modality], Distinct, Field(max_length=len(Modality))] = []
    condition: Annotated[list[Condition], Distinct, Field(max_length=len(Condition))] = []
    insurance: Payer | None = None
    max_price_usd: Price | None = None
    language: LanguageCode | None = None
    patient_age: Age | None = None
    psychiatrist_gender: Gender | None = None
    anesthesia_type: AnesthesiaType | None = None
    telehealth: bool | None = None
    program: Program | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 10


class Origin(BaseModel):
    postal_code: str | None
    lat: float
    lon: float
    label: str


class TeamMember(BaseModel):
    id: PublicId
    first_name: str
    last_name: str
    credential: Credential
    role: Role
    gender: Gender | None
    languages: list[str]


class SiteSummary(BaseModel):
    id: PublicId
    name: str
    address_line1: str | None
    address_line2: str | None
    city: str
    state: str
    postal_code: str
    lat: float
    lon: float
    phone: str | None
    wheelchair_accessible: bool


class Match(BaseModel):
    care_team_id: PublicId
    rank: int
    score: float
    distance_miles: float
    psychiatrist: TeamMember
    anesthesia_provider: TeamMember
    site: SiteSummary
    modalities: list[Modality]
    conditions: list[Condition]
    insurance_accepted: list[Payer]
    programs: list[Program]
    self_pay_price_usd: int | None
    telehealth_consults: bool
    wait_days: int
    verified_at: AwareDatetime | None = Field(
        description="When staff last confirmed the team's details; None if never."
    )
    reasons: list[str]
    unmet_preferences: list[str]


class MatchResponse(BaseModel):
    origin: Origin
    radius_miles: float
    total: int
    matches: list[Match]
