"""GW-2: ``/healthz``, ``/readyz`` (every upstream answers) and Prometheus ``/metrics``."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.gateway.conftest import GatewayFactory


class TestHealth:
    async def test_healthz(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "service": "gateway"}

    async def test_ready_when_every_service_answers(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/readyz")
        assert response.status_code == 200
        assert response.json()["services"] == {
            "identity": "ok",
            "learning": "ok",
            "journal": "ok",
            "compliance": "ok",
        }

    async def test_not_ready_names_the_missing_services(
        self, make_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with make_gateway(journal_url=dead_url, compliance_url=dead_url) as gateway:
            response = await gateway.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["unavailable"] == ["journal", "compliance"]
        assert body["services"]["identity"] == "ok"
        assert "journal" in body["detail"]

    async def test_only_get_and_head(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.post("/healthz")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"
        assert response.headers["content-type"] == "application/problem+json"


class TestMetrics:
    async def test_requests_are_counted_with_bounded_labels(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        await gateway.get("/api/v1/learning/courses/1", headers=auth)
        await gateway.get("/api/v1/learning/courses/2", headers=auth)
        await gateway.get("/api/v1/journal/x")  # 401 at the edge
        await gateway.request("BREW", "/api/v1/journal/x")
        response = await gateway.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        assert (
            'gateway_requests_total{method="GET",service="learning",status_class="2xx"} 2.0' in text
        )
        assert (
            'gateway_requests_total{method="GET",service="journal",status_class="4xx"} 1.0' in text
        )
        assert 'method="OTHER"' in text
        assert "courses" not in text  # never the path
        assert 'gateway_rejected_total{reason="unauthenticated"}' in text
        assert "gateway_request_duration_seconds_bucket" in text

    async def test_upstream_failures_are_counted(
        self, make_gateway: GatewayFactory, dead_url: str, auth: dict[str, str]
    ) -> None:
        async with make_gateway(learning_url=dead_url) as gateway:
            await gateway.get("/api/v1/learning/x", headers=auth)
            text = (await gateway.get("/metrics")).text
        assert 'gateway_upstream_errors_total{kind="unreachable",service="learning"} 1.0' in text


class RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def access_records() -> Iterator[list[logging.LogRecord]]:
    handler = RecordingHandler()
    logger = logging.getLogger("eo.access")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


class TestAccessLog:
    async def test_errors_mode_logs_only_what_failed(
        self,
        make_gateway: GatewayFactory,
        auth: dict[str, str],
        access_records: list[logging.LogRecord],
    ) -> None:
        async with make_gateway(log_level="INFO") as gateway:
            await gateway.get("/api/v1/learning/x", headers=auth)
            await gateway.get("/api/v1/learning/x?q=secret")
        assert [(r.upstream, r.status) for r in access_records] == [("learning", 401)]  # type: ignore[attr-defined]
        assert "secret" not in str(vars(access_records[0]))

    async def test_all_mode_logs_every_request(
        self,
        make_gateway: GatewayFactory,
        auth: dict[str, str],
        access_records: list[logging.LogRecord],
    ) -> None:
        async with make_gateway(log_level="INFO", access_log="all") as gateway:
            await gateway.get("/api/v1/learning/x", headers=auth)
            await gateway.get("/healthz")
        assert [r.status for r in access_records] == [200, 200]  # type: ignore[attr-defined]
