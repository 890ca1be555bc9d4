"""Query-string models: validated by pydantic straight from the query string.

FastAPI can read a model from the query (`Annotated[Model, Query()]`), but it inspects
each field's annotation again on every request, which costs more than a whole search.
`from_query(Model)` validates the query string with the model at once, reports errors
as FastAPI does (locations under `query`), and `parameters(Model)` lists the model's
fields as OpenAPI query parameters, for `referrals.deps.document` to declare.
"""

from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError


def _takes_list(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, UnionType):
        return any(_takes_list(member) for member in get_args(annotation))
    return get_origin(annotation) is list


def from_query(model: type[BaseModel]) -> Any:
    """A dependency giving `model` validated from the query; a list field repeats its name."""
    fields = model.model_fields.items()
    lists = frozenset(
        field.alias or name for name, field in fields if _takes_list(field.annotation)
    )

    async def parse(request: Request) -> BaseModel:
        query = request.query_params
        data = {name: query.getlist(name) if name in lists else query[name] for name in query}
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            raise RequestValidationError(
                [error | {"loc": ("query", *error["loc"])} for error in errors]
            ) from None

    parse.query_model = model
    return Depends(parse)


def _inline(node: Any, definitions: dict) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, definitions) for value in node]
    return node


def parameters(model: type[BaseModel]) -> list[dict]:
    """The OpenAPI query parameters of `model`'s fields, their schemas inlined."""
    schema = model.model_json_schema()
    definitions, required = schema.get("$defs", {}), set(schema.get("required", ()))
    documented = []
    for name, field_schema in schema["properties"].items():
        parameter = {"name": name, "in": "query", "required": name in required}
        if "description" in field_schema:
            parameter["description"] = field_schema["description"]
        documented.append(parameter | {"schema": _inline(field_schema, definitions)})
    return documented
