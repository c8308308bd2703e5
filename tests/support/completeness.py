"""Every operation of a service is covered by an access test.

Each ``tests/<service>/test_access_*.py`` module declares ``COVERED``, the operation ids
its access tests exercise (every role, own and other school, own and other child).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

# Shared operations whose access is tested once for every service
# (tests/services/test_service_apps.py and tests/common); health and metrics are public.
SHARED = {"list_events", "healthz", "readyz", "metrics"}


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
    routes = 0
    # the app's routes as FastAPI resolves included routers (app.routes holds the routers)
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        routes += 1
        # the id the contract shows (the app's generate_unique_id_function)
        op = route.operation_id or context.unique_id
        if op.removeprefix(f"{service}_") in SHARED or op == f"{service}_list_events":
            continue
        if op not in covered:
            missing.append(f"{sorted(context.methods or ())} {context.path} ({op})")
    if routes == 0:  # never pass by seeing nothing
        missing.append(f"{service}: no routes found")
    return sorted(missing)
