"""Requests larger than the API accepts are refused before they reach a route."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referrals.errors import ContentTooLarge
from referrals.problems import problem_response

MAX_BODY_BYTES = 64 * 1024
# uvicorn's HTTP/1.1 parser: h11 gives up on a request head still incomplete past 16 KiB
# (so one is held up to about a socket read, 64 KiB), where httptools would hold headers
# of any size in memory.
HTTP_PARSER = "h11"


class BodySizeLimit:
    """ASGI middleware: 413 for a body over `max_bytes`, declared or streamed.

    The body (at most `max_bytes`) is read here first, then handed on to the app.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > self.max_bytes
        messages: list[Message] = []
        size = 0
        while not too_large:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            too_large = size > self.max_bytes
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        if too_large:
            error = ContentTooLarge(f"The request body is larger than {self.max_bytes} bytes.")
            await problem_response(error)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
