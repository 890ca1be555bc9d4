"""Request dependencies: the settings, the database session and role-gated API keys.

Those that do no I/O are `async`: FastAPI runs a plain function in the thread pool, and
each trip there and back costs more than the work.
"""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from referrals.auth import service as auth
from referrals.auth.models import ApiKey, Role
from referrals.config import Settings
from referrals.phi import PhiCipher


async def app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed before the response is sent, rolled back on error.

    A session holds no connection until it is used; what talks to the database, the commit
    and the rollback, runs in the thread pool. After `call_and_commit` there is nothing left
    to commit.
    """
    with request.app.state.sessionmaker() as session:
        try:
            yield session
            if session.in_transaction():
                await run_in_threadpool(session.commit)
        except BaseException:
            await run_in_threadpool(session.rollback)
            raise


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
T = TypeVar("T")


async def call_and_commit(session: Session, service: Callable[..., T], /, **kwargs) -> T:
    """`service(session, **kwargs)` and the commit, in one trip to the thread pool.

    For a route whose write holds SQLite's write lock: between a plain route's return and
    the commit in `get_session`, the event loop and the thread pool each take a turn while
    every other writer waits. After an error, `get_session` rolls back as usual.
    """

    def run() -> T:
        result = service(session, **kwargs)
        session.commit()
        return result

    return await run_in_threadpool(run)


_bearer = HTTPBearer(auto_error=False, description="An API key made with `referrals keys create`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _key_with(role: Role):
    def dependency(session: SessionDep, credentials: Credentials) -> ApiKey:
        key = credentials.credentials if credentials else None
        return auth.authenticate(session, key=key, required=role)

    dependency.required_role = role
    return dependency


def _required_role(dependant: Dependant) -> Role | None:
    for dependency in dependant.dependencies:
        role = getattr(dependency.call, "required_role", None) or _required_role(dependency)
        if role:
            return role
    return None


def document_roles(router: APIRouter) -> APIRouter:
    """Name each route's required role in OpenAPI as `x-required-role`."""
    for route in router.routes:
        if isinstance(route, APIRoute) and (role := _required_role(route.dependant)):
            route.openapi_extra = (route.openapi_extra or {}) | {"x-required-role": str(role)}
    return router


StaffKey = Annotated[ApiKey, Depends(_key_with(Role.staff))]
AdminKey = Annotated[ApiKey, Depends(_key_with(Role.admin))]


async def get_cipher(request: Request) -> PhiCipher:
    return request.app.state.cipher


CipherDep = Annotated[PhiCipher, Depends(get_cipher)]
