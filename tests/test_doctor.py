"""`chibo doctor` through click's CliRunner against the real emulator (Telegram and Zalo Bot
APIs on loopback) and real databases: a healthy setup passes; each thing an operator gets
wrong fails with the sentence that says what to fix, and no token or password is printed.

The CLI runs in a worker thread (it has its own event loop, as on a real machine) while the
emulator serves from the test's loop. The deployment files are checked against the CLI and
the settings, so a renamed option or setting breaks here and not on a server.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result

from bot.cli import main
from bot.doctor import mask_token
from bot.harness import running_bot
from bot.settings import Settings
from core.texts import t
from db import migrate
from emulator import Emulator, EmulatorClient
from tests.test_cli import workdir  # noqa: F401  (clean cwd and environment)

ROOT = Path(__file__).resolve().parent.parent
TG_TOKEN = "123456789:DOCTOR-telegram-token-abcdef"
ZALO_TOKEN = "987654321:DOCTOR-zalo-token-abcdef"
# The emulator answers every well-formed token as a bot of its own; one it cannot parse is
# refused as the platforms refuse an unknown token (Telegram: 404 "Not Found" → PTB's
# InvalidToken, as for 401; Zalo: HTTP 401 "Unauthorized"). Our settings accept these.
WRONG_TG = "123456789:" + "W" * 120
WRONG_ZALO = "987654321:" + "W" * 150
SECRET = "doctor-webhook-secret"
DEAD_PORT_URL = "http://127.0.0.1:9"  # nothing listens on the discard port


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(seed=3)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def sqlite_db(workdir: Path, sqlite_template: Path) -> str:  # noqa: F811
    """A migrated SQLite file in the working directory."""
    shutil.copy(sqlite_template, workdir / "chibo.db")
    return f"sqlite+aiosqlite:///{workdir / 'chibo.db'}"


def healthy_env(emu: Emulator, db_url: str, **extra: str) -> dict[str, str]:
    env = {
        "BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_URL": emu.url,
        "ZALO_BOT_TOKEN": ZALO_TOKEN,
        "ZALO_API_URL": f"{emu.url}/zalo",
        "DATABASE_URL": db_url,
        "PUBLIC_BASE_URL": "http://127.0.0.1:8443",
    }
    env.update(extra)
    return env


async def doctor(env: dict[str, str], *args: str) -> Result:
    """`chibo doctor ARGS` with `env`, in a thread: the emulator keeps serving meanwhile."""
    runner = CliRunner()
    return await asyncio.to_thread(
        runner.invoke, main, ["doctor", *args], env=env, catch_exceptions=False
    )


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def marked(result: Result, mark: str) -> list[str]:
    return [line[2:] for line in lines(result) if line.startswith(f"{mark} ")]


def assert_no_secrets(result: Result, *secrets: str) -> None:
    for secret in (TG_TOKEN, ZALO_TOKEN, WRONG_TG, WRONG_ZALO, SECRET, *secrets):
        assert secret not in result.output
        if ":" in secret:  # a token's secret half
            assert secret.partition(":")[2] not in result.output


async def set_webhook(emu: Emulator, channel: str, token: str, url: str) -> None:
    base = f"{emu.url}/zalo" if channel == "zalo" else emu.url
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{base}/bot{token}/setWebhook", json={"url": url, "secret_token": SECRET}
        )
    assert answer.json()["ok"], answer.text


# --- a healthy installation ------------------------------------------------------------------


async def test_a_healthy_setup_passes_every_check(emu: Emulator, sqlite_db: str) -> None:
    result = await doctor(healthy_env(emu, sqlite_db))
    assert result.exit_code == 0, result.output
    assert marked(result, "✗") == [] and marked(result, "⚠") == []
    ok = marked(result, "✓")
    head = migrate.head_revision()
    for expected in (
        t("doc_settings_ok"),
        t("doc_mode_polling", channel="Telegram, Zalo"),
        t("doc_db_ok", url=sqlite_db),
        t("doc_schema_ok", revision=head),
        t("doc_token_ok", channel="Telegram", value="123456789:***", name="@chibo_demo_bot"),
        t("doc_token_ok", channel="Zalo", value="987654321:***", name="«bot.chibo»"),
        t("doc_hook_polling_ok", channel="Telegram"),
        t("doc_hook_polling_ok", channel="Zalo"),
    ):
        assert expected in ok, f"missing {expected!r} in\n{result.output}"
    assert any(line.startswith("Dung lượng trống:") for line in ok)
    assert any(line.startswith("Biểu mẫu tự kiểm tra: đọc được 2 tệp") for line in ok)
    assert lines(result)[-1] == t("doc_all_ok")
    assert_no_secrets(result)


@pytest.mark.postgres
async def test_a_healthy_postgresql_database_passes(
    emu: Emulator,
    workdir: Path,  # noqa: F811
    postgres_url: str,
) -> None:
    result = await doctor(healthy_env(emu, postgres_url, CHANNELS="telegram"))
    assert result.exit_code == 0, result.output
    ok = marked(result, "✓")
    assert t("doc_db_ok", url=postgres_url) in ok
    assert t("doc_schema_ok", revision=migrate.head_revision()) in ok
    assert not any(line.startswith("Dung lượng trống") for line in ok)  # not a local file


# --- what an operator gets wrong -------------------------------------------------------------


async def test_wrong_tokens_are_refused_and_never_printed(emu: Emulator, sqlite_db: str) -> None:
    env = healthy_env(emu, sqlite_db, BOT_TOKEN=WRONG_TG, ZALO_BOT_TOKEN=WRONG_ZALO)
    result = await doctor(env)
    assert result.exit_code == 1, result.output
    assert marked(result, "✗") == [
        t("doc_token_refused", channel="Telegram", value="123456789:***"),
        t("doc_token_refused", channel="Zalo", value="987654321:***"),
    ]
    out = lines(result)
    assert out[out.index("✗ " + marked(result, "✗")[0]) + 1] == f"   → {t('doc_tg_token_fix')}"
    assert f"   → {t('doc_zalo_token_fix')}" in out
    assert out[-1] == t("doc_failures", count=2, total=0)
    assert_no_secrets(result)


async def test_an_unreachable_platform_is_named_with_its_url(
    emu: Emulator, sqlite_db: str
) -> None:
    env = healthy_env(emu, sqlite_db, TELEGRAM_API_URL=DEAD_PORT_URL, CHANNELS="telegram")
    result = await doctor(env)
    assert result.exit_code == 1
    [failure] = marked(result, "✗")
    assert failure == t(
        "doc_api_unreachable", channel="Telegram", url=DEAD_PORT_URL, reason="NetworkError"
    )
    assert_no_secrets(result)


async def test_a_missing_database_file_says_to_run_the_migrations(
    emu: Emulator,
    workdir: Path,  # noqa: F811
) -> None:
    path = workdir / "data" / "chibo.db"
    result = await doctor(healthy_env(emu, f"sqlite+aiosqlite:///{path}"))
    assert result.exit_code == 1
    assert marked(result, "✗") == [t("doc_db_missing", path=path)]
    assert f"   → {t('doc_db_missing_fix')}" in lines(result)
    assert marked(result, "–") == [t("doc_schema_skipped")]
    assert not path.exists() and not path.parent.exists()  # the doctor created nothing


async def test_a_database_behind_the_code_needs_an_upgrade(emu: Emulator, sqlite_db: str) -> None:
    await asyncio.to_thread(migrate.downgrade, sqlite_db, "-1")
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    head_script = scripts.get_revision(migrate.head_revision())
    assert head_script is not None
    previous = head_script.down_revision
    result = await doctor(healthy_env(emu, sqlite_db))
    assert result.exit_code == 1
    head = migrate.head_revision()
    assert marked(result, "✗") == [t("doc_schema_behind", revision=previous, head=head)]
    assert f"   → {t('doc_schema_fix')}" in lines(result)


async def test_an_empty_database_has_no_tables_yet(
    emu: Emulator,
    workdir: Path,  # noqa: F811
) -> None:
    (workdir / "empty.db").touch()
    result = await doctor(healthy_env(emu, f"sqlite+aiosqlite:///{workdir / 'empty.db'}"))
    assert result.exit_code == 1
    head = migrate.head_revision()
    assert marked(result, "✗") == [t("doc_schema_empty", head=head)]


async def test_an_unreachable_database_url_fails_without_its_password(
    emu: Emulator,
    workdir: Path,  # noqa: F811
) -> None:
    url = "postgresql+asyncpg://chibo:pw-Very-Secret-42@127.0.0.1:9/chibo"
    result = await doctor(healthy_env(emu, url))
    assert result.exit_code == 1
    [failure] = marked(result, "✗")
    shown = "postgresql+asyncpg://chibo:***@127.0.0.1:9/chibo"
    before_reason = t("doc_db_down", url=shown, reason="§").split("§")[0]
    assert failure.startswith(before_reason + "ConnectionRefusedError: "), failure
    assert marked(result, "–") == [t("doc_schema_skipped")]
    assert f"   → {t('doc_db_down_fix')}" in lines(result)
    assert_no_secrets(result, "pw-Very-Secret-42")


async def test_bad_settings_are_one_failure_naming_the_setting(
    workdir: Path,  # noqa: F811
) -> None:
    result = await doctor({"WEBHOOK_URL": "https://bot.example.org", "BOT_TOKEN": TG_TOKEN})
    assert result.exit_code == 1
    reason = "configuration error: WEBHOOK_SECRET is required when WEBHOOK_URL is set"
    assert marked(result, "✗") == [t("doc_settings_bad", reason=reason)]
    assert_no_secrets(result)


# --- webhooks --------------------------------------------------------------------------------


async def test_a_webhook_set_elsewhere_is_a_mismatch(emu: Emulator, sqlite_db: str) -> None:
    await set_webhook(emu, "telegram", TG_TOKEN, "http://127.0.0.1:9/old/telegram")
    await set_webhook(emu, "zalo", ZALO_TOKEN, "http://127.0.0.1:9/chibo/zalo")
    env = healthy_env(
        emu, sqlite_db, WEBHOOK_URL="http://127.0.0.1:9/chibo", WEBHOOK_SECRET=SECRET
    )
    result = await doctor(env)
    assert result.exit_code == 1
    assert marked(result, "✗") == [
        t(
            "doc_hook_mismatch",
            channel="Telegram",
            value="http://127.0.0.1:9/old/telegram",
            url="http://127.0.0.1:9/chibo/telegram",
        )
    ]
    assert t("doc_hook_ok", channel="Zalo", url="http://127.0.0.1:9/chibo/zalo") in marked(
        result, "✓"
    )
    assert f"   → {t('doc_hook_mismatch_fix')}" in lines(result)
    assert_no_secrets(result)


async def test_webhook_mode_without_a_webhook_and_polling_with_one_both_fail(
    emu: Emulator, sqlite_db: str
) -> None:
    env = healthy_env(
        emu, sqlite_db, WEBHOOK_URL="http://127.0.0.1:9", WEBHOOK_SECRET=SECRET, CHANNELS="zalo"
    )
    unset = await doctor(env)
    assert marked(unset, "✗") == [
        t("doc_hook_unset", channel="Zalo", url="http://127.0.0.1:9/zalo")
    ]
    await set_webhook(emu, "telegram", TG_TOKEN, "https://bot.example.org/telegram")
    polling = await doctor(healthy_env(emu, sqlite_db, CHANNELS="telegram"))
    assert polling.exit_code == 1
    assert marked(polling, "✗") == [
        t("doc_hook_in_polling", channel="Telegram", value="https://bot.example.org/telegram")
    ]


async def test_telegrams_last_webhook_error_is_shown(emu: Emulator, sqlite_db: str) -> None:
    """The webhook is right, but nothing answers there: Telegram's own error is reported."""
    await set_webhook(emu, "telegram", TG_TOKEN, f"{DEAD_PORT_URL}/telegram")
    async with EmulatorClient(emu.url, TG_TOKEN) as client:
        await client.send(5001, "/start", first_name="An")
    info = emu.telegram.bot(TG_TOKEN).webhook
    assert info is not None
    for _ in range(200):  # the emulator tries, backs off and records the error
        if info.last_error_message is not None:
            break
        await asyncio.sleep(0.05)
    env = healthy_env(
        emu, sqlite_db, WEBHOOK_URL=DEAD_PORT_URL, WEBHOOK_SECRET=SECRET, CHANNELS="telegram"
    )
    result = await doctor(env)
    assert result.exit_code == 1
    [failure] = marked(result, "✗")
    assert failure.startswith("Telegram: lần gửi webhook lỗi gần nhất lúc ")
    assert failure.endswith(": Connection failed: ClientConnectorError"), failure
    assert f"   → {t('doc_hook_error_fix')}" in lines(result)


