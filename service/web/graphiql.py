"""The GraphiQL page answered at GET /graphql (browser, no query) in dev.

It replaces Strawberry's page, which loads React and GraphiQL from unpkg.com and stays on
"Loading..." without internet: this one loads only the bundles vendored under
``/static/vendor/`` (see ``vendor/graphiql/refresh.sh``). With ``serve --demo`` it opens
with the demo token in the Authorization header and the work-queue query in the editor.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from service.config import Settings
from service.web.static import STATIC_PREFIX, vendor_dir

TEMPLATES_DIR = Path(__file__).parent / "templates"

# Scripts and styles from this origin only; the page's settings travel as JSON data, so
# no inline script is needed. GraphiQL sets inline styles and embeds its fonts as data:.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

# Shown when no token can be filled in: where the token goes, not a token.
HEADERS_TEMPLATE = '{\n  "Authorization": "Bearer <paste your token here>"\n}'

# A page with a token in it must not be kept by any cache.
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def script_json(value: object) -> str:
    """``value`` as JSON that cannot end the ``<script>`` element holding it.

    Escaping ``<``, ``>`` and ``&`` keeps ``</script>`` and ``<!--`` out of the element
    whatever the strings contain; ``JSON.parse`` reads the escapes back unchanged."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _headers_json(token: str) -> str:
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2)


@dataclass(frozen=True)
class GraphiQLPage:
    """The page, rendered per request (the static prefix follows the ASGI root path)."""

    first_query: str
    demo_token: str | None = None

    def __call__(self, request: Request) -> Response:
        root = html.escape(request.scope.get("root_path", "").rstrip("/"), quote=True)
        config: dict[str, str] = {"query": self.first_query}
        if self.demo_token is not None:
            config["headers"] = _headers_json(self.demo_token)
        else:
            config["defaultHeaders"] = HEADERS_TEMPLATE
        page = _TEMPLATE.substitute(
            static=root + STATIC_PREFIX,
            graphiql=vendor_dir("graphiql"),
            react=vendor_dir("react"),
            react_dom=vendor_dir("react-dom"),
            config=script_json(config),
        )
        return HTMLResponse(page, headers=_HEADERS)


def graphiql_page(settings: Settings, *, demo_token: str | None = None) -> GraphiQLPage | None:
    """The page for ``settings``: none outside dev, and a token only in dev.

    ``demo_token`` is the token ``serve --demo`` has just created; any other caller
    passes none, so no real token is ever written into a page."""
    if not settings.graphiql:
        return None
    return GraphiQLPage(first_query=read_template("first_query.graphql"), demo_token=demo_token)


def read_template(name: str) -> str:
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")


_TEMPLATE = Template(read_template("graphiql.html"))
