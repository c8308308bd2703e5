"""Self-hosted API documentation: Swagger UI without any CDN (GW-3).

Schools' networks are often closed to the internet, so the page loads its script and
styles from the gateway itself (``/docs/static/…``), taken from the ``swagger-ui-py``
package (its files are the ``swagger-ui-dist`` release, byte for byte). The page
reads the merged contract at ``/api/openapi.json``; "Authorize" offers the bearer
scheme and keeps the token across reloads (``persistAuthorization``). Swagger UI's
online validator is switched off: it would send the spec to a third party (X-5).
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC_PREFIX = "/docs/static/"
OPENAPI_URL = "/api/openapi.json"
TITLE = "Документация API — платформа ЭО и ДОТ"

# Assets from the swagger-ui-py package, served under /docs/static/<name>.
_PACKAGE_ASSETS = {
    "swagger-ui.css": b"text/css; charset=utf-8",
    "swagger-ui-bundle.js": b"text/javascript; charset=utf-8",
}

# A separate file rather than an inline script, so the page works under a strict CSP.
INIT_JS = f"""\
window.addEventListener("load", function () {{
  window.ui = SwaggerUIBundle({{
    url: "{OPENAPI_URL}",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    showExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
  }});
}});
"""

PAGE_HTML = f"""\
<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{STATIC_PREFIX}swagger-ui.css">
</head>
<body>
<noscript>Для просмотра документации включите JavaScript.
Спецификация: <a href="{OPENAPI_URL}">{OPENAPI_URL}</a></noscript>
<div id="swagger-ui"></div>
<script src="{STATIC_PREFIX}swagger-ui-bundle.js"></script>
<script src="{STATIC_PREFIX}docs-init.js"></script>
</body>
</html>
"""

# Everything from this origin only; Swagger UI sets inline styles on its elements.
CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: bytes
    etag: bytes


def _asset(body: bytes, content_type: bytes) -> Asset:
    digest = hashlib.sha256(body).hexdigest()[:32]
    return Asset(body, content_type, f'"{digest}"'.encode())


def swagger_ui_dir() -> Path | None:
    """Where swagger-ui-py keeps its static files (found without importing it)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if folder.is_dir() else None


@cache
def assets() -> dict[str, Asset]:
    """The files under /docs/static/ (read once; empty if swagger-ui-py is missing)."""
    folder = swagger_ui_dir()
    if folder is None:
        return {}
    found = {
        name: _asset((folder / name).read_bytes(), content_type)
        for name, content_type in _PACKAGE_ASSETS.items()
        if (folder / name).is_file()
    }
    if len(found) != len(_PACKAGE_ASSETS):
        return {}
    found["docs-init.js"] = _asset(INIT_JS.encode(), b"text/javascript; charset=utf-8")
    return found


def page() -> Asset:
    return _asset(PAGE_HTML.encode(), b"text/html; charset=utf-8")