async def test_a_public_address_must_be_https(emu: Emulator, sqlite_db: str) -> None:
    env = healthy_env(
        emu,
        sqlite_db,
        CHANNELS="zalo",
        WEBHOOK_URL="http://bot.example.org",
        WEBHOOK_SECRET=SECRET,
        PUBLIC_BASE_URL="http://bot.example.org",
    )
    result = await doctor(env)
    failures = marked(result, "✗")
    assert t("doc_https_needed", name="WEBHOOK_URL", url="http://bot.example.org") in failures
    assert t("doc_public_https", url="http://bot.example.org") in failures


async def test_telegram_posts_only_to_its_four_ports(emu: Emulator, sqlite_db: str) -> None:
    hook = {"WEBHOOK_SECRET": SECRET, "CHANNELS": "telegram"}
    wrong = await doctor(
        healthy_env(emu, sqlite_db, WEBHOOK_URL="https://b.example.org:8080", **hook)
    )
    assert t("doc_tg_port", url="https://b.example.org:8080") in marked(wrong, "✗")
    for url in ("https://b.example.org", "https://b.example.org:8443/chibo"):
        right = await doctor(healthy_env(emu, sqlite_db, WEBHOOK_URL=url, **hook))
        assert t("doc_tg_port", url=url) not in marked(right, "✗")


