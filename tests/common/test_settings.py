"""Settings refuse the default secret outside development (STYLE 9)."""

from __future__ import annotations

import pydantic
import pytest

from services.common.settings import (
    DEFAULT_SECRET,
    BaseServiceSettings,
    normalise_database_url,
)
from services.identity.settings import Settings as IdentitySettings

GOOD_SECRET = "s" * 40


class TestDefaultSecret:
    def test_development_accepts_the_default(self) -> None:
        settings = IdentitySettings(environment="development")
        assert settings.secret_key == DEFAULT_SECRET

    @pytest.mark.parametrize("environment", ["test", "production"])
    def test_default_secret_is_refused_elsewhere(self, environment: str) -> None:
        with pytest.raises(pydantic.ValidationError, match="default secret"):
            IdentitySettings(environment=environment)  # type: ignore[arg-type]

    @pytest.mark.parametrize("environment", ["test", "production"])
    def test_short_secret_is_refused_elsewhere(self, environment: str) -> None:
        with pytest.raises(pydantic.ValidationError, match="at least 32"):
            IdentitySettings(environment=environment, secret_key="short-secret")  # type: ignore[arg-type]

    def test_a_real_secret_is_accepted(self) -> None:
        settings = IdentitySettings(environment="production", secret_key=GOOD_SECRET)
        assert settings.environment == "production"

    def test_environment_variables_are_read_with_the_service_prefix(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("IDENTITY_ENVIRONMENT", "production")
        with pytest.raises(pydantic.ValidationError, match="default secret"):
            IdentitySettings()
        monkeypatch.setenv("IDENTITY_SECRET_KEY", GOOD_SECRET)
        assert IdentitySettings().environment == "production"

    def test_the_base_class_applies_the_same_rule(self) -> None:
        with pytest.raises(pydantic.ValidationError):
            BaseServiceSettings(environment="production")


class TestDatabaseUrl:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
            ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
            ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
            ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ],
    )
    def test_plain_urls_get_the_async_driver(self, given: str, expected: str) -> None:
        assert normalise_database_url(given) == expected

    def test_default_is_a_sqlite_file_per_service(self) -> None:
        url = IdentitySettings(environment="development").effective_database_url
        assert url.startswith("sqlite+aiosqlite:///")
        assert url.endswith("/var/identity.db")
        assert IdentitySettings().api_prefix == "/api/v1/identity"
