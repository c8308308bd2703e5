"""GW-3: self-hosted Swagger UI at ``/docs``: no CDN, every asset from the gateway."""

from __future__ import annotations

import re

import httpx


def references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


class TestDocsPage:
    async def test_page_is_russian_and_points_at_the_merged_contract(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get("/docs")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert '<html lang="ru">' in html
        assert "<title>Документация API" in html
        assert "script-src 'self'" in response.headers["content-security-policy"]

    async def test_only_local_assets(self, gateway: httpx.AsyncClient) -> None:
        html = (await gateway.get("/docs")).text
        assert "http://" not in html
        assert "https://" not in html
        refs = references(html)
        assert refs
        for ref in refs:
            if ref.startswith("data:"):
                continue  # inline (the empty favicon): no request at all
            assert ref.startswith("/"), ref
            assert not ref.startswith("//"), ref

    async def test_every_asset_is_served(self, gateway: httpx.AsyncClient) -> None:
        html = (await gateway.get("/docs")).text
        assets = [r for r in references(html) if r.startswith("/docs/static/")]
        assert {"/docs/static/swagger-ui.css", "/docs/static/swagger-ui-bundle.js"} <= set(assets)
        for asset in assets:
            response = await gateway.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 0
            kind = "text/css" if asset.endswith(".css") else "text/javascript"
            assert response.headers["content-type"].startswith(kind)

    async def test_swagger_ui_settings(self, gateway: httpx.AsyncClient) -> None:
        init = (await gateway.get("/docs/static/docs-init.js")).text
        assert 'url: "/api/openapi.json"' in init
        assert "persistAuthorization: true" in init
        # the public validator would send the contract to a third party
        assert "validatorUrl: null" in init

    async def test_assets_are_cached_by_etag(self, gateway: httpx.AsyncClient) -> None:
        first = await gateway.get("/docs/static/swagger-ui.css")
        again = await gateway.get(
            "/docs/static/swagger-ui.css", headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304
        assert again.content == b""

    async def test_unknown_asset_is_404(self, gateway: httpx.AsyncClient) -> None:
        for path in ("/docs/static/nope.js", "/docs/static/../settings.py", "/docs/static/"):
            response = await gateway.get(path)
            assert response.status_code == 404, path

    async def test_docs_need_no_token(self, gateway: httpx.AsyncClient) -> None:
        assert (await gateway.get("/docs")).status_code == 200
        assert (await gateway.get("/api/openapi.json")).status_code == 200
