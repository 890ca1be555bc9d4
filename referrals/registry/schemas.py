"""Request and response shapes of the registry."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, ClassVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from referrals.registry import npi
from referrals.registry.vocab import Condition, Credential, Gender, Modality, Payer, Program, Role
from referrals.schemas import (
    Email,
    LanguageCode,
    Name,
    NoControl,
    PhoneNumber,
    PublicId,
    ReadModel,
    RequestModel,
    Slug,
    StateCode,
    ZipCode,
)


def _npi(value: str) -> str:
    if not npi.is_valid(value):
        raise ValueError("must be a 10-digit NPI with a valid check digit")
    return value


Npi = Annotated[str, Field(pattern=r"^[0-9]{10}$"), AfterValidator(_npi)]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoControl
]
# NaN compares false with every bound: without allow_inf_nan it would be "at most 90".
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Price = Annotated[int, Field(ge=0, le=100_000)]
WaitDays = Annotated[int, Field(ge=0, le=365)]
OLDEST_AGE = 120
Age = Annotated[int, Field(ge=0, le=OLDEST_AGE)]
Sorted = BeforeValidator(sorted)
# Staff confirm a team's details at some moment past; the allowance is for a clock ahead.
_CLOCK_AHEAD = timedelta(minutes=5)


def _past(value: datetime) -> datetime:
    if value > datetime.now(UTC) + _CLOCK_AHEAD:
        raise ValueError("must not be in the future")
    return value


VerifiedAt = Annotated[AwareDatetime, AfterValidator(_past)]


class UpdateModel(RequestModel):
    """A partial update: a field left out keeps its value; only `nullable` ones may be null."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null")
        return value


class ProviderFields(RequestModel):
    first_name: Name
    last_name: Name
    credential: Credential
    role: Role
    gender: Gender | None = None
    languages: Annotated[list[LanguageCode], Field(min_length=1, max_length=20)] = ["en"]
    licensed_states: Annotated[list[StateCode], Field(max_length=60)] = []
    email: Email | None = None
    phone: PhoneNumber | None = None
    accepting_new_patients: bool = True


class ProviderCreate(ProviderFields):
    npi: Npi


class ProviderUpdate(UpdateModel):
    nullable = frozenset({"gender", "email", "phone"})

    first_name: Name | None = None
    last_name: Name | None = None
    credential: Credential | None = None
    role: Role | None = None
    gender: Gender | None = None
    languages: Annotated[list[LanguageCode], Field(min_length=1, max_length=20)] | None = None
    licensed_states: Annotated[list[StateCode], Field(max_length=60)] | None = None
    email: Email | None = None
    phone: PhoneNumber | None = None
    accepting_new_patients: bool | None = None


class ProviderRead(ReadModel):
    id: PublicId
    npi: str
    first_name: str
    last_name: str
    credential: Credential
    role: Role
    gender: Gender | None
    languages: list[str]
    licensed_states: list[str]
    email: str | None
    phone: str | None
    accepting_new_patients: bool
    created_at: datetime
    updated_at: datetime


class SiteFields(RequestModel):
    name: Text
    address_line1: Text | None = None
    address_line2: Text | None = None
    city: Name
    state: StateCode
    postal_code: ZipCode
    lat: Latitude | None = None
    lon: Longitude | None = None
    phone: PhoneNumber | None = None
    wheelchair_accessible: bool = False


class SiteCreate(SiteFields):
    key: Slug


class SiteUpdate(UpdateModel):
    nullable = frozenset({"address_line1", "address_line2", "phone"})

    name: Text | None = None
    address_line1: Text | None = None
    address_line2: Text | None = None
    city: Name | None = None
    state: StateCode | None = None
    postal_code: ZipCode | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    phone: PhoneNumber | None = None
    wheelchair_accessible: bool | None = None


class SiteRead(ReadModel):
    id: PublicId
    key: str
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
    created_at: datetime
    updated_at: datetime


Modalities = Annotated[set[Modality], Field(min_length=1, max_length=len(Modality))]
Conditions = Annotated[set[Condition], Field(min_length=1, max_length=len(Condition))]
Payers = Annotated[set[Payer], Field(max_length=len(Payer))]
Programs = Annotated[set[Program], Field(max_length=len(Program))]


class CareTeamFields(RequestModel):
    modalities: Modalities
    conditions: Conditions
    insurance_accepted: Payers = set()
    self_pay_price_usd: Price | None = None
    telehealth_consults: bool = False
    accepting_new_patients: bool = True
    wait_days: WaitDays = 14
    min_patient_age: Age = 18
    programs: Programs = set()
    active: bool = True
    verified_at: VerifiedAt | None = None


class CareTeamCreate(CareTeamFields):
    key: Slug
    psychiatrist_id: PublicId
    anesthesia_provider_id: PublicId
    site_id: PublicId


class CareTeamUpdate(UpdateModel):
    nullable = frozenset({"self_pay_price_usd", "verified_at"})

    psychiatrist_id: PublicId | None = None
    anesthesia_provider_id: PublicId | None = None
    site_id: PublicId | None = None
    modalities: Modalities | None = None
    conditions: Conditions | None = None
    insurance_accepted: Payers | None = None
    self_pay_price_usd: Price | None = None
    telehealth_consults: bool | None = None
    accepting_new_patients: bool | None = None
    wait_days: WaitDays | None = None
    min_patient_age: Age | None = None
    programs: Programs | None = None
    active: bool | None = None
    verified_at: VerifiedAt | None = None


class CareTeamRead(ReadModel):
    id: PublicId
    key: str
    psychiatrist_id: PublicId
    anesthesia_provider_id: PublicId
    site_id: PublicId
    modalities: Annotated[list[Modality], Sorted]
    conditions: Annotated[list[Condition], Sorted]
    insurance_accepted: Annotated[list[Payer], Sorted]
    self_pay_price_usd: int | None
    telehealth_consults: bool
    accepting_new_patients: bool
    wait_days: int
    min_patient_age: int
    programs: Annotated[list[Program], Sorted]
    active: bool
    verified_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SeedCareTeam(CareTeamFields):
    key: Slug
    psychiatrist_npi: Npi
    anesthesia_provider_npi: Npi
    site_key: Slug


class SeedFile(RequestModel):
    providers: list[ProviderCreate] = []
    sites: list[SiteCreate] = []
    care_teams: list[SeedCareTeam] = []
