"""Regenerate the committed OpenAPI contract under ``openapi/`` (GW-3).

``make openapi`` runs ``python scripts/openapi.py``: every service's ``create_app()`` is
imported and asked for ``app.openapi()`` (no server, no database: engines are built in
the lifespan, which never runs here); ``gateway.json`` is ``gateway.openapi.merge_specs``
of them (the services' paths plus the gateway's own operations). ``--check`` writes
nothing and exits 1 listing the files that differ (CI and ``tests/contract`` use it).

This script is not part of any service, so it may import all of them.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_DIR = ROOT / "openapi"
SERVICES = ("identity", "learning", "journal", "compliance")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _development_settings(module_name: str) -> Any:
    """The service's settings forced to development: the spec never depends on secrets,
    and a production environment in the caller's shell must not stop the build."""
    settings_module = importlib.import_module(module_name)
    return settings_module.Settings(environment="development")


def service_spec(service: str) -> dict[str, Any]:
    app_module = importlib.import_module(f"services.{service}.app")
    settings = _development_settings(f"services.{service}.settings")
    app = app_module.create_app(settings)
    spec: dict[str, Any] = app.openapi()
    return spec


def build_specs() -> dict[str, dict[str, Any]]:
    """File stem → spec, for every file this script owns under ``openapi/``."""
    from gateway.openapi import merge_specs

    specs = {service: service_spec(service) for service in SERVICES}
    # merge_specs adds the gateway's own operations (health, docs, JWKS proxy) itself
    specs["gateway"] = merge_specs(copy.deepcopy(specs))
    return specs


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def rendered_files() -> dict[Path, str]:
    return {OPENAPI_DIR / f"{name}.json": render(spec) for name, spec in build_specs().items()}


def differing(files: dict[Path, str]) -> list[Path]:
    out = []
    for path, text in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a committed spec is stale"
    )
    args = parser.parse_args(argv)
    files = rendered_files()
    stale = differing(files)
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run make openapi)", file=sys.stderr)
        return 1 if stale else 0
    OPENAPI_DIR.mkdir(exist_ok=True)
    for path in stale:
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
