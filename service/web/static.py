"""Files served under /static/: vendored browser bundles and the pages' own files.

    static/vendor/<package>-<version>/  copied from npm by vendor/graphiql/refresh.sh,
                                        which lists the versions in vendor.json
    static/graphiql/                    the GraphiQL page's script, style and icon

A vendored file never changes under its versioned URL, so browsers keep it for a year
without asking again. The service's own files are revalidated on each load (an unchanged
file costs a 304), so a new release shows at once. A browser app (the workbench at
``/app/``) gets a mount of its own beside this one and loads its libraries from here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# vendor/<package>-<version>/<file>: the version in the path is what makes it immutable.
_VERSIONED = re.compile(r"^vendor/[a-z0-9._-]+-\d[^/]*/[^/]+$")


class CachedStaticFiles(StaticFiles):
    """Starlette's static files with cache headers chosen by path."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = _VERSIONED.match(Path(path).as_posix()) is not None
        response.headers["Cache-Control"] = IMMUTABLE if versioned else REVALIDATE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_mount() -> Mount:
    # GraphiQL's bundle is 3.5 MB of unminified JavaScript, 0.7 MB gzipped. Level 6
    # costs half the CPU of the default 9 (about 0.1 s for that file) for 1 % more bytes,
    # and with versioned URLs a browser downloads it once.
    files = CachedStaticFiles(directory=STATIC_DIR)
    gzipped = GZipMiddleware(files, minimum_size=1024, compresslevel=6)
    return Mount(STATIC_PREFIX, app=gzipped, name="static")


@cache
def vendored_versions() -> dict[str, str]:
    """Package name to the version vendored under static/vendor/ (vendor.json)."""
    data = json.loads((STATIC_DIR / "vendor" / "vendor.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError("static/vendor/vendor.json must map package names to versions")
    return data


def vendor_dir(package: str) -> str:
    """The folder under static/vendor/ holding ``package``'s files, e.g. react-18.3.1."""
    try:
        version = vendored_versions()[package]
    except KeyError:
        raise LookupError(
            f"{package} is not vendored under service/web/static/vendor "
            "(run vendor/graphiql/refresh.sh)"
        ) from None
    return f"{package}-{version}"
