"""Every string a client may send has a maximum length, and every list a maximum size."""

import re
import socket

import pytest

from referrals.config import Settings
from referrals.main import create_app

# Their grammar bounds them: pydantic parses them to dates, never keeping the text.
BOUNDED_FORMATS = {"date", "date-time"}
_UNBOUNDED_QUANTIFIER = re.compile(r"[*+]|\{\d*,\}")


def _bounded_pattern(pattern: str) -> bool:
    return (
        pattern.startswith("^")
        and pattern.endswith("$")
        and not _UNBOUNDED_QUANTIFIER.search(pattern)
    )


def _walk(schema: dict, where: str, components: dict, seen: frozenset = frozenset()):
    """(where, problem) for each unbounded string or list, and each object open to extras."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _walk(components[name], f"{where}<{name}>", components, seen | {name})
        return
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _walk(alternative, where, components, seen)
    kind = schema.get("type")
    if kind == "string" and not (
        "maxLength" in schema
        or "enum" in schema
        or "const" in schema
        or schema.get("format") in BOUNDED_FORMATS
        or _bounded_pattern(schema.get("pattern", ""))
    ):
        yield where, "string without maxLength"
    if kind == "array":
        if "maxItems" not in schema:
            yield where, "array without maxItems"
        yield from _walk(schema.get("items", {}), f"{where}[]", components, seen)
    if kind == "object":
        if schema.get("additionalProperties") is not False:
            yield where, "object that accepts unknown fields"
        for name, field in schema.get("properties", {}).items():
            yield from _walk(field, f"{where}.{name}", components, seen)


@pytest.fixture(scope="module")
def openapi(tmp_path_factory) -> dict:
    database = tmp_path_factory.mktemp("openapi") / "unused.db"
    return create_app(Settings(database_url=f"sqlite:///{database}", docs_enabled=True)).openapi()


def _inputs(openapi: dict):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "header"):
                    where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                    yield where, parameter["schema"]
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield f"{method.upper()} {path} {media_type}", content["schema"]


def test_every_input_string_and_list_is_capped(openapi):
    components = openapi["components"]["schemas"]
    inputs = list(_inputs(openapi))
    assert len(inputs) > 20  # the walk saw the API
    problems = [p for where, schema in inputs for p in _walk(schema, where, components)]
    assert problems == []


@pytest.mark.parametrize(
    ("schema", "problems"),
    [
        ({"type": "string"}, 1),
        ({"type": "string", "pattern": "^[a-z]+$"}, 1),
        ({"type": "string", "pattern": r"^\d{5}$"}, 0),
        ({"type": "array", "items": {"type": "string", "maxLength": 2}}, 1),
        ({"type": "object", "properties": {"a": {"type": "integer"}}}, 1),
        ({"anyOf": [{"type": "string", "format": "email"}, {"type": "null"}]}, 1),
    ],
)
def test_the_walk_finds_what_is_unbounded(schema, problems):
    assert len(list(_walk(schema, "x", {}))) == problems


def _answer_to(url: str, request_head: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request_head)
        return connection.recv(100)


def test_the_server_refuses_megabytes_of_headers(live_server):
    """Headers are held in memory before any middleware runs: the HTTP parser bounds them."""
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: %s\r\n\r\n"
    assert _answer_to(live_server.url, head % (b"a" * 1_000)).startswith(b"HTTP/1.1 200")
    assert _answer_to(live_server.url, head % (b"a" * 2_000_000)).startswith(b"HTTP/1.1 400")
