"""Settings from `REFERRALS_*` environment variables."""

from enum import StrEnum
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

import limits
from cryptography.fernet import Fernet, MultiFernet
from geopy.geocoders import options as geopy_options
from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_GEOPY_AGENT = geopy_options.default_user_agent.split("/")[0] + "/"  # "geopy/2.5.0" and kin


class Environment(StrEnum):
    development = "development"
    production = "production"


class GeocoderName(StrEnum):
    offline = "offline"
    nominatim = "nominatim"


class Settings(BaseSettings):
    # a bad setting is named in the error, never quoted: some hold passwords or keys
    model_config = SettingsConfigDict(
        env_prefix="REFERRALS_", extra="ignore", hide_input_in_errors=True
    )

    env: Environment = Environment.development
    database_url: str = "sqlite:///./referrals.db"
    seed_file: Path = PROJECT_ROOT / "seed_data" / "demo_registry.json"
    # /docs, /redoc and /openapi.json; off by default when REFERRALS_ENV=production
    docs_enabled: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Browser origins allowed to call the API ("https://a.example,https://b.example"); none
    # by default, and then there is no CORS at all.
    cors_origins: Annotated[list[str], NoDecode] = []

    # Fernet keys (comma-separated, newest first) that encrypt patients' data at rest. Left
    # out in development, a key file is made beside the SQLite database (or in the working
    # folder); production refuses to start without keys.
    phi_key: SecretStr | None = None
    intake_rate_limit: str = "10/minute"
    # Where that limit counts: this process's memory, or a Redis that every worker and host
    # shares ("redis://host:6379/0"; needs the `redis` extra).
    intake_rate_limit_storage: str = "memory://"

    # Sites without lat/lon: `offline` places them at their ZIP's centroid; `nominatim` looks
    # up the street address online and falls back to the ZIP centroid.
    geocoder: GeocoderName = GeocoderName.offline
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    nominatim_user_agent: str = ""
    nominatim_min_delay_seconds: float = 1.0
    nominatim_timeout_seconds: float = 5.0

    @field_validator("phi_key")
    @classmethod
    def _fernet_keys(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            try:
                MultiFernet([Fernet(one) for one in split_keys(key.get_secret_value())])
            except ValueError:
                raise ValueError(
                    "must be Fernet keys (`referrals phi new-key` makes one), comma-separated"
                ) from None
        return key

    @field_validator("nominatim_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return url

    @field_validator("nominatim_min_delay_seconds", "nominatim_timeout_seconds")
    @classmethod
    def _not_negative(cls, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("must not be negative")
        return seconds

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, level: object) -> object:
        return level.upper() if isinstance(level, str) else level

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, origins: object) -> object:
        if isinstance(origins, str):
            return [origin.strip() for origin in origins.split(",") if origin.strip()]
        return origins

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise ValueError("must be origins such as https://clinic.example, comma-separated")
        return origins

    @field_validator("intake_rate_limit")
    @classmethod
    def _rate(cls, rate: str) -> str:
        try:
            limits.parse(rate)
        except ValueError:
            raise ValueError('must be a rate such as "10/minute"') from None
        return rate

    @field_validator("intake_rate_limit_storage")
    @classmethod
    def _rate_storage(cls, uri: str) -> str:
        scheme, written, _ = uri.partition("://")  # as written: storages' schemes are lowercase
        try:
            urlsplit(uri).port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            raise ValueError("has a port that is not a number") from None
        if not written or scheme not in ("memory", "redis", "rediss", "redis+unix"):
            raise ValueError("must be memory:// or a redis://, rediss:// or redis+unix:// URL")
        if scheme != "memory" and find_spec("redis") is None:
            raise ValueError("needs the redis extra: pip install 'referrals[redis]'")
        return uri

    @model_validator(mode="after")
    def _no_docs_in_production_unless_asked(self) -> Self:
        if self.env == Environment.production and "docs_enabled" not in self.model_fields_set:
            self.docs_enabled = False
        return self

    @model_validator(mode="after")
    def _production_needs_a_phi_key(self) -> Self:
        if self.env == Environment.production and self.phi_key is None:
            raise ValueError("REFERRALS_PHI_KEY is required when REFERRALS_ENV=production")
        return self

    @model_validator(mode="after")
    def _nominatim_needs_a_user_agent(self) -> Self:
        """Nominatim's usage policy asks every application to name itself."""
        if self.geocoder == GeocoderName.nominatim:
            agent = self.nominatim_user_agent.strip()
            if not agent or agent.startswith(_GEOPY_AGENT):
                raise ValueError(
                    "REFERRALS_NOMINATIM_USER_AGENT must name this application and a contact, "
                    'e.g. "referrals/1.0 (ops@example.com)", when REFERRALS_GEOCODER=nominatim'
                )
        return self


def split_keys(text: str) -> list[str]:
    """Keys separated by commas or lines, newest first, as `REFERRALS_PHI_KEY` and the
    development key file hold them."""
    return [key.strip() for key in text.replace("\n", ",").split(",") if key.strip()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
