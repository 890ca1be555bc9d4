"""The application factory."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from referrals import __version__, docs, problems
from referrals.audit.context import RequestId
from referrals.audit.router import router as audit_router
from referrals.config import Settings, get_settings
from referrals.db import check_writable, make_engine, make_sessionmaker
from referrals.deps import document
from referrals.geo import gazetteer
from referrals.headers import SecurityHeaders
from referrals.intake.page import router as intake_page
from referrals.intake.ratelimit import IntakeRateLimit
from referrals.intake.router import router as intake_router
from referrals.limits import BodySizeLimit
from referrals.matching.router import router as matching_router
from referrals.observability import REQUEST_ID_HEADER, AccessLog
from referrals.phi import cipher_for
from referrals.readers import Readers
from referrals.registry.router import router as registry_router
from referrals.workflow.router import router as workflow_router

health = APIRouter(tags=["health"])


@health.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@health.get("/readyz")
def readyz(request: Request) -> dict[str, str]:
    """Readiness: the database answers and takes writes (a read-only one fails intakes)."""
    with request.app.state.engine.connect() as connection:
        check_writable(connection)
    return {"status": "ok"}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.readers.start()  # they start while this process warms
    try:
        await run_in_threadpool(gazetteer.warm)
        await app.state.intake_rate_limit.check()
        # What is loaded by now (modules, the gazetteer's ~40 000 places) lives as long as
        # the process: keep it out of the collector's full passes, each of which would walk
        # it all. Garbage first, or it would be kept for good.
        gc.collect()
        gc.freeze()
        yield
    finally:
        app.state.readers.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured application with its own engine."""
    settings = settings or get_settings()
    app = FastAPI(
        title="referrals",
        version=__version__,
        description="Find, rank and track ketamine care teams for referred patients.",
        docs_url=None,  # `referrals.docs` serves the pages with their assets
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.readers = Readers(app.state.engine, warm=gazetteer.warm)
    app.state.cipher = cipher_for(settings)
    app.state.intake_rate_limit = IntakeRateLimit(
        settings.intake_rate_limit, settings.intake_rate_limit_storage
    )
    app.add_middleware(BodySizeLimit)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=[REQUEST_ID_HEADER, "Retry-After"],
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog)  # the outermost: it times and logs all of the above
    app.add_middleware(RequestId)  # but for the request id (the client's, if safe) it logs
    problems.install(app)
    if settings.docs_enabled:
        docs.install(app)
    app.include_router(health)
    app.include_router(intake_page)
    # routes are tried in order: the busiest first
    routers = (matching_router, registry_router, intake_router, workflow_router, audit_router)
    for router in routers:
        app.include_router(document(router), prefix="/api/v1")
    return app
