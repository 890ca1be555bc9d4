"""The registry API as its users call it, and checks of its problem-details answers."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

API = "/api/v1"
PROBLEM_JSON = "application/problem+json"
# Ids that name no row: too big for the id column, negative, zero, not a number at all.
UNKNOWN_IDS = ["987654321", "2147483648", "99999999999999999999", "0", "-1", "abc", "1.0"]


class Api:
    """Staff read and admins write, as in SPEC §4."""

    def __init__(self, client: TestClient, *, admin: dict, staff: dict) -> None:
        self.client, self.admin, self.staff = client, admin, staff

    def create(self, kind: str, body: dict) -> Response:
        return self.client.post(f"{API}/{kind}", json=body, headers=self.admin)

    def read(self, kind: str, id_: str) -> Response:
        return self.client.get(f"{API}/{kind}/{id_}", headers=self.staff)

    def update(self, kind: str, id_: str, body: dict) -> Response:
        return self.client.patch(f"{API}/{kind}/{id_}", json=body, headers=self.admin)

    def delete(self, kind: str, id_: str) -> Response:
        return self.client.delete(f"{API}/{kind}/{id_}", headers=self.admin)

    def list(self, kind: str, params: Mapping | None = None) -> Response:
        return self.client.get(f"{API}/{kind}", params=params, headers=self.staff)

    def created(self, kind: str, body: dict) -> dict:
        """POST that must succeed: the new resource."""
        response = self.create(kind, body)
        assert response.status_code == 201, response.text
        assert response.headers["content-type"] == "application/json"
        resource = response.json()
        assert isinstance(resource["id"], str)
        return resource

    def page(self, kind: str, params: Mapping | None = None) -> dict:
        """GET of a list that must succeed: the page, checked for its shape."""
        response = self.list(kind, params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page.keys() == {"items", "total", "limit", "offset"}
        return page

    def ids(self, kind: str, params: Mapping | None = None) -> set[str]:
        """The ids on one page of a list."""
        return {item["id"] for item in self.page(kind, params)["items"]}

    def total(self, kind: str) -> int:
        return self.page(kind)["total"]


def assert_problem(response: Response, status: int) -> dict:
    """An RFC 9457 problem with this status: its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] and problem["title"] and problem["detail"]
    return problem


def assert_invalid(response: Response, field: str, bad_values: Iterable[Any] = ()) -> None:
    """A 422 that names `field` and echoes none of `bad_values`."""
    problem = assert_problem(response, 422)
    fields = [error["field"] for error in problem["errors"]]
    assert field in fields, fields
    assert all(error["message"] for error in problem["errors"])
    for value in bad_values:
        text = str(value)
        for form in {text, json.dumps(text)[1:-1]}:  # as sent, and JSON-escaped
            assert form not in response.text, f"{form!r} was echoed"


def leaves(value: Any) -> list:
    """The scalar values inside a request value, for the no-echo check."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list | tuple | set):
        return [leaf for item in value for leaf in leaves(item)]
    return [] if value in (None, "") or isinstance(value, bool) else [value]


def resolve(value: Any, refs: Mapping[str, str]) -> Any:
    """`value` with each "@name" string in it replaced by `refs["@name"]`."""
    if isinstance(value, dict):
        return {key: resolve(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, refs) for item in value]
    return refs[value] if isinstance(value, str) and value.startswith("@") else value


def bad_values(changes: dict, field: str) -> list:
    """What must not be echoed: the value sent at `field` ("languages.1" is an item of a
    list), or everything sent when nothing was sent there."""
    value: Any = changes
    for part in field.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            break
    return leaves(value)


def assert_pages(api: Api, kind: str, ids: list[str]) -> None:
    """`ids` are all rows of `kind`: pages of two walk them in id order, with the total."""
    walked = []
    for offset in range(0, len(ids) + 2, 2):
        page = api.page(kind, {"limit": 2, "offset": offset})
        assert (page["total"], page["limit"], page["offset"]) == (len(ids), 2, offset)
        assert len(page["items"]) == len(ids[offset : offset + 2])
        walked += [item["id"] for item in page["items"]]
    assert walked == sorted(ids, key=int)
    whole = api.page(kind)
    assert (whole["total"], whole["limit"], whole["offset"]) == (len(ids), 20, 0)
    assert len(api.page(kind, {"limit": 100})["items"]) == len(ids)


def assert_not_found(api: Api, kind: str, id_: str) -> None:
    """GET, PATCH and DELETE of an id that names no row: 404 each, without the id."""
    for response in (api.read(kind, id_), api.update(kind, id_, {}), api.delete(kind, id_)):
        assert_problem(response, 404)
        assert len(id_) < 3 or id_ not in response.text  # "0" is in "404"


# Query parameters every list refuses: (parameters, the field named).
BAD_PAGE_PARAMS = [
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"limit": "twenty-zq"}, "limit"),
    ({"offset": -1}, "offset"),
    ({"offset": "first-zq"}, "offset"),
    ({"sort_zq": "desc-zq"}, "sort_zq"),
]
