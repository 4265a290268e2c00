"""The CS workbench answered at GET /app/: one HTML shell, the rest is static files.

The page is plain ES modules under ``/static/app/`` (no build step, nothing from a CDN)
talking to ``/graphql`` like any client. Its settings travel as JSON data in the page, so
the Content-Security-Policy allows no inline script. With ``serve --demo`` in dev the
settings carry the demo token, which a "sign in with the demo token" link uses.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from service.config import Settings
from service.web.graphiql import CONTENT_SECURITY_POLICY, read_template, script_json
from service.web.static import STATIC_PREFIX

APP_PATH = "/app/"

# Like the GraphiQL page: a page that may hold a token is never cached.
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class WorkbenchPage:
    demo_token: str | None = None

    def render(self, request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        config: dict[str, str] = {"graphql": root + "/graphql"}
        if self.demo_token is not None:
            config["demoToken"] = self.demo_token
        page = _TEMPLATE.substitute(
            static=html.escape(root + STATIC_PREFIX, quote=True), config=script_json(config)
        )
        return HTMLResponse(page, headers=_HEADERS)


def _to_app(request: Request) -> Response:
    root = request.scope.get("root_path", "").rstrip("/")
    return RedirectResponse(root + APP_PATH, status_code=308)


def workbench_routes(settings: Settings, *, demo_token: str | None = None) -> list[Route]:
    """/app/ and /app (which redirects). The demo token is written into the page only in
    dev, where ``serve --demo`` created it; elsewhere the agent pastes a token."""
    token = demo_token if settings.graphiql else None
    return [
        # A bound method, so Starlette calls it with the request (an instance would be
        # taken for an ASGI app).
        Route(APP_PATH, WorkbenchPage(demo_token=token).render, methods=["GET"]),
        Route(APP_PATH.rstrip("/"), _to_app, methods=["GET"]),
    ]


_TEMPLATE = Template(read_template("workbench.html"))