async def test_zalo_without_public_address_is_a_warning(emu: Emulator, sqlite_db: str) -> None:
    env = healthy_env(emu, sqlite_db)
    del env["PUBLIC_BASE_URL"]
    result = await doctor(env)
    assert result.exit_code == 0, result.output
    assert marked(result, "⚠") == [t("doc_zalo_no_files")]
    assert t("doc_web_none") in marked(result, "✓")
    assert lines(result)[-1] == t("doc_warnings_only", count=1)


async def test_a_wrong_bot_username_is_a_failure(emu: Emulator, sqlite_db: str) -> None:
    env = healthy_env(emu, sqlite_db, BOT_USERNAME="other_bot", CHANNELS="telegram")
    result = await doctor(env)
    assert marked(result, "✗") == [
        t("doc_username_mismatch", value="other_bot", name="@chibo_demo_bot")
    ]


# --- --quick: the container's health check ---------------------------------------------------


async def test_quick_without_a_web_server_checks_only_the_database(
    sqlite_db: str,
    workdir: Path,  # noqa: F811
) -> None:
    """No platform is called: the emulator is not even running."""
    env = {"DATABASE_URL": sqlite_db, "BOT_TOKEN": TG_TOKEN, "TELEGRAM_API_URL": DEAD_PORT_URL}
    result = await doctor(env, "--quick")
    assert result.exit_code == 0, result.output
    assert t("doc_db_ok", url=sqlite_db) in marked(result, "✓")
    assert t("doc_title") not in lines(result)
    broken = await doctor({**env, "DATABASE_URL": "sqlite+aiosqlite:///nowhere/x.db"}, "--quick")
    assert broken.exit_code == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_quick_asks_the_running_bots_health_endpoint(
    sqlite_db: str,
    workdir: Path,  # noqa: F811
) -> None:
    port = free_port()
    web = {"public_base_url": f"http://127.0.0.1:{port}", "webhook_port": port}
    env = {"DATABASE_URL": sqlite_db, "PUBLIC_BASE_URL": web["public_base_url"]}
    env["WEBHOOK_PORT"] = str(port)
    down = await doctor(env, "--quick")
    assert down.exit_code == 1
    url = f"http://127.0.0.1:{port}/health"
    assert marked(down, "✗") == [t("doc_health_bad", url=url, reason="ConnectionRefusedError")]
    async with running_bot(sqlite_db, migrate_first=False, **web):
        up = await doctor(env, "--quick")
    assert up.exit_code == 0, up.output
    assert marked(up, "✓") == [t("doc_health_ok", url=url, revision=migrate.head_revision())]


