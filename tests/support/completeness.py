"""Every operation of a service is covered by an access test.

Each ``tests/<service>/test_access_*.py`` module declares ``COVERED``, the operation ids
its access tests exercise (every role, own and other school, own and other child).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

# Shared operations whose access is tested once for every service
# (tests/services/test_service_apps.py and tests/common).
SHARED = {"list_events"}


def covered_operations(service: str) -> set[str]:
    package = importlib.import_module(f"tests.{service}")
    found: set[str] = set()
    for module in pkgutil.iter_modules([str(Path(package.__file__ or "").parent)]):
        if module.name.startswith("test_access_"):
            mod = importlib.import_module(f"tests.{service}.{module.name}")
            found |= set(getattr(mod, "COVERED", set()))
    return found


def missing_operations(app: FastAPI, service: str) -> list[str]:
    covered = covered_operations(service)
    missing = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        op = route.operation_id or route.unique_id
        if op.removeprefix(f"{service}_") in SHARED or op == f"{service}_list_events":
            continue
        if op not in covered:
            missing.append(f"{sorted(route.methods)} {route.path} ({op})")
    return sorted(missing)
