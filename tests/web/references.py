"""What a page or asset asks the browser to load, found by reading it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Hosts that serve npm packages or fonts to browsers: none of them may be reached.
CDN_HOSTS = (
    "unpkg.com",
    "jsdelivr.net",
    "esm.sh",
    "cdnjs.cloudflare.com",
    "cdn.skypack.dev",
    "ga.jspm.io",
    "cdn.jsdelivr.net",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "ajax.googleapis.com",
    "code.jquery.com",
    "stackpath.bootstrapcdn.com",
)
CDN_URL = re.compile(
    r"(?:https?:)?//(?:[\w-]+\.)*(?:" + "|".join(re.escape(h) for h in CDN_HOSTS) + r")\b",
    re.IGNORECASE,
)

_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(["'])([^"']+)\1""")
# Module imports and the other ways a script loads a script, with a literal specifier.
# Static imports and re-exports start a statement (a message text that shows one does not).
_JS_LOADS = re.compile(
    r"""(?:(?:^|;)\s*(?:import\s+(?:[\w*{}\s,$]+\s+from\s+)?|export\s+[\w*{}\s,$]+\s+from\s+)"""
    r"""|\bimport\s*\(\s*|\bimportScripts\(\s*|\bnew\s+(?:Shared)?Worker\(\s*)"""
    r"""(["'`])([^"'`]+)\1"""
)
# Lines of a comment in an unminified bundle (JSDoc examples show imports that are not).
_COMMENT_LINE = re.compile(r"^\s*(?://|/\*|\*)")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.scripts: dict[str, str] = {}  # id -> text of inline <script id=...>
        self.inline_code: list[str] = []  # text of inline scripts that would run
        self._open: tuple[str | None, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "poster", "data", "action", "formaction"):
            value = values.get(name)
            if value is not None and not (tag == "a" and name == "href"):
                self.references.append(value)
        srcset = values.get("srcset")
        if srcset:
            self.references += [part.split()[0] for part in srcset.split(",") if part.strip()]
        if tag == "script" and "src" not in values:
            self._open = (values.get("id"), values.get("type"))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            ident, kind = self._open
            if ident:
                self.scripts[ident] = self.scripts.get(ident, "") + data
            if kind in (None, "", "module", "text/javascript"):
                self.inline_code.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def parse_page(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def css_references(css: str) -> list[str]:
    found = [m.group(2).strip() for m in _CSS_URL.finditer(css)]
    found += [m.group(2) for m in _CSS_IMPORT.finditer(css)]
    return [ref for ref in found if not ref.startswith("data:")]


def js_references(js: str) -> list[str]:
    return [
        match.group(2)
        for line in js.splitlines()
        if not _COMMENT_LINE.match(line)
        for match in _JS_LOADS.finditer(line)
    ]


def is_external(reference: str) -> bool:
    """A reference that leaves the page's origin: a scheme with a host, or ``//host``."""
    return bool(re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", reference, re.IGNORECASE))