# --- the deployment files fit the CLI and the settings ---------------------------------------


def _docker_json(line: str) -> list[str]:
    found = re.search(r"(\[.*\])\s*$", line)
    assert found, line
    return list(yaml.safe_load(found.group(1)))


def test_the_dockerfile_runs_real_commands_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    commands = {
        line.split()[0]: line for line in dockerfile if line and not line.startswith((" ", "#"))
    }
    assert commands["FROM"].split()[1].startswith("python:3.11-slim")
    user = commands["USER"].split()[1]
    assert user not in ("root", "0")
    health = _docker_json(commands["HEALTHCHECK"])
    run = _docker_json(commands["CMD"])
    assert health[:3] == ["chibo", "doctor", "--quick"] and run == ["chibo", "run"]
    for argv in (health, run):
        main.make_context("chibo", argv[1:])  # an unknown command or option raises


def _setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def test_compose_and_systemd_use_real_settings_and_commands() -> None:
    compose: dict[str, Any] = yaml.safe_load(
        (ROOT / "deploy" / "docker-compose.yml").read_text(encoding="utf-8")
    )
    services = compose["services"]
    assert {"db", "migrate", "bot"} <= services.keys()
    for name in ("migrate", "bot"):
        environment = services[name].get("environment", {})
        assert set(environment) <= _setting_names(), name
        assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://")
    migrate_cmd = services["migrate"]["command"]
    main.make_context("chibo", migrate_cmd[1:])
    assert services["bot"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "healthcheck" in services["db"]
    probe = services["bot"]["healthcheck"]["test"]
    port = services["bot"]["environment"]["WEBHOOK_PORT"]
    assert probe[:3] == ["CMD", "python", "-c"] and f"127.0.0.1:{port}/health" in probe[3]
    unit = (ROOT / "deploy" / "chibo-bot.service").read_text(encoding="utf-8")
    keys = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and line[0] != "#")
    for key in ("User", "WorkingDirectory", "EnvironmentFile", "ReadWritePaths"):
        assert keys.get(key), key
    assert keys["Restart"] == "on-failure" and keys["NoNewPrivileges"] == "yes"
    assert keys["ProtectSystem"] == "strict"
    start = shlex.split(keys["ExecStart"])
    assert start[0].endswith("/chibo") and start[1:] == ["run"]
    for assignment in re.findall(r"^Environment=(.+)$", unit, re.M):
        assert shlex.split(assignment)[0].split("=")[0] in _setting_names() | {"MPLCONFIGDIR"}


def test_masked_tokens_keep_only_the_bots_public_id() -> None:
    assert mask_token(TG_TOKEN) == "123456789:***"
    assert mask_token("not-a-token") == "***"
