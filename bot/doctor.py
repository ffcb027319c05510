"""`chibo doctor`: check an installation and say, in Vietnamese, what to fix.

Each check is a `Finding` (✓ ok, ⚠ warning, ✗ failure, – skipped) with the fix for anything
not ok. Checked: the settings, the self-check forms, the database (reachable, schema at the
code's head, free disk space of a SQLite file's folder), each running channel's token
(getMe) and webhook state (getWebhookInfo: the URL WEBHOOK_URL asks for, or none when
polling; Telegram's pending updates and last delivery error), and the public addresses.

Nothing secret is printed: tokens are shown as `<bot id>:***`, a database URL without its
password, and no member data is read (the only queries are `SELECT 1` and Alembic's
version). `quick` is the container health check: the running bot's `/health` when it has
a web server, else the database and schema only (no network calls to the platforms).
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import json
import logging
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.settings import Settings
from core.delivery import DeliveryError, Failure
from core.forms import DEFAULT_DIR, FormError, load_forms
from core.texts import t
from db import migrate
from db.engine import Database

DB_TIMEOUT = 10.0  # seconds for the database to answer
API_TIMEOUT = 10.0  # seconds for getMe and getWebhookInfo
HEALTH_TIMEOUT = 5.0  # seconds for the running bot's /health
DISK_FAIL_MB = 200  # below this a SQLite database may stop mid-write
DISK_WARN_MB = 1024
PENDING_WARN = 100  # updates waiting at Telegram: the bot is slow or not receiving
RECENT_ERROR = timedelta(hours=1)  # Telegram keeps the last webhook error for ever
HEALTH_PATH = "/health"
LABELS = {"telegram": "Telegram", "zalo": "Zalo"}
LOOPBACK_NAMES = {"localhost"}
TELEGRAM_PORTS = (None, 443, 80, 88, 8443)  # the only ports Telegram posts webhooks to


class Status(enum.Enum):
    OK = "✓"
    WARN = "⚠"
    FAIL = "✗"
    SKIP = "–"


@dataclass(frozen=True, slots=True)
class Finding:
    status: Status
    text: str
    fix: str | None = None


def _ok(text_: str) -> Finding:
    return Finding(Status.OK, text_)


def _fail(text_: str, fix: str) -> Finding:
    return Finding(Status.FAIL, text_, fix)


def _warn(text_: str, fix: str) -> Finding:
    return Finding(Status.WARN, text_, fix)


# --- entry points ----------------------------------------------------------------------------


def settings_failed(message: str) -> list[Finding]:
    """The one finding when the settings do not load (a `SettingsError` line)."""
    return [_fail(t("doc_settings_bad", reason=message), t("doc_settings_fix"))]


async def diagnose(settings: Settings, *, now: datetime | None = None) -> list[Finding]:
    """Every check, in the order an operator fixes things."""
    now = now or datetime.now(UTC)
    found = [_ok(t("doc_settings_ok")), *_addresses(settings), _forms()]
    found += await _database(settings)
    if "telegram" in settings.running_channels:
        found += await _telegram(settings, now)
    if "zalo" in settings.running_channels:
        found += await _zalo(settings)
    return found


async def quick(settings: Settings) -> list[Finding]:
    """The health check: the running bot's `/health`, or the database without a web server."""
    if not has_web_server(settings):
        return await _database(settings)
    url = health_url(settings)
    try:
        status, body = await asyncio.to_thread(_get_json, url)
    except (OSError, ValueError) as exc:
        return [_fail(t("doc_health_bad", url=url, reason=_kind(exc)), t("doc_health_fix"))]
    if status != 200 or body.get("status") != "ok":
        reason = f"HTTP {status}, {body.get('database', '?')}"
        return [_fail(t("doc_health_bad", url=url, reason=reason), t("doc_health_fix"))]
    return [_ok(t("doc_health_ok", url=url, revision=body.get("schema", "?")))]


