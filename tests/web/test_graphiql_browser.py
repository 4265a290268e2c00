"""GraphiQL in a real chromium against the real ``aftersales serve --demo``.

Chromium here has no internet, so a page that needed a CDN would stay on "Loading...".
``AFTERSALES_SCREENSHOTS=1`` saves docs/screenshots/graphiql.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import pytest

from tests.web.browser import chromium, save_screenshot
from tests.web.server import Server

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

WAIT_S = 30

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT = ".graphiql-response .CodeMirror"
EXECUTE = ".graphiql-execute-button"


@pytest.fixture
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def editor_value(driver: WebDriver, selector: str) -> str | None:
    """The text of the CodeMirror editor under ``selector`` (all of it, not what shows)."""
    value = driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return e && e.CodeMirror ? e.CodeMirror.getValue() : null;",
        selector,
    )
    return cast(str | None, value)


def wait_for(driver: WebDriver, condition: Any, message: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S).until(condition, message)


def test_graphiql_renders_offline_with_the_token_and_runs_the_queue_query(
    browser: WebDriver, demo_server: Server
) -> None:
    from selenium.webdriver.common.by import By

    # given the page as a user opens it
    browser.get(f"{demo_server.base_url}/graphql")
    wait_for(browser, lambda d: editor_value(d, QUERY_EDITOR), "the query editor never rendered")
    assert "Loading" not in browser.find_element(By.ID, "graphiql").text
    # then the editor holds the work-queue query and the Headers tab the demo token
    assert "workQueue(first: 10)" in (editor_value(browser, QUERY_EDITOR) or "")
    headers = editor_value(browser, HEADERS_EDITOR)
    assert headers is not None, "the Headers tab is not open"
    assert json.loads(headers) == {"Authorization": f"Bearer {demo_server.demo_token}"}
    assert f"Bearer {demo_server.demo_token}" in browser.find_element(By.TAG_NAME, "body").text
    # when the query is run with the execute button
    browser.find_element(By.CSS_SELECTOR, EXECUTE).click()
    result = wait_for(
        browser,
        lambda d: (editor_value(d, RESULT) or "").strip() or None,
        "no result appeared",
    )
    # then the result pane shows the queue
    answer = json.loads(result)
    assert "errors" not in answer, answer
    assert answer["data"]["workQueue"]["edges"], "the demo queue is empty"
    assert "workQueue" in browser.find_element(By.CSS_SELECTOR, ".graphiql-response").text
    # and everything the page loaded came from the service, without an error
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);"
    )
    assert loaded, "the page loaded nothing?"
    assert [url for url in loaded if not url.startswith(demo_server.base_url + "/")] == []
    console = browser.get_log("browser")  # type: ignore[no-untyped-call]
    problems = [e for e in console if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []
    save_screenshot(browser, "graphiql.png")
