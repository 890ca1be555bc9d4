"""Request dependencies: the settings, the database session and role-gated API keys.

Those that do no I/O are `async`: FastAPI runs a plain function in the thread pool, and
each trip there and back costs more than the work.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

import anyio
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from referrals import query
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.phi import PhiCipher


async def app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def _ended(session: Session, *, commit: bool) -> None:
    if not session.in_transaction():  # it holds no connection: nothing to say to the database
        session.close()
        return
    with anyio.CancelScope(shield=True):  # a client gone away still gets its session ended
        await anyio.to_thread.run_sync(_end, session, commit)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed before the response is sent, rolled back on error.

    A session holds no connection until it is used, so it opens on the event loop; ending
    it talks to the database (a commit may wait for the disk or the server), so that runs
    in the thread pool. After `call_and_commit` there is nothing left to commit.
    """
    session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        await _ended(session, commit=False)
        raise
    await _ended(session, commit=True)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
T = TypeVar("T")
Q = TypeVar("Q", bound=BaseModel)


_SQLITE_WRITERS: RunVar[anyio.CapacityLimiter] = RunVar("referrals_sqlite_writers")


def _sqlite_writers() -> anyio.CapacityLimiter:
    """This event loop's turns for SQLite's writers: one at a time.

    A limiter belongs to the loop it was made on, so each loop (a server has one; each test
    client its own) keeps its own.
    """
    try:
        return _SQLITE_WRITERS.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(1)
        _SQLITE_WRITERS.set(limiter)
        return limiter


async def call_and_commit(session: Session, service: Callable[..., T], /, **kwargs) -> T:
    """`service(session, **kwargs)` and the commit, in one trip to the thread pool.

    For a route whose write holds SQLite's write lock: between a plain route's return and
    the commit in `get_session`, the event loop and the thread pool each take a turn while
    every other writer waits. After an error, `get_session` rolls back as usual.

    On SQLite these calls wait for their turn on the event loop and run one at a time:
    the writes take turns anyway, and threads waiting for the lock and for the GIL (the
    driver lets go of it at every statement) cost a third more CPU per request.
    """

    def run() -> T:
        result = service(session, **kwargs)
        session.commit()
        return result

    sqlite = session.get_bind().dialect.name == "sqlite"
    return await anyio.to_thread.run_sync(run, limiter=_sqlite_writers() if sqlite else None)


_bearer = HTTPBearer(auto_error=False, description="An API key made with `referrals keys create`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _key_with(role: Role):
    def dependency(session: SessionDep, credentials: Credentials) -> auth.Caller:
        return KeyCheck.of(credentials, role).caller(session)

    dependency.required_role = role
    return dependency


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """A request's key, checked in the route's own read (`checked_query`) rather than in a
    trip to a thread of the dependency's own."""

    key: str | None = field(repr=False)
    required: Role

    @classmethod
    def of(cls, credentials: HTTPAuthorizationCredentials | None, role: Role) -> "KeyCheck":
        return cls(credentials.credentials if credentials else None, role)

    def caller(self, session: Session) -> auth.Caller:
        """The caller, as `StaffKey` or `AdminKey` would give it: 401 or 403 if not allowed."""
        return auth.authenticate(session, key=self.key, required=self.required)


@dataclass(frozen=True, slots=True)
class CheckedQuery(Generic[Q]):
    """A request's key and query, checked when called with a session: the key, then the
    query. It can be pickled, to be called in a reader process (`referrals.readers`)."""

    key: KeyCheck
    validated: Callable[[], Q]

    def __call__(self, session: Session) -> Q:
        self.key.caller(session)
        return self.validated()


def checked_query(model: type[Q], role: Role) -> Any:
    """A dependency giving a `CheckedQuery`: it checks the request's key for `role`, then
    gives `model` validated from the query (`referrals.query`).

    For a hot route that reads in a reader of its own (`referrals.readers`): the key is
    checked there, in the route's one trip to the database, and first, so that a request
    with a bad key and a bad query gets 401, not 422. One dependency for both, not one each:
    FastAPI solves each on the event loop, at a cost per dependency.
    """
    parse = query.from_query(model, after_key=True).dependency

    async def dependency(request: Request, credentials: Credentials) -> CheckedQuery[Q]:
        return CheckedQuery(KeyCheck.of(credentials, role), await parse(request))

    dependency.required_role = role
    dependency.query_model = model
    return Depends(dependency)


def _required_role(dependant: Dependant) -> Role | None:
    for dependency in dependant.dependencies:
        role = getattr(dependency.call, "required_role", None) or _required_role(dependency)
        if role:
            return role
    return None


def _query_model(dependant: Dependant) -> type | None:
    for dependency in dependant.dependencies:
        if model := getattr(dependency.call, "query_model", None):
            return model
    return None


def document(router: APIRouter) -> APIRouter:
    """Declare in OpenAPI each route's required role (`x-required-role`) and the query
    parameters of its query model (see `referrals.query`)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        extra = route.openapi_extra or {}
        if role := _required_role(route.dependant):
            extra |= {"x-required-role": str(role)}
        if model := _query_model(route.dependant):
            extra |= {"parameters": query.parameters(model)}
        route.openapi_extra = extra or None
    return router


StaffKey = Annotated[auth.Caller, Depends(_key_with(Role.staff))]
AdminKey = Annotated[auth.Caller, Depends(_key_with(Role.admin))]


async def get_cipher(request: Request) -> PhiCipher:
    return request.app.state.cipher


CipherDep = Annotated[PhiCipher, Depends(get_cipher)]
