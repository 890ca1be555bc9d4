"""Settings from `REFERRALS_*` environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRALS_", extra="ignore")

    database_url: str = "sqlite:///./referrals.db"
    seed_file: Path = PROJECT_ROOT / "seed_data" / "demo_registry.json"
    docs_enabled: bool = True


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
