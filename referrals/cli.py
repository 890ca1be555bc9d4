"""The `referrals` command."""

import contextlib
import json
import logging.config
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from referrals import limits, migrations, observability, phi, problems, rotation
from referrals.auth import service as auth
from referrals.auth.models import ApiKey, Role
from referrals.config import Settings, get_settings
from referrals.db import make_engine, make_sessionmaker
from referrals.errors import InvalidInput, NotFound
from referrals.matching import service as matching
from referrals.matching import table
from referrals.matching.schemas import MatchQuery
from referrals.registry import seeding
from referrals.registry.models import CareTeam
from referrals.registry.schemas import SeedFile

app = typer.Typer(
    help="Find, rank and track ketamine care teams.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
phi_app = typer.Typer(help="Encryption keys of patients' data.", no_args_is_help=True)
app.add_typer(phi_app, name="phi")
err = Console(stderr=True)


def _settings() -> Settings:
    """The settings; if one is wrong, each problem on a line of its own, and exit 2."""
    try:
        return get_settings()
    except ValidationError as exc:
        for error in problems.field_errors(exc.errors()):
            named = error.field in Settings.model_fields  # else a rule that names its settings
            setting = f"[red]REFERRALS_{error.field.upper()}[/red]: " if named else ""
            err.print(setting + error.message)
        raise typer.Exit(2) from None


def _sessionmaker():
    return make_sessionmaker(make_engine(_settings().database_url))


def _seed(path: Path) -> None:
    """Validate and load a registry file, with a progress bar on stderr."""
    try:
        seed = SeedFile.model_validate_json(path.read_bytes())
    except ValueError as exc:
        err.print(f"[red]{path} is not a valid registry file:[/red]\n{exc}")
        raise typer.Exit(1) from None
    total = len(seed.providers) + len(seed.sites) + len(seed.care_teams)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err) as progress:
        task = progress.add_task(f"Loading {path.name}", total=total)
        with _sessionmaker().begin() as session:
            try:
                counts = seeding.load(
                    session, seed=seed, progress=lambda n: progress.advance(task, n)
                )
            except InvalidInput as exc:
                problem = exc.problem()
                err.print(f"[red]{problem['detail']}[/red] {problem.get('errors')}")
                raise typer.Exit(1) from None
    err.print(
        f"Loaded {counts.providers} providers, {counts.sites} sites, "
        f"{counts.care_teams} care teams."
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    migrations.upgrade(_settings().database_url)
    err.print("Database is at the newest schema.")


@app.command()
def seed(
    file: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, help="A registry JSON file; default: the bundled demo."
        ),
    ] = None,
) -> None:
    """Load (upsert) a registry file into the database."""
    migrations.upgrade(_settings().database_url)
    _seed(file or _settings().seed_file)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    seed: Annotated[
        bool, typer.Option("--seed", help="Load the bundled demo registry if it is empty.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Migrate the database, then serve the API; logs are JSON lines on stderr."""
    settings = _settings()
    log_config = observability.logging_config(settings.log_level)
    logging.config.dictConfig(log_config)
    migrations.upgrade(settings.database_url)
    if seed:
        with _sessionmaker()() as session:
            empty = not session.scalar(select(func.count()).select_from(CareTeam))
        if empty:
            _seed(settings.seed_file)
    uvicorn.run(
        "referrals.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=limits.HTTP_PARSER,
        log_config=log_config,  # each worker process applies it
        log_level=settings.log_level.lower(),
        access_log=False,  # uvicorn's access line holds the full path and query string
    )


# the location's fields, as the service's messages name them ("or lat and lon is required")
_LOCATION_FIELDS = re.compile(r"\b(postal_code|lat|lon)\b")


@app.command()
def match(
    postal_code: Annotated[str | None, typer.Option(help="The patient's 5-digit ZIP.")] = None,
    lat: Annotated[float | None, typer.Option(help="Or a latitude...")] = None,
    lon: Annotated[float | None, typer.Option(help="...and a longitude.")] = None,
    radius: Annotated[float, typer.Option(help="Miles.")] = 50,
    modality: Annotated[list[str] | None, typer.Option(help="Offers any of (repeat).")] = None,
    condition: Annotated[list[str] | None, typer.Option(help="Treats all of (repeat).")] = None,
    insurance: Annotated[str | None, typer.Option(help="Accepts this payer.")] = None,
    max_price: Annotated[int | None, typer.Option(help="Self-pay USD at most.")] = None,
    language: Annotated[str | None, typer.Option(help="Psychiatrist speaks (ISO 639-1).")] = None,
    age: Annotated[int | None, typer.Option(help="The patient's age.")] = None,
    gender: Annotated[str | None, typer.Option(help="Preferred psychiatrist gender.")] = None,
    anesthesia: Annotated[
        str | None, typer.Option(help="Preferred: anesthesiologist|crna.")
    ] = None,
    telehealth: Annotated[bool, typer.Option(help="Prefer telehealth consults.")] = False,
    program: Annotated[str | None, typer.Option(help="Preferred program, e.g. veterans.")] = None,
    limit: Annotated[int, typer.Option(help="How many teams.")] = 10,
) -> None:
    """Search the registry like GET /matches and print a table."""
    given = {  # MatchQuery's field: (this command's option, its value)
        "postal_code": ("--postal-code", postal_code),
        "lat": ("--lat", lat),
        "lon": ("--lon", lon),
        "radius_miles": ("--radius", radius),
        "modality": ("--modality", modality or []),
        "condition": ("--condition", condition or []),
        "insurance": ("--insurance", insurance),
        "max_price_usd": ("--max-price", max_price),
        "language": ("--language", language),
        "patient_age": ("--age", age),
        "psychiatrist_gender": ("--gender", gender),
        "anesthesia_type": ("--anesthesia", anesthesia),
        "telehealth": ("--telehealth", telehealth or None),
        "program": ("--program", program),
        "limit": ("--limit", limit),
    }
    migrations.upgrade(_settings().database_url)
    try:
        query = MatchQuery(**{k: v for k, (_, v) in given.items() if v is not None})
        with _sessionmaker()() as session:
            answer = matching.find_matches(session, query=query)
    except (ValidationError, InvalidInput) as exc:
        invalid = (
            problems.field_errors(exc.errors()) if isinstance(exc, ValidationError) else exc.errors
        )
        for error in invalid:
            option = given[error.field.split(".")[0]][0]  # "modality.1" is --modality's 2nd
            message = _LOCATION_FIELDS.sub(lambda field: given[field[0]][0], error.message)
            err.print(f"[red]{option}[/red]: {message}")
        raise typer.Exit(2) from None
    Console().print(table.render(answer))


@phi_app.command("new-key")
def phi_new_key() -> None:
    """Print a new key for REFERRALS_PHI_KEY on stdout."""
    sys.stdout.write(phi.new_key() + "\n")


@phi_app.command("rotate-key")
def phi_rotate_key() -> None:
    """Re-encrypt every patient record with the newest key, in small batches.

    With REFERRALS_PHI_KEY: put the new key first ("new,old"), restart the service, run
    this, then drop the old key. With the development key file: a new key is made here and
    a running service starts writing with it at once; the previous key stays in the file
    for what the service wrote with it during the run, and the next rotation retires it.
    """
    settings = _settings()
    migrations.upgrade(settings.database_url)
    path = None if settings.phi_key is not None else phi.key_file(settings)
    try:
        with phi.rotating(path) if path is not None else contextlib.nullcontext():
            _rotate(settings, path)
    except phi.RotationRunning as busy:
        err.print(f"[red]{busy}[/red]; nothing was changed.")
        raise typer.Exit(1) from None


def _rotate(settings: Settings, path: Path | None) -> None:
    cipher = phi.cipher_for(settings)  # it makes the key file if there is none yet
    if path is not None:  # the cipher reads the file again, with the new key first
        phi.write_key_file(path, [phi.new_key(), *phi.keys_in(path)])
    with Progress(TextColumn("{task.description}"), TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task("Re-encrypting", total=None)
        count = rotation.rotate(_sessionmaker(), cipher, lambda n: bar.advance(task, n))
    err.print(f"Re-encrypted {count} value{'' if count == 1 else 's'} with the newest key.")
    if path is not None:
        phi.write_key_file(path, phi.keys_in(path)[:2])
        err.print(f"The previous key stays in {path} until the next rotation.")


_KEY_NAME_LENGTH = ApiKey.__table__.c.name.type.length


def _key_name(name: str) -> str:
    """The name the audit log shows for the key's requests: some text, and not too long."""
    name = name.strip()
    if not 0 < len(name) <= _KEY_NAME_LENGTH:
        raise typer.BadParameter(f"must be 1 to {_KEY_NAME_LENGTH} characters")
    return name


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="What the key may do.")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.", callback=_key_name)],
) -> None:
    """Create an API key and print it once on stdout."""
    migrations.upgrade(_settings().database_url)
    with _sessionmaker().begin() as session:
        api_key, plain = auth.create_key(session, name=name, role=role)
        err.print(
            f"Created {role} key {api_key.id} for {escape(json.dumps(name))}; it is shown once."
        )
    sys.stdout.write(plain + "\n")


@keys_app.command("list")
def keys_list() -> None:
    """List the API keys (never the keys themselves): id, role, name, made, revoked."""
    migrations.upgrade(_settings().database_url)
    listing = Table("id", "role", "name", "created", "status", box=None)
    with _sessionmaker()() as session:
        for api_key in auth.list_keys(session):
            revoked = api_key.revoked_at
            status = f"revoked {revoked:%Y-%m-%d %H:%M}" if revoked else "live"
            created = f"{api_key.created_at:%Y-%m-%d %H:%M}"
            listing.add_row(str(api_key.id), api_key.role, escape(api_key.name), created, status)
    Console().print(listing)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id, as `keys list` shows it.")],
) -> None:
    """Revoke an API key: requests carrying it are refused from now on."""
    migrations.upgrade(_settings().database_url)
    with _sessionmaker().begin() as session:
        try:
            api_key = auth.revoke_key(session, key_id=key_id)
        except NotFound as missing:
            err.print(f"[red]{missing.detail}[/red]")
            raise typer.Exit(1) from None
        err.print(
            f"Revoked {api_key.role} key {api_key.id} for {escape(json.dumps(api_key.name))}."
        )


