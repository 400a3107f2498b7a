"""Settings: environment and .env, lists of ids, bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

NAMES = (
    "DISCORD_TOKEN CORPUS_DIR DISCORD_API_BASE_URL DISCORD_GATEWAY_URL SEMANTIC ANSWER_CHANNEL_IDS ADMIN_USER_IDS "
    "ADMIN_ROLE_IDS DEV_GUILD_ID QUESTION_COOLDOWN_RATE QUESTION_COOLDOWN_SECONDS WATCH_CORPUS UPLOAD_MAX_BYTES "
    "DATABASE_PATH DATABASE_URL QUESTION_LOG_RETENTION_DAYS LOG_LEVEL"
).split()
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's folder


def test_defaults() -> None:
    s = load_settings()
    assert s.discord_token is None
    assert str(s.corpus_dir) == "corpus"
    assert s.answer_channel_ids == []
    assert s.discord_api_base_url is None


def test_id_lists_from_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSWER_CHANNEL_IDS", "123, 456;789")
    monkeypatch.setenv("ADMIN_ROLE_IDS", "")
    s = load_settings()
    assert s.answer_channel_ids == [123, 456, 789]
    assert s.admin_role_ids == []


def test_dotenv_is_read_and_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CORPUS_DIR=from-dotenv\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    s = load_settings()
    assert str(s.corpus_dir) == "from-dotenv"
    assert s.log_level == "WARNING"


def test_token_is_secret_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    s = load_settings()
    assert "very-secret-token" not in repr(s)
    assert "very-secret-token" not in str(s)
    assert s.discord_token is not None
    assert s.discord_token.get_secret_value() == "very-secret-token"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANSWER_CHANNEL_IDS", "12, twelve"),
        ("DEV_GUILD_ID", "guild"),
        ("QUESTION_COOLDOWN_RATE", "0"),
        ("QUESTION_COOLDOWN_SECONDS", "-1"),
        ("LOG_LEVEL", "LOUD"),
        ("DISCORD_API_BASE_URL", "discord.com/api"),
        ("SEMANTIC", "perhaps"),
    ],
)
def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_env_example_documents_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"\n{name}=" in example, name


def test_database_url_empty_is_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert load_settings().database_url is None


@pytest.mark.parametrize("url", ["postgresql://bot:pw@db:5432/bot", "postgres://bot@db/bot"])
def test_database_url_postgres_is_kept_secret(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", f" {url} ")
    s = load_settings()
    assert s.database_url is not None
    assert s.database_url.get_secret_value() == url
    assert "pw@" not in repr(s)


@pytest.mark.parametrize("url", ["mysql://bot:hunter2@db/bot", "sqlite:///data/bot.sqlite3", "db.example:5432"])
def test_database_url_other_than_postgres_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError, match=r"DATABASE_URL.*postgresql://") as caught:
        load_settings()
    assert url not in str(caught.value)


def test_blank_corpus_dir_means_the_default_not_the_working_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    for blank in ("", "   "):
        monkeypatch.setenv("CORPUS_DIR", blank)
        assert load_settings().corpus_dir == Path("corpus")


def test_blank_settings_in_dotenv_mean_their_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``.env.example`` invites ``NAME=`` lines: each means the default."""
    monkeypatch.delenv("INDEX_CACHE_DIR", raising=False)  # set by conftest.py
    (tmp_path / ".env").write_text(
        "CORPUS_DIR=\nQUESTION_COOLDOWN_RATE=\nLOG_LEVEL= \nDEV_GUILD_ID=\nINDEX_CACHE_DIR=\n", encoding="utf-8"
    )
    s = load_settings()
    assert s.corpus_dir == Path("corpus")
    assert s.question_cooldown_rate == 5
    assert s.log_level == "INFO"
    assert s.dev_guild_id is None
    assert s.index_cache_dir == Path("data/index-cache")


@pytest.mark.parametrize("value", ["off", "OFF", "none", "false"])
def test_index_cache_dir_off_disables_saving(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("INDEX_CACHE_DIR", value)
    assert load_settings().index_cache_dir is None


# -- shards (#16) ----------------------------------------------------------------


@pytest.fixture
def no_shard_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHARD_COUNT", raising=False)
    monkeypatch.delenv("SHARD_IDS", raising=False)


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [
        ("4", "0-3", [0, 1, 2, 3]),
        ("8", "4,5,6,7", [4, 5, 6, 7]),
        ("8", "0-1,5", [0, 1, 5]),
        ("8", " 2 - 3 , 7 ", [2, 3, 7]),
        ("1", "0", [0]),
        ("2", "", None),
    ],
)
def test_shard_ids_forms(monkeypatch: pytest.MonkeyPatch, count: str, ids: str, expected: list[int] | None) -> None:
    monkeypatch.setenv("SHARD_COUNT", count)
    monkeypatch.setenv("SHARD_IDS", ids)
    s = load_settings()
    assert s.shard_count == int(count)
    assert s.shard_ids == expected


@pytest.mark.usefixtures("no_shard_env")
def test_no_shard_settings_is_one_unsharded_process() -> None:
    s = load_settings()
    assert s.shard_count is None
    assert s.shard_ids is None


@pytest.mark.parametrize(
    ("env", "name", "words"),
    [
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT", "greater than or equal to 1"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT", "valid integer"),
        ({"SHARD_COUNT": "-1", "SHARD_IDS": "0"}, "SHARD_COUNT", "greater than or equal to 1"),
        ({"SHARD_IDS": "0-3"}, "SHARD_IDS", "needs SHARD_COUNT"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-4"}, "SHARD_IDS", "shard 4 is outside SHARD_COUNT=4"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0,0"}, "SHARD_IDS", "shard 0 is listed twice"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-2,2"}, "SHARD_IDS", "shard 2 is listed twice"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS", "backwards"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "a-b"}, "SHARD_IDS", "not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0,,1"}, "SHARD_IDS", "not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "-1"}, "SHARD_IDS", "not a shard id or a range"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0-99999999"}, "SHARD_IDS", "larger than any SHARD_COUNT"),
    ],
)
@pytest.mark.usefixtures("no_shard_env")
def test_bad_shard_settings_are_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], name: str, words: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"bad setting {name}: ")
    assert words in message
    assert "\n" not in message
