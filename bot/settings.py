"""All settings, in one place (pydantic-settings: environment, then ``.env``).

Nothing is read at import time: call ``load_settings()`` where the settings
are needed (the command line does it once and passes them on).  Every
setting is documented in ``.env.example``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IdList = Annotated[list[int], NoDecode]
"""Discord ids, written in the environment as ``123, 456`` (or empty)."""
ShardIds = Annotated[list[int] | None, NoDecode]
"""Shard ids, written ``0-3``, ``4,5,6,7`` or ``0-1,5``."""


def parse_shard_ids(text: str) -> list[int]:
    """``0-3`` -> [0, 1, 2, 3]; ``4,5`` -> [4, 5]; ``0-1,5`` -> [0, 1, 5].
    ``ValueError`` (one line) for anything else, or an id given twice."""
    ids: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        if not (low.strip().isdigit() and (not dash or high.strip().isdigit())):
            raise ValueError(f"{part!r} is not a shard id or a range like 0-3 (write e.g. 0-3, 4,5,6,7 or 0-1,5)")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"the range {part!r} is backwards (write {last}-{first})")
        if last - first >= 1_000_000:
            raise ValueError(f"the range {part!r} is larger than any SHARD_COUNT")
        ids.extend(range(first, last + 1))
    seen: set[int] = set()
    for shard in ids:
        if shard in seen:
            raise ValueError(f"shard {shard} is listed twice")
        seen.add(shard)
    return ids


class SettingsError(Exception):
    """A setting is missing or has a bad value; the message names it."""


def _shown(item: str) -> str:
    """A bad list item as an error may show it: short ones quoted, a long one
    (a token pasted into the wrong setting) only by its length."""
    return repr(item) if len(item) <= 20 else f"({len(item)} characters, not shown)"


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
    answer_channel_ids: IdList = Field(default_factory=list, description="Channels where every message is a question.")
    admin_user_ids: IdList = Field(default_factory=list, description="Users who may run admin commands.")
    admin_role_ids: IdList = Field(default_factory=list, description="Roles whose members may run admin commands.")
    dev_guild_id: int | None = Field(default=None, description="Guild for instant development command sync.")
    question_cooldown_rate: int = Field(default=5, ge=1, le=1000, description="Questions a user may ask per period.")
    question_cooldown_seconds: float = Field(default=30.0, gt=0, le=86400, description="Cooldown period in seconds.")
    watch_corpus: bool = Field(default=False, description="Reload automatically when corpus files change.")
    upload_max_bytes: int = Field(
        default=1_000_000, ge=1, le=10_000_000, description="Largest article file /corpus add accepts."
    )
    database_path: Path = Field(
        default=Path("data/bot.sqlite3"), description="SQLite file for the question log and votes."
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL for the question log and reloads shared by several processes; empty: SQLite.",
    )
    index_cache_dir: Path | None = Field(
        default=Path("data/index-cache"),
        description="Folder where the built index is saved for quick restarts; `off`: no saving.",
    )
    fetch_allow_private: bool = Field(
        default=False, description="Let `add URL` and /corpus add url fetch private and loopback addresses."
    )
    fetch_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, le=50_000_000, description="Largest page read, as sent and decompressed."
    )
    fetch_timeout_seconds: float = Field(
        default=20.0, gt=0, le=120, description="Time for a whole fetch, redirects included."
    )
    fetch_max_redirects: int = Field(default=5, ge=0, le=20, description="Redirects followed at most.")
    server_indexes_loaded: int = Field(
        default=100, ge=1, le=100_000, description="Servers' own indexes kept in memory (most recently asked)."
    )
    answer_workers: int | None = Field(
        default=None, ge=1, le=64, description="Questions answered at once; empty: one per core."
    )
    answer_max_wait_seconds: float = Field(
        default=5.0, gt=0, le=60, description="A question that waited longer for a worker gets 'busy, try again'."
    )
    question_log_retention_days: float = Field(
        default=90.0, gt=0, le=3650, description="Days the question log keeps questions and votes."
    )
    shard_count: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Shards across every process; empty: Discord's recommended count."
    )
    shard_ids: ShardIds = Field(
        default=None, description="The shards this process runs (0-3, 4,5,6,7); needs SHARD_COUNT; empty: all."
    )
    log_level: str = Field(default="INFO", pattern=r"(?i)^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")

    # -- each server's own settings (/settings; issue 29) --
    message_content_intent: bool = Field(
        default=False,
        description="Ask for the Message Content intent, so that servers' admins may turn on answer channels.",
    )

    # -- running it as a service (issue 31) --------------------------------------
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve /metrics and /healthz on this port (`run`); empty: off."
    )
    metrics_host: str = Field(default="127.0.0.1", min_length=1, description="Address the metrics server listens on.")
    log_format: str = Field(
        default="text", pattern=r"(?i)^(text|json)$", description="text, or json: one JSON object a line."
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_is_default(cls, data: Any) -> Any:
        """A setting left blank (``CORPUS_DIR=`` in ``.env``, as the example
        file invites for others) means its default, never "" (which would
        make the working folder the corpus)."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @field_validator("answer_channel_ids", "admin_user_ids", "admin_role_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
            bad = next((n for n, part in enumerate(parts, 1) if not part.isdigit()), None)
            if bad is not None:
                raise ValueError(f"item {bad} {_shown(parts[bad - 1])} is not an id (a number): write ids as 123, 456")
            return parts
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: Any) -> Any:
        return parse_shard_ids(value) if isinstance(value, str) else value

    @field_validator("shard_ids")
    @classmethod
    def _shards_in_count(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        """Checked against SHARD_COUNT (validated first: it comes first)."""
        if value is None:
            return None
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("needs SHARD_COUNT, the number of shards across every process")
        if not value:
            raise ValueError("lists no shard")
        if len(set(value)) != len(value):
            raise ValueError("lists a shard twice")
        outside = [i for i in value if not 0 <= i < count]
        if outside:
            raise ValueError(f"shard {outside[0]} is outside SHARD_COUNT={count} (ids run from 0 to {count - 1})")
        return value

    @field_validator("index_cache_dir", mode="before")
    @classmethod
    def _cache_off(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip().lower() in ("off", "none", "false") else value

    @field_validator("discord_api_base_url", "discord_gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be an http(s):// or ws(s):// URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        """Never echoed: the URL may hold a password."""
        if value is None:
            return None
        url = value.get_secret_value().strip()
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// (or postgres://) URL, or empty for SQLite at DATABASE_PATH")
        return SecretStr(url)


def load_settings(**overrides: object) -> Settings:
    """Read the settings; ``SettingsError`` names the first bad one (or the
    ``.env`` line that is not a setting)."""
    check_env_file(Path(".env"))
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err.get("loc", ())
        name = str(loc[0]).upper() if loc else "settings"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise SettingsError(f"bad setting {name}: {msg}") from None


# ---------------------------------------------------------------------------
# The .env file's lines (issue 31).


def check_env_file(path: Path) -> None:
    """``SettingsError`` naming ``path`` and the line when a line of it is
    not ``NAME=value`` (nor blank, nor a comment): python-dotenv only logs
    it, without the file's name, and the setting the operator meant is
    silently missing."""
    from dotenv.parser import parse_stream

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path} ({exc}): fix it or remove it") from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error or (binding.key is not None and binding.value is None):  # (not echoed: a pasted token?)
            raise SettingsError(
                f"{path} line {binding.original.line} is not a setting: write NAME=value, or # before a comment"
            )