def render(findings: Sequence[Finding], *, title: bool = True) -> list[str]:
    """The lines to print: a mark and a sentence per check, "→ fix" under the others."""
    lines = [t("doc_title")] if title else []
    for finding in findings:
        lines.append(f"{finding.status.value} {finding.text}")
        if finding.fix and finding.status in (Status.FAIL, Status.WARN):
            lines.append(f"   → {finding.fix}")
    failures = sum(f.status is Status.FAIL for f in findings)
    warnings = sum(f.status is Status.WARN for f in findings)
    if failures:
        lines.append(t("doc_failures", count=failures, total=warnings))
    elif warnings:
        lines.append(t("doc_warnings_only", count=warnings))
    else:
        lines.append(t("doc_all_ok"))
    return lines


def failed(findings: Sequence[Finding]) -> bool:
    return any(f.status is Status.FAIL for f in findings)


# --- helpers shared with the deployment ------------------------------------------------------


def has_web_server(settings: Settings) -> bool:
    """As BotApp: webhooks of a running channel, or download links, need the web server."""
    return bool(settings.webhook_url and settings.running_channels) or bool(
        settings.public_base_url
    )


def web_address(settings: Settings) -> str:
    """Where this machine reaches the bot's web server (a wildcard listen means loopback)."""
    host = settings.webhook_listen
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.webhook_port}"


def health_url(settings: Settings) -> str:
    return f"{web_address(settings)}{HEALTH_PATH}"


def mask_token(token: str) -> str:
    """`123456789:AAH…` → `123456789:***` (the part before ":" is the bot's public id)."""
    bot_id, _, _ = token.partition(":")
    return f"{bot_id}:***" if bot_id.isdigit() else "***"


def _get_json(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:  # 503 still has the JSON body
        status, raw = exc.code, exc.read()
    body = json.loads(raw or b"{}")
    return status, body if isinstance(body, dict) else {}


def _kind(exc: BaseException) -> str:
    """An exception as the operator may see it: its type, never its text (it may carry a
    URL with the token in it)."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        return type(exc.reason).__name__
    return type(exc).__name__


def _is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _https_or_loopback(url: str) -> bool:
    return url.startswith("https://") or _is_loopback(url)


# --- settings that must fit together ---------------------------------------------------------


def _addresses(settings: Settings) -> list[Finding]:
    running = settings.running_channels
    if not running:
        return [_fail(t("doc_no_channel"), t("doc_no_channel_fix"))]
    names = ", ".join(LABELS[c] for c in running)
    found: list[Finding] = []
    if settings.webhook_url:
        found.append(_ok(t("doc_mode_webhook", url=settings.webhook_url, channel=names)))
        if not _https_or_loopback(settings.webhook_url):
            text_ = t("doc_https_needed", name="WEBHOOK_URL", url=settings.webhook_url)
            found.append(_fail(text_, t("doc_https_needed_fix")))
        try:
            port = urlparse(settings.webhook_url).port
        except ValueError:  # not a number, or out of range
            port = -1
        if (
            "telegram" in running
            and port not in TELEGRAM_PORTS
            and not _is_loopback(settings.webhook_url)
        ):
            found.append(_fail(t("doc_tg_port", url=settings.webhook_url), t("doc_tg_port_fix")))
    else:
        found.append(_ok(t("doc_mode_polling", channel=names)))
    public = settings.public_base_url
    if public and not _https_or_loopback(public):
        found.append(_fail(t("doc_public_https", url=public), t("doc_https_needed_fix")))
    if "zalo" in running and not public:
        found.append(_warn(t("doc_zalo_no_files"), t("doc_zalo_no_files_fix")))
    if has_web_server(settings):
        found.append(_ok(t("doc_web_server", url=web_address(settings), path=HEALTH_PATH)))
    else:
        found.append(_ok(t("doc_web_none")))
    return found


def _forms() -> Finding:
    try:
        forms = load_forms(DEFAULT_DIR)
    except FormError as exc:
        return _fail(t("doc_forms_bad", reason=str(exc)), t("doc_forms_fix"))
    files = len({form.key for form in forms.values()})
    return _ok(t("doc_forms_ok", count=files, path=DEFAULT_DIR))


# --- the database ----------------------------------------------------------------------------


async def _database(settings: Settings) -> list[Finding]:
    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    found: list[Finding] = []
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        found, missing = _sqlite_file(str(url.database))
        if missing:
            return [*found, Finding(Status.SKIP, t("doc_schema_skipped"))]
    database = Database(settings.database_url)
    try:
        async with asyncio.timeout(DB_TIMEOUT):
            async with database.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            current = await migrate.current_revision(database)
    except Exception as exc:  # whatever stops the connection is what the operator must fix
        reason = _db_reason(exc, url.password)
        found.append(_fail(t("doc_db_down", url=shown, reason=reason), t("doc_db_down_fix")))
        return [*found, Finding(Status.SKIP, t("doc_schema_skipped"))]
    finally:
        await database.dispose()
    return [_ok(t("doc_db_ok", url=shown)), *found, _schema(current)]


def _sqlite_file(database: str) -> tuple[list[Finding], bool]:
    """The disk space of a SQLite file's folder, and whether the file is missing (then no
    connection is tried: it would create an empty file)."""
    path = Path(database).absolute()
    disk = _disk(path.parent)
    if path.is_file():
        return [disk], False
    return [_fail(t("doc_db_missing", path=path), t("doc_db_missing_fix")), disk], True


def _db_reason(exc: BaseException, password: str | None) -> str:
    """The driver's own first line (it names the host, the refused login or the missing
    database), without the password; SQLAlchemy's wrapper adds only noise."""
    root: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
    driver = root.__cause__ or root  # SQLAlchemy's adapted error wraps the driver's own
    first = (str(driver).strip() or str(root).strip()).splitlines()
    line = first[0][:160] if first else ""
    if password:
        line = line.replace(password, "***")
    return f"{type(driver).__name__}: {line}" if line else type(driver).__name__


