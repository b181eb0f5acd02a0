"""Settings from environment variables with the prefix TRP_ (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRP_", frozen=True)

    surveys_dir: Path = ROOT / "surveys"
    vendor_name: str = "TRP Self-Check"


def get_settings() -> Settings:
    return Settings()
