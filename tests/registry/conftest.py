"""Fixtures of the registry API tests."""

import pytest

from tests.registry.support import Api


@pytest.fixture
def api(client, admin_headers, staff_headers) -> Api:
    return Api(client, admin=admin_headers, staff=staff_headers)