def _schema(current: str | None) -> Finding:
    head = migrate.head_revision()
    if current == head:
        return _ok(t("doc_schema_ok", revision=current))
    if current is None:
        return _fail(t("doc_schema_empty", head=head), t("doc_schema_fix"))
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    try:
        known = scripts.get_revision(current) is not None
    except CommandError:
        known = False
    if known:
        return _fail(t("doc_schema_behind", revision=current, head=head), t("doc_schema_fix"))
    text_ = t("doc_schema_ahead", revision=current, head=head)
    return _fail(text_, t("doc_schema_ahead_fix"))


def _disk(folder: Path) -> Finding:
    """Free space where the SQLite file lives (its folder, or the nearest one that exists)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free // (1024 * 1024)
    if free < DISK_FAIL_MB:
        return _fail(t("doc_disk_low", size=free, path=folder), t("doc_disk_fix"))
    if free < DISK_WARN_MB:
        return _warn(t("doc_disk_low", size=free, path=folder), t("doc_disk_fix"))
    return _ok(t("doc_disk_ok", size=free, path=folder))


# --- the messengers --------------------------------------------------------------------------


async def _telegram(settings: Settings, now: datetime) -> list[Finding]:
    """getMe, then getWebhookInfo, through PTB on the bot's own aiohttp transport."""
    # Imported here: `--quick`, the container's health check, needs none of the platforms.
    from telegram import Bot
    from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError

    from channels.ptb_request import AiohttpRequest

    label, token = LABELS["telegram"], settings.channel_token("telegram") or ""
    api = settings.telegram_api_url
    requests = (
        AiohttpRequest(connections=2, read_timeout=API_TIMEOUT),
        AiohttpRequest(connections=1, read_timeout=API_TIMEOUT),
    )
    bot = Bot(token, base_url=f"{api}/bot", request=requests[0], get_updates_request=requests[1])
    try:
        await bot.initialize()  # getMe
        info = await bot.get_webhook_info()
    except (InvalidToken, Forbidden):
        fix = t("doc_tg_token_fix")
        return [_fail(t("doc_token_refused", channel=label, value=mask_token(token)), fix)]
    except NetworkError as exc:  # TimedOut too; the message may name the URL: type only
        text_ = t("doc_api_unreachable", channel=label, url=api, reason=type(exc).__name__)
        return [_fail(text_, t("doc_tg_unreachable_fix"))]
    except TelegramError as exc:
        reason = exc.message.replace(token, "***")[:160]
        return [_fail(t("doc_api_error", channel=label, reason=reason), t("doc_api_error_fix"))]
    finally:
        await bot.shutdown()
        for request in requests:
            await request.shutdown()
    name = f"@{bot.username}"
    found = [_ok(t("doc_token_ok", channel=label, value=mask_token(token), name=name))]
    wanted = settings.bot_username
    if wanted and wanted.lstrip("@").lower() != bot.username.lower():
        found.append(
            _fail(t("doc_username_mismatch", value=wanted, name=name), t("doc_username_fix"))
        )
    found += _webhook(label, settings, "telegram", info.url)
    if info.last_error_date is not None and now - info.last_error_date < RECENT_ERROR:
        when = info.last_error_date.astimezone(settings.zone).strftime("%H:%M %d/%m/%Y")
        reason = (info.last_error_message or "?")[:160]
        text_ = t("doc_hook_error", channel=label, time=when, reason=reason)
        found.append(_fail(text_, t("doc_hook_error_fix")))
    if info.pending_update_count > PENDING_WARN:
        text_ = t("doc_hook_pending", channel=label, count=info.pending_update_count)
        found.append(_warn(text_, t("doc_hook_pending_fix")))
    return found


