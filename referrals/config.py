"""Settings from `REFERRALS_*` environment variables."""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    development = "development"
    production = "production"


class GeocoderName(StrEnum):
    offline = "offline"
    nominatim = "nominatim"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRALS_", extra="ignore")

    env: Environment = Environment.development
    database_url: str = "sqlite:///./referrals.db"
    geocoder: GeocoderName = GeocoderName.offline
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    nominatim_user_agent: str = "referrals"
    seed_file: Path = PROJECT_ROOT / "seed_data" / "demo_registry.json"
    docs_enabled: bool = True
    log_level: str = "INFO"
    cors_origins: list[str] = Field(default_factory=list)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
