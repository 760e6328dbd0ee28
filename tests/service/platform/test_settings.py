"""Settings: secrets are enforced outside development; lists parse from the environment."""

from __future__ import annotations

import pytest

from service.app import create_app
from service.platform.settings import DEV_DATA_KEY, DEV_JWT_SECRET, InsecureSettings, Settings

GOOD = "a-real-production-secret-of-enough-length"


@pytest.mark.parametrize(
    ("jwt_secret", "data_key"),
    [
        (DEV_JWT_SECRET, GOOD),
        (GOOD, DEV_DATA_KEY),
        ("", GOOD),
        ("too-short", GOOD),
        (GOOD, "x" * 31),
    ],
)
def test_production_refuses_weak_secrets(jwt_secret, data_key) -> None:
    settings = Settings(environment="production", jwt_secret=jwt_secret, data_key=data_key)
    with pytest.raises(InsecureSettings):
        settings.check_secrets()
    with pytest.raises(InsecureSettings):
        create_app(settings)


def test_production_accepts_strong_secrets() -> None:
    Settings(environment="production", jwt_secret=GOOD, data_key=GOOD + "-2").check_secrets()


def test_only_development_may_use_the_published_secrets() -> None:
    with pytest.raises(InsecureSettings):
        Settings(environment="test").check_secrets()
    Settings(environment="test", jwt_secret=GOOD, data_key=GOOD + "-2").check_secrets()


def test_development_runs_with_the_defaults() -> None:
    Settings(environment="development").check_secrets()


def test_environment_variables_are_read(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("ONESTOP_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("ONESTOP_ACCESS_TOKEN_MINUTES", "10")
    settings = Settings()
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.access_token_minutes == 10


def test_access_tokens_cannot_outlive_fifteen_minutes(monkeypatch) -> None:
    monkeypatch.setenv("ONESTOP_ACCESS_TOKEN_MINUTES", "60")
    with pytest.raises(ValueError):
        Settings()
