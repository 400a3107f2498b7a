"""The deploy files use what the bot offers an operator (issue 31): metrics
and /healthz, JSON logs, and restarts after a network failure at start-up
(exit 3) but not after a configuration error (exit 2)."""

from __future__ import annotations

import configparser
from pathlib import Path

import yaml

from bot.cli import EXIT_USAGE
from bot.runner import EXIT_UNREACHABLE

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(DEPLOY / "story-bot.service", encoding="utf-8")
    return parser


def test_systemd_restarts_after_unreachable_not_after_a_configuration_error() -> None:
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"  # every failure but those prevented
    prevented = {int(code) for code in service["RestartPreventExitStatus"].split()}
    assert EXIT_USAGE in prevented
    assert EXIT_UNREACHABLE not in prevented
    assert EXIT_UNREACHABLE != EXIT_USAGE


def test_systemd_unit_sets_metrics_and_json_logs() -> None:
    text = (DEPLOY / "story-bot.service").read_text(encoding="utf-8")
    assert "Environment=METRICS_PORT=" in text
    assert "Environment=LOG_FORMAT=json" in text
    assert "/healthz" in text


def test_compose_files_serve_metrics_and_check_health() -> None:
    for name in ("compose.yaml", "compose.cluster.yaml"):
        compose = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
        bots = {k: v for k, v in compose["services"].items() if v.get("image") == "story-bot"}
        assert bots, name
        for service in bots.values():
            env = service["environment"]
            port = env["METRICS_PORT"]
            assert env["METRICS_HOST"] == "0.0.0.0"  # reachable through the published port
            assert env["LOG_FORMAT"] == "json"
            assert f"127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])
            assert any(p.endswith(f":{port}") and p.startswith("127.0.0.1:") for p in service["ports"])