@app.command()
def bench(
    care_teams: Annotated[int, typer.Option(min=1, help="Care teams to generate.")] = 100_000,
    searches: Annotated[int, typer.Option(min=1, help="Searches to time.")] = 2_000,
    database_url: Annotated[
        str | None,
        typer.Option(help="A PostgreSQL server URL to bench on (a temporary database on it)."),
    ] = None,
    http_seconds: Annotated[
        float, typer.Option(min=0.1, help="Seconds of HTTP load per endpoint.")
    ] = 5,
    workers: Annotated[
        int, typer.Option(min=1, help="uvicorn workers serving the HTTP phases.")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Time searches on a synthetic registry beside a plain-SQL floor (SPEC §6)."""
    from referrals.bench import report, runner  # the bench's imports serve no other command

    results = runner.run(
        care_teams=care_teams,
        searches=searches,
        server_url=database_url,
        http_seconds=http_seconds,
        http_workers=workers,
        console=err,
    )
    if as_json:
        sys.stdout.write(results.as_json() + "\n")
    else:
        Console().print(report.table(results))


def main() -> None:
    """The `referrals` command. A database it cannot use (down, unreachable, a file it may
    not open) is said in a few lines, with the URL it tried, and exit 1: not a traceback."""
    try:
        app()
    except OperationalError as exc:
        url = make_url(_settings().database_url).render_as_string(hide_password=True)
        err.print(f"[red]The database could not be used[/red] ({escape(url)}):")
        err.print(escape(str(exc.orig).strip()), highlight=False, soft_wrap=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
