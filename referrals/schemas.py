"""Shared API shapes and validated field types."""

import re
from typing import Annotated, Generic, TypeVar

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

USPS_STATES = frozenset(
    sub.code.removeprefix("US-")
    for sub in pycountry.subdivisions.get(country_code="US")
    if sub.code != "US-UM"
)
LANGUAGES = frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


class RequestModel(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _state(value: str) -> str:
    if value not in USPS_STATES:
        raise ValueError("must be a USPS state or territory code such as NY")
    return value


_LANGUAGE_CODE = re.compile(r"[a-z]{2}")


def _language(value: str) -> str:
    if not _LANGUAGE_CODE.fullmatch(value):
        raise ValueError("must be a two-letter language code such as en")
    if value not in LANGUAGES:
        raise ValueError("is not a known language code (ISO 639-1, such as en)")
    return value


# [0-9], not \d: \d takes any script's digits, the full-width ones among them.
_ZIP = re.compile(r"^[0-9]{5}$")


def _zip(value: str) -> str:
    if not _ZIP.fullmatch(value):  # `$` alone lets a trailing newline through
        raise ValueError("must be a 5-digit ZIP code")
    return value


# Spaces, brackets and dashes (ASCII and Unicode), and the invisible direction marks that a
# number copied from a phone's contacts often carries.
_PHONE_PUNCTUATION = re.compile(
    r"[\s().\-\u2010-\u2015\u2212"  # dashes and minus
    r"\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # direction marks
)
_US_PHONE = re.compile(r"^\+?1?([2-9][0-9]{9})$")


def _phone(value: str) -> str:
    match = _US_PHONE.match(_PHONE_PUNCTUATION.sub("", value))
    if match is None:
        raise ValueError("must be a 10-digit US phone number")
    return "+1" + match.group(1)


# C0 controls and DEL, but for tab and line breaks: PostgreSQL cannot store a NUL in text,
# and the others are no part of a name, an address or a note.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _without_control(value: str) -> str:
    """Free text as the patient or staff meant it: what Word or a PDF pastes as a page or
    line break (form feed, vertical tab) is a line break, and the other controls, which
    no one can see nor fix, are dropped."""
    return _CONTROL.sub("", value.replace("\f", "\n").replace("\v", "\n"))


NoControl = AfterValidator(_no_control)
WithoutControl = AfterValidator(_without_control)


def _distinct(values: list) -> list:
    """A list filter's repeated value counts once, where it first came."""
    return list(dict.fromkeys(values))


# After the items' validation, so that an error names the item as sent; before a length
# limit, which is then the number of distinct choices there are.
Distinct = AfterValidator(_distinct)

StateCode = Annotated[str, BeforeValidator(_upper), Field(max_length=2), AfterValidator(_state)]
# The checks with their own words come first: constraints after them are only documented.
LanguageCode = Annotated[
    str, BeforeValidator(_lower), AfterValidator(_language), Field(max_length=2)
]
PhoneNumber = Annotated[str, Field(max_length=32), AfterValidator(_phone)]
ZipCode = Annotated[str, AfterValidator(_zip), Field(json_schema_extra={"pattern": _ZIP.pattern})]
Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoControl
]
PublicId = Annotated[
    str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v), Field(max_length=32)
]
Email = Annotated[EmailStr, Field(max_length=254)]  # RFC 5321's longest forward path
Limit = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=0, le=2**31 - 1)]  # a larger one overflows SQL integers
