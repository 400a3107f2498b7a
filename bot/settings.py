"""All settings, in one place (pydantic-settings: environment, then ``.env``).

Nothing is read at import time: call ``load_settings()`` where the settings
are needed (the command line does it once and passes them on).  Every
setting is documented in ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing or has a bad value; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    discord_token: SecretStr | None = Field(default=None, description="Bot token; required by `run` only.")
    corpus_dir: Path = Field(default=Path("corpus"), description="Folder of articles.")
    discord_api_base_url: str | None = Field(default=None, description="REST base URL override.")
    discord_gateway_url: str | None = Field(default=None, description="Gateway URL override.")
    semantic: bool = Field(
        default=True, description="Use sentence embeddings beside BM25 when the model package is installed."
    )
    log_level: str = Field(default="INFO", pattern=r"(?i)^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")


def load_settings(**overrides: object) -> Settings:
    """Read the settings; ``SettingsError`` names the first bad one."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err.get("loc", ())).upper() or "settings"
        raise SettingsError(f"bad setting {name}: {err.get('msg', 'invalid value')}") from None
