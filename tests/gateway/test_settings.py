"""The gateway's settings (``GATEWAY_`` environment) and its app factory."""

from __future__ import annotations

import os

import pytest

from gateway.app import Gateway, create_app
from gateway.settings import Settings


class TestSettings:
    def test_defaults(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in list(os.environ):
            if name.startswith("GATEWAY_"):
                monkeypatch.delenv(name)
        settings = Settings()
        assert settings.upstreams() == {
            "identity": "http://127.0.0.1:8001",
            "learning": "http://127.0.0.1:8002",
            "journal": "http://127.0.0.1:8003",
            "compliance": "http://127.0.0.1:8004",
        }
        assert settings.jwks_url == "http://127.0.0.1:8001/api/v1/identity/.well-known/jwks.json"
        assert settings.connect_timeout < 1.0
        assert settings.upstream_timeout == 10.0
        assert settings.cors_origins == []
        assert settings.redis_url is None

    def test_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GATEWAY_IDENTITY_URL", "http://identity:8001/")
        monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://a.example.ru, http://localhost:5173/")
        monkeypatch.setenv("GATEWAY_UPSTREAM_TIMEOUT", "2.5")
        monkeypatch.setenv("GATEWAY_REDIS_URL", "redis://redis:6379/0")
        settings = Settings()
        assert settings.identity_url == "http://identity:8001"
        assert settings.jwks_url == "http://identity:8001/api/v1/identity/.well-known/jwks.json"
        assert settings.cors_origins == ["https://a.example.ru", "http://localhost:5173"]
        assert settings.upstream_timeout == 2.5
        assert settings.redis_url == "redis://redis:6379/0"

    def test_explicit_jwks_url_wins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GATEWAY_JWKS_URL", "http://keys.internal/jwks.json")
        assert Settings().jwks_url == "http://keys.internal/jwks.json"

    def test_connect_timeout_must_stay_short(self) -> None:
        with pytest.raises(ValueError, match="connect_timeout"):
            Settings(connect_timeout=30)

    def test_create_app_needs_no_arguments(self) -> None:
        app = create_app()
        assert isinstance(app, Gateway)
        assert callable(app)
