"""Typed settings, read from the environment (and an optional `.env` file).

Every setting is listed with its default and meaning in the README. Outside development the
server refuses to start with a missing, default or short secret (`Settings.check_secrets`).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from models.enums import ClosureReason, RoutingMode
from service.platform.crypto import DEFAULT_KEY_ID, KEY_ID_PATTERN, DataKey

DEV_JWT_SECRET = "onestop-development-jwt-secret-not-for-production"  # noqa: S105
DEV_DATA_KEY = "onestop-development-data-key-not-for-production"
MIN_SECRET_LENGTH = 32
# Set by `onestop serve` for its workers (prometheus_client reads it), not by operators.
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


class Environment(StrEnum):
    development = "development"
    test = "test"
    staging = "staging"
    production = "production"


class InsecureSettings(RuntimeError):
    """Raised at start-up when a secret is missing, default or too short."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ONESTOP_", env_file=".env", extra="ignore", case_sensitive=False
    )

    environment: Environment = Environment.development
    database_url: str = Field(
        default="sqlite+aiosqlite:///./onestop.db",
        validation_alias=AliasChoices("DATABASE_URL", "ONESTOP_DATABASE_URL"),
    )
    database_echo: bool = False
    database_pool_size: int = Field(default=10, ge=1, le=200)

    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "onestop"
    jwt_audience: str = "onestop-api"
    access_token_minutes: int = Field(default=15, ge=1, le=15)
    refresh_token_days: int = Field(default=14, ge=1, le=90)

    # After validation `data_key` is a `DataKey`: the current secret, naming its id and the
    # previous keys.
    data_key: str = DEV_DATA_KEY
    data_key_id: str = Field(default=DEFAULT_KEY_ID, pattern=KEY_ID_PATTERN.pattern)
    previous_data_keys: Annotated[dict[str, str], NoDecode] = {}

    login_account_max_failures: int = Field(default=5, ge=1)
    login_address_max_failures: int = Field(default=30, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=300, ge=1)

    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    log_level: str = "INFO"
    worker_timeout_seconds: int = Field(default=60, ge=5, le=600)

    # The background jobs (`service.worker`): inside each `onestop serve` process unless
    # switched off (then run `onestop worker` beside it, PostgreSQL only).
    jobs_in_server: bool = True
    jobs_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    jobs_batch_size: int = Field(default=200, ge=1, le=10_000)
    # PDPA retention: a closed case is anonymised this many days after its closure (SPEC §8).
    retention_days: int = Field(default=5 * 365, ge=1, le=100 * 365)
    retention_days_by_reason: dict[ClosureReason, int] = Field(
        default_factory=lambda: {
            ClosureReason.duplicate: 365,
            ClosureReason.out_of_scope: 365,
        },
        description="Closure reasons kept a shorter or longer time than `retention_days`, as "
        "JSON, e.g. ONESTOP_RETENTION_DAYS_BY_REASON='{\"duplicate\": 365}'.",
    )

    def retention_for(self, reason: ClosureReason | None) -> int:
        """Days a case closed for `reason` is kept before it is anonymised."""
        if reason is None:
            return self.retention_days
        return self.retention_days_by_reason.get(reason, self.retention_days)

    # Routing (service.routing.offers): how long an offer waits for an answer, by urgency,
    # what follows a declined or expired offer, and after how many the case is escalated.
    routing_mode: RoutingMode = RoutingMode.manual
    offer_minutes_critical: int = Field(default=15, ge=1, le=10080)
    offer_minutes_high: int = Field(default=60, ge=1, le=10080)
    offer_minutes_normal: int = Field(default=240, ge=1, le=10080)
    offer_minutes_low: int = Field(default=1440, ge=1, le=10080)
    routing_max_failed_offers: int = Field(default=3, ge=1, le=100)
    # Referrals (service.routing.referral_rules): how long an agency has to answer a referral,
    # by urgency, when its service publishes no response deadline of its own.
    referral_hours_critical: int = Field(default=2, ge=1, le=720)
    referral_hours_high: int = Field(default=8, ge=1, le=720)
    referral_hours_normal: int = Field(default=48, ge=1, le=720)
    referral_hours_low: int = Field(default=120, ge=1, le=720)
    # Webhooks to agencies (service.webhooks): how long a receiver has to answer, and whether
    # webhook URLs may point at loopback or private addresses (off: only public ones).
    webhooks_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhooks_allow_private_addresses: bool = False

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("previous_data_keys", mode="before")
    @classmethod
    def _split_previous_keys(cls, value: object) -> object:
        """`id:secret,id:secret`; a secret may hold colons but not commas."""
        if not isinstance(value, str):
            return value
        keys: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            key_id, colon, secret = item.partition(":")
            if not colon or not secret:
                raise ValueError("previous data keys are written id:secret,id:secret")
            if key_id in keys:
                raise ValueError(f"previous data key id {key_id} is given twice")
            keys[key_id] = secret
        return keys

    @model_validator(mode="after")
    def _data_key_with_id(self) -> Settings:
        for key_id in self.previous_data_keys:
            if not KEY_ID_PATTERN.match(key_id):
                raise ValueError(f"data key id {key_id!r} must match {KEY_ID_PATTERN.pattern}")
        if self.data_key_id in self.previous_data_keys:
            raise ValueError(f"data key id {self.data_key_id} is both current and previous")
        self.data_key = DataKey(
            self.data_key, key_id=self.data_key_id, previous=self.previous_data_keys
        )
        return self

    @property
    def is_development(self) -> bool:
        """Development or the test suite: demo data may be seeded."""
        return self.environment in (Environment.development, Environment.test)

    def check_secrets(self) -> None:
        """Refuse to run outside development with a default, missing or short secret.

        Only `development` may use the published development secrets; `test` needs real ones
        too, so a server started with the wrong environment name is never open to tokens signed
        with a key anyone can read here.
        """
        if self.environment is Environment.development:
            return
        for name, value, default in (
            ("ONESTOP_JWT_SECRET", self.jwt_secret, DEV_JWT_SECRET),
            ("ONESTOP_DATA_KEY", self.data_key, DEV_DATA_KEY),
            *(
                (f"ONESTOP_PREVIOUS_DATA_KEYS key {key_id}", secret, DEV_DATA_KEY)
                for key_id, secret in self.previous_data_keys.items()
            ),
        ):
            if not value or value == default or len(value.encode()) < MIN_SECRET_LENGTH:
                raise InsecureSettings(
                    f"{name} must be set to a secret of at least {MIN_SECRET_LENGTH} bytes "
                    f"in the {self.environment.value} environment"
                )


@lru_cache
def get_settings() -> Settings:
    return Settings()
