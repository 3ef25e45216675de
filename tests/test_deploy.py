"""`deploy/`, as far as it can be tried here without Docker or systemd: the compose file parses,
each process it starts is a real `debtcoach` subcommand that starts with the settings the
environment file gives it, and the environment file documents every setting there is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.cli import parser
from bot.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
ENV_FILE = DEPLOY / "debtcoach.env.example"
# Read by the containers of compose.yaml, not by DebtCoach.
FOR_COMPOSE = {"POSTGRES_PASSWORD", "DEBTCOACH_DOMAIN"}
SETTING = re.compile(r"(# )?([A-Z][A-Z0-9_]+)=(.*)")


def subcommands() -> set[str]:
    """The subcommands `debtcoach --help` lists."""
    listed = re.search(r"\{([a-z,-]+)\}", parser().format_usage())
    assert listed is not None
    return set(listed.group(1).split(","))


def env_lines() -> list[tuple[str, str, bool]]:
    """The file's settings (set, or shown commented out): name, value, and whether words explain
    it, just above it or above the settings right before it."""
    lines = ENV_FILE.read_text().splitlines()
    found = []
    for number, line in enumerate(lines):
        setting = SETTING.fullmatch(line)
        if setting is None:
            continue
        above = number - 1
        while above >= 0 and SETTING.fullmatch(lines[above]):
            above -= 1
        explained = above >= 0 and lines[above].startswith("# ")
        found.append((setting.group(2), setting.group(3), explained))
    return found


def debtcoach_services() -> dict[str, dict[str, object]]:
    services: dict[str, dict[str, object]] = COMPOSE["services"]
    return {name: service for name, service in services.items() if service.get("image") == "debtcoach:latest"}


def test_the_compose_file_runs_postgres_a_migration_the_webhook_two_workers_and_a_proxy() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "migrate", "webhook", "worker", "proxy"}
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("webhook", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "--to webhook:8080" in " ".join(services["proxy"]["command"])
    assert sorted(services["proxy"]["ports"]) == ["443:443", "80:80"]
    assert "ports" not in services["webhook"] and "ports" not in services["postgres"], "only the proxy is open"


def test_each_process_is_a_real_debtcoach_subcommand() -> None:
    known = subcommands()
    commands = {name: service["command"] for name, service in debtcoach_services().items()}
    assert set(commands) == {"migrate", "webhook", "worker"}
    for name, command in commands.items():
        assert isinstance(command, list) and command[0] == "debtcoach" and command[1] in known, name
        with pytest.raises(SystemExit) as shown:
            parser().parse_args([*command[1:], "--help"])
        assert shown.value.code == 0
    for unit in (DEPLOY / "systemd").glob("*.service"):
        exec_start = re.search(r"^ExecStart=\S*/debtcoach (\S+)$", unit.read_text(), re.MULTILINE)
        assert exec_start is not None and exec_start.group(1) in known, unit.name
        assert "EnvironmentFile=/etc/debtcoach.env" in unit.read_text()
        assert "UMask=0077" in unit.read_text(), "a person's financial life: owner-only files"


def test_the_environment_file_documents_every_setting_and_nothing_else() -> None:
    named = {name for name, _, _ in env_lines()}
    settings = {str(field.validation_alias) for field in Settings.model_fields.values()}
    assert named - FOR_COMPOSE == settings
    undocumented = [name for name, _, explained in env_lines() if not explained]
    assert undocumented == []


def test_the_environment_file_filled_in_starts_each_process(tmp_path: Path) -> None:
    """With its placeholders filled in (a token, a key, a secret), the file gives each process
    what it checks for before it starts."""
    from bot import sealing

    shown_only = {m.group(2) for m in map(SETTING.fullmatch, ENV_FILE.read_text().splitlines()) if m and m.group(1)}
    filled = {name: value for name, value, _ in env_lines() if name not in shown_only}
    filled["DEBTCOACH_KEYS"] = sealing.new_key()
    filled["DEBTCOACH_WEBHOOK_SECRET"] = "a-secret_0123456789"
    filled["DEBTCOACH_HOME"] = str(tmp_path)
    env = tmp_path / "debtcoach.env"
    env.write_text("".join(f"{name}={value}\n" for name, value in filled.items()))
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.telegram_bot_token and settings.webhook_secret and settings.sealing_keys()
    assert settings.webhook_url is not None and settings.webhook_url.startswith("https://")
    assert settings.webhook_url.removeprefix("https://").startswith(filled["DEBTCOACH_DOMAIN"] + "/")


def test_the_image_carries_the_code_and_the_templates() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for part in ("bot", "dialogs", "templates"):
        assert f"COPY {part} {part}" in dockerfile
    assert "pip install --no-cache-dir -e ." in dockerfile  # the templates are read from beside the code
    assert "USER debtcoach" in dockerfile
