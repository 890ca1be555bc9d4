"""Request dependencies: the settings, the database session and role-gated API keys."""

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from referrals import query
from referrals.auth import service as auth
from referrals.auth.models import Role
from referrals.config import Settings
from referrals.phi import PhiCipher


def app_settings(request: Request) -> Settings:
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
    with anyio.CancelScope(shield=True):  # a client gone away still gets its session ended
        await anyio.to_thread.run_sync(_end, session, commit)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed before the response is sent, rolled back on error.

    Opening a session does no I/O, so it happens on the event loop; ending it does (a
    commit may wait for the disk or the server), so that runs in the thread pool.
    """
    session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        await _ended(session, commit=False)
        raise
    await _ended(session, commit=True)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
_bearer = HTTPBearer(auto_error=False, description="An API key made with `referrals keys create`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _key_with(role: Role):
    def dependency(session: SessionDep, credentials: Credentials) -> auth.Caller:
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


def get_cipher(request: Request) -> PhiCipher:
    return request.app.state.cipher


CipherDep = Annotated[PhiCipher, Depends(get_cipher)]
