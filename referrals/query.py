"""Query-string models: validated by pydantic straight from the query string.

FastAPI can read a model from the query (`Annotated[Model, Query()]`), but it inspects
each field's annotation again on every request, which costs more than a whole search.
`from_query(Model)` validates the query string with the model at once, reports errors
as FastAPI does (locations under `query`), and `parameters(Model)` lists the model's
fields as OpenAPI query parameters, for `referrals.deps.document` to declare.
"""

from collections.abc import Callable
from functools import partial
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError


def _takes_list(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        return _takes_list(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return any(_takes_list(member) for member in get_args(annotation))
    return get_origin(annotation) is list


_GIVEN_ONCE = {"type": "value_error", "msg": "Value error, must be given once", "input": None}


def _validated(model: type[BaseModel], data: dict, repeated: list[str]) -> BaseModel:
    repeated_locs = [(name,) for name in repeated]
    errors = [_GIVEN_ONCE | {"loc": loc} for loc in repeated_locs]
    try:
        answer = model.model_validate(data)
    except ValidationError as exc:  # a repeated name's own error is the one above
        errors += [e for e in exc.errors(include_url=False) if e["loc"][:1] not in repeated_locs]
    if errors:
        raise RequestValidationError(
            [error | {"loc": ("query", *error["loc"])} for error in errors]
        )
    return answer


def from_query(model: type[BaseModel], *, after_key: bool = False) -> Any:
    """A dependency giving `model` validated from the query; a list field repeats its name.

    With `after_key`, it gives a function that validates when called (and can be pickled):
    for a route whose key is checked in the route's own read (`referrals.readers`), which
    calls it after the key, so that a request with a bad key and a bad query gets 401, not
    422.
    """
    fields = model.model_fields.items()
    lists = frozenset(
        field.alias or name for name, field in fields if _takes_list(field.annotation)
    )

    async def parse(request: Request) -> BaseModel | Callable[[], BaseModel]:
        query = request.query_params
        data = {name: query.getlist(name) if name in lists else query[name] for name in query}
        # a value that is not a list, given twice ("insurance=aetna&insurance=cigna"), is
        # refused: taking either would drop the other without a word
        repeated = [name for name in data if name not in lists and len(query.getlist(name)) > 1]
        validating = partial(_validated, model, data, repeated)
        return validating if after_key else validating()

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