async def _zalo(settings: Settings) -> list[Finding]:
    """getMe, then getWebhookInfo, through the bot's own Zalo client."""
    from channels.zalo import ZaloClient

    label, token = LABELS["zalo"], settings.channel_token("zalo") or ""
    client = ZaloClient(token, settings.zalo_api_url, timeout=API_TIMEOUT)
    try:
        with _quiet("channels.zalo"):  # it logs a refused token itself: the finding says it
            me = await client.get_me()
            info = await client.get_webhook_info()
    except DeliveryError as exc:
        return [_zalo_failure(exc, token, settings.zalo_api_url)]
    finally:
        await client.aclose()
    name = f"«{me.account_name}»"
    found = [_ok(t("doc_token_ok", channel=label, value=mask_token(token), name=name))]
    return found + _webhook(label, settings, "zalo", str(info.get("url") or ""))


def _zalo_failure(exc: DeliveryError, token: str, api: str) -> Finding:
    label, detail = LABELS["zalo"], exc.detail.replace(token, "***")
    if detail.startswith(("401", "HTTP 401")):
        fix = t("doc_zalo_token_fix")
        return _fail(t("doc_token_refused", channel=label, value=mask_token(token)), fix)
    if exc.failure is Failure.RETRY and detail.isidentifier():  # an httpx error's type
        text_ = t("doc_api_unreachable", channel=label, url=api, reason=detail)
        return _fail(text_, t("doc_zalo_unreachable_fix"))
    return _fail(t("doc_api_error", channel=label, reason=detail), t("doc_api_error_fix"))


def _webhook(label: str, settings: Settings, channel: str, current: str) -> list[Finding]:
    """The URL the platform posts to, against the one the settings ask for."""
    if settings.webhook_url is None:
        if not current:
            return [_ok(t("doc_hook_polling_ok", channel=label))]
        text_ = t("doc_hook_in_polling", channel=label, value=current)
        return [_fail(text_, t("doc_hook_in_polling_fix"))]
    wanted = f"{settings.webhook_url}/{channel}"
    if not current:
        return [_fail(t("doc_hook_unset", channel=label, url=wanted), t("doc_hook_unset_fix"))]
    if current.rstrip("/") != wanted:
        text_ = t("doc_hook_mismatch", channel=label, value=current, url=wanted)
        return [_fail(text_, t("doc_hook_mismatch_fix"))]
    return [_ok(t("doc_hook_ok", channel=label, url=wanted))]


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)
