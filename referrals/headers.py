"""Headers on every answer: no MIME sniffing, no referrer, and no caching of API answers."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api/"
EVERY_ANSWER = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# A page's Content-Security-Policy: everything from the app itself, nothing from elsewhere.
SAME_ORIGIN_ONLY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(directives: dict[str, str]) -> str:
    """The header's value: `{"img-src": "'self'"}` → `img-src 'self'`."""
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


class SecurityHeaders:
    """ASGI middleware; a header a route set itself is kept, except caching on `/api/`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith(API_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in EVERY_ANSWER.items():
                    headers.setdefault(name, value)
                if api:
                    headers["Cache-Control"] = "no-store"  # answers can hold patients' data
            await send(message)

        await self.app(scope, receive, send_with_headers)
