"""GW-3: the merged contract of all services, served at ``/api/openapi.json``."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from openapi_spec_validator import validate

from gateway.app import create_app
from gateway.openapi import merge_specs
from tests.gateway.conftest import gateway_settings, running
from tests.gateway.upstreams import serve
from tests.support.keys import test_jwks

SERVICES = ("identity", "learning", "journal", "compliance")


def service_spec(name: str) -> dict[str, Any]:
    app = importlib.import_module(f"services.{name}.app").create_app()
    return dict(app.openapi())


def schema(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def tiny_spec(service: str, schemas: dict[str, Any], response: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Сервис {service}", "version": "1.0.0"},
        "paths": {
            "/healthz": {"get": {"operationId": f"{service}_healthz", "responses": {}}},
            f"/api/v1/{service}/items": {
                "get": {
                    "operationId": f"{service}_items",
                    "tags": ["items"],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": ref(response)}},
                        },
                        "404": {
                            "description": "нет",
                            "content": {"application/problem+json": {"schema": ref("Problem")}},
                        },
                    },
                    "security": [{"HTTPBearer": []}],
                }
            },
        },
        "components": {
            "schemas": {**schemas, "Problem": schema({"own": {"type": "string"}})},
        },
    }


class TestMergeSpecs:
    def test_identical_schemas_are_kept_once(self) -> None:
        shared = {"Page": schema({"next": {"type": "string"}})}
        merged = merge_specs(
            {
                "learning": tiny_spec("learning", shared, "Page"),
                "journal": tiny_spec("journal", shared, "Page"),
            }
        )
        assert "Page" in merged["components"]["schemas"]
        assert "learning_Page" not in merged["components"]["schemas"]
        validate(merged)

    def test_different_schemas_of_one_name_are_prefixed_by_service(self) -> None:
        merged = merge_specs(
            {
                "learning": tiny_spec(
                    "learning", {"Item": schema({"title": {"type": "string"}})}, "Item"
                ),
                "journal": tiny_spec(
                    "journal", {"Item": schema({"mark": {"type": "integer"}})}, "Item"
                ),
            }
        )
        schemas = merged["components"]["schemas"]
        assert "Item" not in schemas
        assert "title" in schemas["learning_Item"]["properties"]
        assert "mark" in schemas["journal_Item"]["properties"]
        learning_op = merged["paths"]["/api/v1/learning/items"]["get"]
        assert learning_op["responses"]["200"]["content"]["application/json"]["schema"] == ref(
            "learning_Item"
        )
        validate(merged)

    def test_renames_follow_references(self) -> None:
        # Page looks the same in both, but points at each service's own (different) Item
        page = schema({"items": {"type": "array", "items": ref("Item")}})
        merged = merge_specs(
            {
                "learning": tiny_spec(
                    "learning", {"Page": page, "Item": schema({"a": {"type": "string"}})}, "Page"
                ),
                "journal": tiny_spec(
                    "journal", {"Page": page, "Item": schema({"b": {"type": "string"}})}, "Page"
                ),
            }
        )
        schemas = merged["components"]["schemas"]
        assert schemas["learning_Page"]["properties"]["items"]["items"] == ref("learning_Item")
        assert schemas["journal_Page"]["properties"]["items"]["items"] == ref("journal_Item")
        validate(merged)

    def test_problem_is_the_shared_kernel_one(self) -> None:
        merged = merge_specs({"learning": tiny_spec("learning", {"X": schema({})}, "X")})
        problem = merged["components"]["schemas"]["Problem"]
        assert "own" not in problem["properties"]
        assert {"type", "title", "status"} <= set(problem["required"])
        assert "FieldError" in merged["components"]["schemas"]

    def test_services_own_health_paths_are_left_out(self) -> None:
        merged = merge_specs({"learning": tiny_spec("learning", {"X": schema({})}, "X")})
        assert merged["paths"]["/healthz"]["get"]["operationId"] == "gateway_healthz"
        assert "learning_healthz" not in str(merged["paths"])

    def test_gateway_operations_are_described_in_russian(self) -> None:
        merged = merge_specs({})
        ops = {
            path: item["get"]
            for path, item in merged["paths"].items()
            if item["get"]["operationId"].startswith("gateway_")
        }
        assert {"/healthz", "/readyz", "/metrics", "/api/openapi.json", "/docs"} <= set(ops)
        for operation in ops.values():
            assert any("а" <= ch <= "я" for ch in operation["summary"].lower())
        validate(merged)

    def test_bearer_scheme_is_always_declared(self) -> None:
        merged = merge_specs({})
        assert merged["components"]["securitySchemes"]["HTTPBearer"] == {
            "type": "http",
            "description": "Токен доступа из /api/v1/identity/token",
            "scheme": "bearer",
        }

    def test_unavailable_services_are_listed(self) -> None:
        merged = merge_specs({}, unavailable=["journal", "identity"])
        assert merged["x-unavailable-services"] == ["identity", "journal"]
        assert "x-unavailable-services" not in merge_specs({})

    def test_two_services_on_one_path_is_an_error(self) -> None:
        learning = tiny_spec("learning", {"X": schema({})}, "X")
        clash = tiny_spec("journal", {"X": schema({})}, "X")
        clash["paths"]["/api/v1/journal/items"]["get"]["operationId"] = "learning_items"
        with pytest.raises(ValueError, match="learning_items"):
            merge_specs({"learning": learning, "journal": clash})

    def test_input_is_not_modified(self) -> None:
        spec = tiny_spec("learning", {"Item": schema({"a": {"type": "string"}})}, "Item")
        other = tiny_spec("journal", {"Item": schema({"b": {"type": "string"}})}, "Item")
        before = repr(spec)
        merge_specs({"learning": spec, "journal": other})
        assert repr(spec) == before

    def test_real_service_specs_merge_into_a_valid_document(self) -> None:
        specs = {name: service_spec(name) for name in SERVICES}
        merged = merge_specs(specs)
        validate(merged)
        for name, spec in specs.items():
            for path in spec["paths"]:
                if path.startswith(f"/api/v1/{name}/"):
                    assert path in merged["paths"]
        me = merged["paths"]["/api/v1/identity/me"]["get"]
        assert me["security"] == [{"HTTPBearer": []}]


@pytest.fixture
async def all_services() -> AsyncIterator[dict[str, str]]:
    """The four real service apps on sockets (their contracts need no database)."""
    async with AsyncExitStack() as stack:
        urls = {}
        for name in SERVICES:
            app = importlib.import_module(f"services.{name}.app").create_app()
            # Built here, once: the four apps share this test's event loop, so building
            # all contracts on the gateway's first request would be measured against its
            # fetch timeout on a busy machine.
            app.openapi()
            urls[name] = await stack.enter_async_context(serve(app))
        yield urls


class TestServedContract:
    async def test_merged_contract_of_running_services(self, all_services: dict[str, str]) -> None:
        settings = gateway_settings("", **{f"{n}_url": u for n, u in all_services.items()})
        async with running(create_app(settings, jwks_loader=test_jwks)) as gateway:
            response = await gateway.get("/api/openapi.json")
            again = await gateway.get("/api/openapi.json")
        assert response.status_code == 200
        spec = response.json()
        validate(spec)
        assert "x-unavailable-services" not in spec
        for name in SERVICES:
            assert f"/api/v1/{name}/events" in spec["paths"]
        assert "/api/v1/identity/token" in spec["paths"]
        assert again.content == response.content  # cached

    async def test_a_service_down_leaves_the_rest(
        self, all_services: dict[str, str], dead_url: str
    ) -> None:
        urls = {**all_services, "journal": dead_url}
        settings = gateway_settings("", **{f"{n}_url": u for n, u in urls.items()})
        async with running(create_app(settings, jwks_loader=test_jwks)) as gateway:
            response = await gateway.get("/api/openapi.json")
        spec = response.json()
        assert response.status_code == 200
        assert spec["x-unavailable-services"] == ["journal"]
        assert "/api/v1/learning/events" in spec["paths"]
        assert "/api/v1/journal/events" not in spec["paths"]
        validate(spec)
