from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.server import Server, serve


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``aftersales serve --demo`` as a user starts it, shared by the tests that only read."""
    with serve("--demo", workdir=tmp_path_factory.mktemp("demo")) as server:
        yield server
