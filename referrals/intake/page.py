"""The public intake page (`GET /intake`): a form rendered from the intake vocabulary.

The option lists come from the enumerations and the labels staff already read
(`referrals.matching.explain`), so the page and the API cannot drift apart. The page is
static HTML plus two local assets, under a strict Content-Security-Policy.
"""

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import jinja2
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from referrals.errors import NotFound
from referrals.headers import SAME_ORIGIN_ONLY, content_security_policy
from referrals.intake.schemas import IntakeCreate, Patient, PreferredContact
from referrals.matching.explain import (
    ANESTHESIA,
    CONDITIONS,
    MODALITIES,
    PAYERS,
    PROGRAMS,
    language_name,
)
from referrals.matching.schemas import AnesthesiaType
from referrals.registry.vocab import Gender, Payer, Role
from referrals.schemas import LANGUAGES

router = APIRouter(tags=["intake page"], include_in_schema=False)

_HERE = Path(__file__).parent
_STATIC = _HERE / "static"
_ASSETS = {
    "intake.css": "text/css; charset=utf-8",
    "intake.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

PAGE_HEADERS = {
    "Content-Security-Policy": content_security_policy(SAME_ORIGIN_ONLY),
    "Cache-Control": "no-store",  # the page is where PHI is typed: keep it out of caches
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_ASSET_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}

RADIUS_MILES = (10, 25, 50, 100, 250, 500)
NAME_MAX_LENGTH = 100  # `referrals.schemas.Name`
TEXT_MAX_LENGTH = 2000  # `referrals.intake.schemas.ShortText`
CONTACT_LABELS = {
    PreferredContact.email: "E-mail",
    PreferredContact.phone: "Phone call",
    PreferredContact.text: "Text message",
}


def _as_option(label: str) -> str:
    """A phrase from a sentence as an option: "a veterans program" → "Veterans program"."""
    for article in ("a ", "an "):
        if label.startswith(article):
            label = label.removeprefix(article)
            break
    return label[:1].upper() + label[1:]


def _options(labels: Mapping) -> list[tuple[str, str]]:
    return [(str(value), _as_option(label)) for value, label in labels.items()]


def _payers() -> list[tuple[str, str]]:
    """Insurers alphabetically, paying yourself last."""
    return sorted(_options(PAYERS), key=lambda o: (o[0] == Payer.self_pay, o[1].lower()))


def _languages() -> list[tuple[str, str]]:
    return sorted(((code, language_name(code)) for code in LANGUAGES), key=lambda o: o[1])


def _context() -> dict:
    return {
        "today": date.today().isoformat(),
        "name_max_length": NAME_MAX_LENGTH,
        "text_max_length": TEXT_MAX_LENGTH,
        "contact_options": [(str(c), label) for c, label in CONTACT_LABELS.items()],
        "default_contact": str(Patient.model_fields["preferred_contact"].default),
        "radius_options": [(str(miles), f"Within {miles} miles") for miles in RADIUS_MILES],
        "default_radius": str(int(IntakeCreate.model_fields["radius_miles"].default)),
        "modality_options": _options(MODALITIES),
        "condition_options": _options(CONDITIONS),
        "payer_options": _payers(),
        "program_options": _options(PROGRAMS),
        "language_options": _languages(),
        "gender_options": [(str(g), str(g).capitalize()) for g in Gender],
        "anesthesia_options": [
            (str(t), _as_option(ANESTHESIA[Role(t.value)])) for t in AnesthesiaType
        ],
        "yes_no_options": [("true", "Yes"), ("false", "No"), ("", "Prefer not to say")],
    }


@router.get("/intake", response_class=HTMLResponse)
def intake_page() -> HTMLResponse:
    """The intake form."""
    html = _templates.get_template("intake.html").render(_context())
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/intake/assets/{name}")
def intake_asset(name: str) -> FileResponse:
    """The page's stylesheet and script; nothing else under the folder is served."""
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFound("No such asset.")
    return FileResponse(_STATIC / name, media_type=media_type, headers=_ASSET_HEADERS)
