"""Settings from environment variables with the prefix TRP_ (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRP_", frozen=True)

    surveys_dir: Path = ROOT / "surveys"
    # The vendor's name in the page header, the browser tab and the profile page; none by default,
    # since the product's own name means nothing to a partner.
    vendor_name: str = ""
    # Path or https URL of the vendor's logo, shown in the page header.
    vendor_logo: str | None = None
    # The vendor's accent colour for the partner's point in the charts (the widgets follow
    # .streamlit/config.toml or the STREAMLIT_THEME_PRIMARY_COLOR environment variable).
    accent_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    # Surveys offered on the start page; empty means every valid file in surveys_dir.
    published: list[str] = []
    # The address visitors reach the app at: links in QR codes point here.
    public_url: str = Field(default="http://localhost:8501", pattern=r"^https?://[^\s?#]+$")
    # Recruitment events for kiosk mode (see README, "Recruitment events").
    events_file: Path = ROOT / "data" / "events.yaml"
    # SQLite file by default; PostgreSQL with postgresql+psycopg://user:password@host/db.
    database_url: str = f"sqlite:///{ROOT / 'data' / 'trp.sqlite3'}"
    # Manager accounts given as argon2id hashes (`trp admin hash`), besides those in the database:
    # NAME:HASH entries separated by ";" or white space; a name here wins over the database's.
    managers: str = ""
    # Optional single sign-on for managers (OpenID Connect, through Streamlit's st.login): the
    # provider's discovery document, this app's client at the provider, and the e-mail addresses
    # that may log in (separated by ";" or white space). The callback is TRP_PUBLIC_URL/oauth2callback.
    oidc_metadata_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_managers: str = ""
    # Signs Streamlit's short-lived identity cookie between the provider's callback and the manager
    # session; the same on every replica. Empty: random per process (one replica).
    oidc_cookie_secret: str = ""
    # A manager session ends after this many minutes without activity.
    manager_idle_minutes: float = Field(default=30, gt=0, le=24 * 60)
    # The minimum-group rule (DESIGN.md): a figure about fewer responses than this is not shown.
    # trp_core.privacy.suppression.min_group never uses less than 3, whatever is set here.
    min_group: int = 5
    # The key that signs the links of events and campaigns (trp_core.services.tags). Unset, each
    # database makes its own random key on first use and keeps it (table signing_keys), so replicas
    # and a restored backup sign alike; set it (32 random characters or more) to keep the key out of
    # the database. Changing it makes every link printed so far tag nothing.
    secret: SecretStr = SecretStr("")

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters long (or unset: the database keeps its own key)")
        return value


def get_settings() -> Settings:
    return Settings()
