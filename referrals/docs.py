"""The API docs, `/docs` (Swagger UI) and `/redoc`, with their scripts served by the app.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc's fonts from Google): a
clinic without internet would get a blank page. This is FastAPI's recipe "Self-hosting
JavaScript and CSS for docs", with the files that the `fastapi-offline` package ships, under
a Content-Security-Policy that lets the pages load nothing from elsewhere.
"""

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from referrals.headers import SAME_ORIGIN_ONLY, content_security_policy

ASSETS_URL = "/docs/assets"
_ASSETS = StaticFiles(packages=[("fastapi_offline", "static")])
# Swagger UI would send the OpenAPI document's address to an online validator.
_SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# Both draw icons from data: URLs; ReDoc styles itself with <style> elements it makes, and
# searches in a worker made from a blob:.
_SWAGGER_UI_POLICY = {"img-src": "'self' data:"}
_REDOC_POLICY = _SWAGGER_UI_POLICY | {"style-src": "'self' 'unsafe-inline'", "worker-src": "blob:"}


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _with_policy(page: HTMLResponse, policy: dict[str, str]) -> HTMLResponse:
    """`page` under the same-origin policy, loosened by `policy`; its inline scripts may run."""
    scripts = [_sha256(script) for script in _INLINE_SCRIPT.findall(page.body.decode())]
    directives = SAME_ORIGIN_ONLY | {"script-src": " ".join(["'self'", *scripts])} | policy
    page.headers["Content-Security-Policy"] = content_security_policy(directives)
    return page


def _page(
    render: Callable[..., HTMLResponse],
    policy: dict[str, str],
    *,
    openapi_url: str,
    assets: dict[str, str],
    **options: Any,
) -> Callable[[Request], Awaitable[HTMLResponse]]:
    """An endpoint that renders a docs page with `assets` (argument → file) served here."""

    async def endpoint(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        urls = {argument: f"{root}{ASSETS_URL}/{name}" for argument, name in assets.items()}
        return _with_policy(render(openapi_url=root + openapi_url, **urls, **options), policy)

    return endpoint


def install(app: FastAPI) -> None:
    """Serve `/docs` and `/redoc` for `app.openapi_url`, and the files they load."""
    assert app.openapi_url is not None, "the docs pages show the OpenAPI document"
    swagger_ui = _page(
        get_swagger_ui_html,
        _SWAGGER_UI_POLICY,
        openapi_url=app.openapi_url,
        assets={
            "swagger_js_url": "swagger-ui-bundle.js",
            "swagger_css_url": "swagger-ui.css",
            "swagger_favicon_url": "favicon.png",
        },
        title=f"{app.title} - Swagger UI",
        swagger_ui_parameters=_SWAGGER_UI_PARAMETERS,
    )
    redoc = _page(
        get_redoc_html,
        _REDOC_POLICY,
        openapi_url=app.openapi_url,
        assets={"redoc_js_url": "redoc.standalone.js", "redoc_favicon_url": "favicon.png"},
        title=f"{app.title} - ReDoc",
        with_google_fonts=False,
    )
    app.mount(ASSETS_URL, _ASSETS, name="docs-assets")
    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
