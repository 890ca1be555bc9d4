"""The intake form's body (SPEC §4 "Intake") and what staff read back."""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StrictBool
from pydantic_core import PydanticCustomError

from referrals.geo.gazetteer import unplaced, zip_place
from referrals.matching.schemas import AnesthesiaType, Radius
from referrals.registry.schemas import OLDEST_AGE, Price
from referrals.registry.vocab import Condition, Gender, Modality, Payer, Program
from referrals.schemas import (
    Email,
    LanguageCode,
    Name,
    PhoneNumber,
    PublicId,
    RequestModel,
    WithoutControl,
    ZipCode,
)

ShortText = Annotated[str, Field(max_length=2000), WithoutControl]


class PreferredContact(StrEnum):
    email = "email"
    phone = "phone"
    text = "text"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _written(value: object) -> object:
    """A date as people and JSON write one, 1984-02-29: pydantic would read a number, or
    digits in a string, as a Unix time."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_type", "Input should be a valid date")


def _born(value: date) -> date:
    today = date.today()
    if value > today:
        raise ValueError("must not be in the future")
    if value.year < today.year - OLDEST_AGE:
        raise ValueError(f"must be within the last {OLDEST_AGE} years")
    return value


class Patient(RequestModel):
    first_name: Name
    last_name: Name
    date_of_birth: Annotated[date, BeforeValidator(_written), AfterValidator(_born)]
    email: Email | None = None
    phone: PhoneNumber | None = None
    preferred_contact: PreferredContact = PreferredContact.email


class PatientRead(BaseModel):
    """The patient as stored: checked at intake, not again against a later day's date."""

    first_name: str
    last_name: str
    date_of_birth: date
    email: str | None
    phone: str | None
    preferred_contact: PreferredContact


class IntakePreferences(RequestModel):
    modalities: Annotated[list[Modality], Field(max_length=5)] = []
    insurance: Payer | None = None
    max_price_usd: Price | None = None
    language: LanguageCode | None = None
    psychiatrist_gender: Gender | None = None
    anesthesia_type: AnesthesiaType | None = None
    telehealth: bool | None = None
    program: Program | None = None


class Clinical(RequestModel):
    conditions: Annotated[list[Condition], Field(max_length=6)] = []
    pcl5_score: Annotated[int, Field(ge=0, le=80)] | None = None
    substance_use_history: bool | None = None
    psychosis_history: bool | None = None
    uncontrolled_hypertension: bool | None = None
    cardiovascular_history: bool | None = None
    pregnant: bool | None = None
    current_medications: ShortText | None = None
    notes: ShortText | None = None


def _known(zip_code: str) -> str:
    """Checked with the other fields, so that one answer names every field to fix."""
    if zip_place(zip_code) is None:
        raise ValueError(unplaced(zip_code))
    return zip_code


def _consented(value: bool) -> bool:
    if value is not True:
        raise ValueError("must be true: the request is shared with care teams only with consent")
    return value


class IntakeCreate(RequestModel):
    patient: Patient
    postal_code: Annotated[ZipCode, AfterValidator(_known)]
    radius_miles: Radius = 50
    preferences: IntakePreferences = IntakePreferences()
    clinical: Clinical = Clinical()
    # consent and a clearance are a JSON true, never a string or number read as one
    consent_to_share: Annotated[StrictBool, AfterValidator(_consented)]


class RequestStatus(StrEnum):
    new = "new"
    in_review = "in_review"
    referred = "referred"
    closed = "closed"


class IntakeReceipt(BaseModel):
    """All the public endpoint answers: nothing the patient sent."""

    id: str
    status: RequestStatus
    received_at: datetime


class ScreeningFlag(StrEnum):
    psychosis_history = "psychosis_history"
    uncontrolled_hypertension = "uncontrolled_hypertension"
    cardiovascular_history = "cardiovascular_history"
    pregnant = "pregnant"
    substance_use_history = "substance_use_history"
    suicidal_ideation = "suicidal_ideation"
    below_minimum_age = "below_minimum_age"


class ReviewCreate(RequestModel):
    cleared: StrictBool
    note: ShortText | None = None


class Review(BaseModel):
    cleared: bool
    reviewed_at: datetime
    reviewer: PublicId


class ReferralSummary(BaseModel):
    id: str
    care_team_id: PublicId
    status: str
    created_at: datetime
    updated_at: datetime


class ReferralRequestSummary(BaseModel):
    """One line of the staff's list: who, when, where it stands."""

    id: str
    status: RequestStatus
    received_at: datetime
    flagged: bool
    cleared: bool
    first_name: str
    last_name: str
    postal_code: str


class ReferralRequestRead(ReferralRequestSummary):
    patient: PatientRead
    radius_miles: float
    preferences: IntakePreferences
    clinical: Clinical
    screening_flags: list[ScreeningFlag]
    review: Review | None
    referrals: list[ReferralSummary]
