"""Settings: defaults, one clear error line per malformed value, secrets never shown."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.settings import Settings, SettingsError, load_settings, parse_quiet_hours

TOKEN = "123456789:AAH-abcdefghijklmnopqrstuvwxyz012345"
SECRET = "s3cret-webhook_value"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer .env and no chibo variable from the outer environment."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _error(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("configuration error: ")
    return message


def test_defaults() -> None:
    settings = load_settings(_env_file=None)
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.zone == ZoneInfo("Asia/Ho_Chi_Minh")
    assert settings.quiet_hours == "21:00-06:30"
    assert settings.quiet == (time(21, 0), time(6, 30))
    assert settings.database_url == "sqlite+aiosqlite:///data/chibo.db"
    assert settings.bot_token is None and settings.token() is None
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.admin_telegram_ids == ()
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert settings.log_level == "INFO"


def test_environment_values_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TIMEZONE", "Asia/Bangkok")
    monkeypatch.setenv("QUIET_HOURS", "22:15-7:05")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WEBHOOK_PORT", "8080")
    settings = load_settings(_env_file=None)
    assert settings.token() == TOKEN
    assert settings.zone == ZoneInfo("Asia/Bangkok")
    assert settings.quiet == (time(22, 15), time(7, 5))
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.log_level == "DEBUG"
    assert settings.webhook_port == 8080
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == SECRET


def test_dotenv_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("QUIET_HOURS=22:00-05:00\nBOT_USERNAME=x_bot\n", "utf-8")
    settings = load_settings()
    assert settings.quiet == (time(22, 0), time(5, 0))
    assert settings.bot_username == "x_bot"


def test_environment_beats_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Asia/Bangkok\n", "utf-8")
    monkeypatch.setenv("TIMEZONE", "Asia/Tokyo")
    assert load_settings().timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QUIET_HOURS", "25:00-06:30"),
        ("QUIET_HOURS", "21:60-06:30"),
        ("QUIET_HOURS", "21:00"),
        ("QUIET_HOURS", "nine to five"),
        ("TIMEZONE", "Asia/Saigon_City"),
        ("TIMEZONE", "../etc/passwd"),
        ("BOT_TOKEN", "12345:short"),
        ("BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_URL", "ftp://api.telegram.org"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("DATABASE_URL", "sqlite:///data/chibo.db"),
        ("DATABASE_URL", "mysql://localhost/chibo"),
        ("ADMIN_TELEGRAM_IDS", "12, abc"),
        ("ADMIN_TELEGRAM_IDS", "@someone"),
        ("WEBHOOK_PORT", "http"),
        ("WEBHOOK_PORT", "0"),
        ("WEBHOOK_PORT", "70000"),
        ("WEBHOOK_SECRET", "short"),
        ("WEBHOOK_SECRET", "has spaces in it"),
        ("WEBHOOK_URL", "not a url"),
        ("LOG_LEVEL", "LOUD"),
        ("TELEGRAM_POLL_TIMEOUT", "0"),
        ("INVITE_VALID_DAYS", "1000"),
    ],
)
def test_a_malformed_value_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    message = _error(monkeypatch, **{name: value})
    assert message.startswith(f"configuration error: {name}: ")


def test_webhook_url_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, WEBHOOK_URL="https://bot.example.org")
    assert message == "configuration error: WEBHOOK_SECRET is required when WEBHOOK_URL is set"


def test_a_listed_channel_needs_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, BOT_TOKEN=TOKEN, CHANNELS="telegram,zalo")
    assert message == "configuration error: CHANNELS lists zalo, but ZALO_BOT_TOKEN is not set"


@pytest.mark.parametrize("value", ["viber", "telegram,sms", ","])
def test_unknown_channels_are_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    message = _error(monkeypatch, CHANNELS=value)
    assert message.startswith("configuration error: CHANNELS: ")


def test_channels_default_to_those_with_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZALO_BOT_TOKEN", "2233445566:zalo-token_ABC")
    settings = load_settings(_env_file=None)
    assert settings.running_channels == ("zalo",)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert load_settings(_env_file=None).running_channels == ("telegram", "zalo")
    monkeypatch.setenv("CHANNELS", " Zalo ")
    assert load_settings(_env_file=None).running_channels == ("zalo",)


def test_malformed_setting_in_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("WEBHOOK_PORT=abc\n", "utf-8")
    with pytest.raises(SettingsError, match=r"^configuration error: WEBHOOK_PORT: "):
        load_settings()


@pytest.mark.parametrize("token", ["12345:short", "123456789:AAH abcdefghijklmnop", "x" * 50])
def test_a_malformed_token_is_not_echoed(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    message = _error(monkeypatch, BOT_TOKEN=token)
    assert "BOT_TOKEN" in message
    assert token not in message
    assert token.rsplit(":", 1)[-1] not in message


def test_a_valid_token_is_hidden_when_another_setting_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _error(monkeypatch, BOT_TOKEN=TOKEN, WEBHOOK_SECRET="no", QUIET_HOURS="x")
    assert TOKEN.split(":")[1] not in message


def test_secrets_are_hidden_in_repr_and_str(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    settings = load_settings(_env_file=None)
    for shown in (repr(settings), str(settings), str(settings.model_dump())):
        assert TOKEN not in shown
        assert TOKEN.split(":")[1] not in shown
        assert SECRET not in shown
    assert settings.token() == TOKEN


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1, 2", ("1", "2")), ("", ()), ("  ", ()), ("42,", ("42",)), ("-1001,7", ("-1001", "7"))],
)
def test_admin_ids(monkeypatch: pytest.MonkeyPatch, value: str, expected: tuple[str, ...]) -> None:
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", value)
    assert load_settings(_env_file=None).admin_telegram_ids == expected


@pytest.mark.parametrize("name", ["BOT_TOKEN", "WEBHOOK_SECRET", "WEBHOOK_URL"])
def test_empty_optional_values_mean_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "")
    settings = load_settings(_env_file=None)
    assert getattr(settings, name.lower()) is None


def test_empty_telegram_api_url_falls_back_to_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "")
    assert load_settings(_env_file=None).telegram_api_url == "https://api.telegram.org"


def test_settings_are_frozen() -> None:
    settings = load_settings(_env_file=None)
    with pytest.raises(Exception, match="frozen"):
        settings.timezone = "UTC"  # type: ignore[misc]


# --- QUIET_HOURS, for any string --------------------------------------------------------------

_hours = st.builds(
    "{}:{:02d}-{}:{:02d}".format,
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
)


@given(value=st.one_of(st.text(max_size=24), _hours))
@example(value="21:00-06:30")
@example(value="24:00-06:30")
@example(value=" 21:00-06:30\n")
@example(value="21:00-06:30\n x")
@example(value="٢١:٠٠-٠٦:٣٠")  # Arabic-Indic digits match \d
@example(value="")
def test_any_quiet_hours_string_parses_or_names_the_setting(value: str) -> None:
    try:
        settings = load_settings(_env_file=None, quiet_hours=value)
    except SettingsError as exc:
        message = str(exc)
        assert message.startswith("configuration error: QUIET_HOURS: ")
        assert "\n" not in message
        return
    start, end = settings.quiet
    assert isinstance(start, time) and isinstance(end, time)
    assert (start, end) == parse_quiet_hours(value)


# --- self-check periods -----------------------------------------------------------------------


def test_selfcheck_defaults_reach_the_core_config() -> None:
    from bot.app import core_config

    config = core_config(load_settings(_env_file=None))
    assert config.selfcheck_forms == ("monthly", "quarterly")
    assert config.selfcheck_open_day == 1
    assert config.selfcheck_remind_days == (3, 7)
    assert config.selfcheck_send_after == time(7, 30)


def test_selfcheck_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import core_config

    monkeypatch.setenv("SELFCHECK_FORMS", " Quarterly ")
    monkeypatch.setenv("SELFCHECK_OPEN_DAY", "28")
    monkeypatch.setenv("SELFCHECK_REMIND_DAYS", "10, 2,2")
    monkeypatch.setenv("SELFCHECK_SEND_AFTER", "8:05")
    config = core_config(load_settings(_env_file=None))
    assert config.selfcheck_forms == ("quarterly",)
    assert config.selfcheck_open_day == 28
    assert config.selfcheck_remind_days == (2, 10)
    assert config.selfcheck_send_after == time(8, 5)


def test_empty_selfcheck_lists_disable_periods_and_reminders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.app import core_config

    monkeypatch.setenv("SELFCHECK_FORMS", "")
    monkeypatch.setenv("SELFCHECK_REMIND_DAYS", "")
    config = core_config(load_settings(_env_file=None))
    assert config.selfcheck_forms == ()
    assert config.selfcheck_remind_days == ()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SELFCHECK_FORMS", "weekly"),
        ("SELFCHECK_FORMS", "monthly;quarterly"),
        ("SELFCHECK_OPEN_DAY", "0"),
        ("SELFCHECK_OPEN_DAY", "29"),
        ("SELFCHECK_OPEN_DAY", "first"),
        ("SELFCHECK_REMIND_DAYS", "3,x"),
        ("SELFCHECK_REMIND_DAYS", "0"),
        ("SELFCHECK_REMIND_DAYS", "91"),
        ("SELFCHECK_REMIND_DAYS", "3d,7d"),
        ("SELFCHECK_REMIND_DAYS", "²"),
        ("SELFCHECK_SEND_AFTER", "25:00"),
        ("SELFCHECK_SEND_AFTER", "07:60"),
        ("SELFCHECK_SEND_AFTER", "7h30"),
        ("SELFCHECK_SEND_AFTER", "٠٧:٣٠"),
    ],
)
def test_a_malformed_selfcheck_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    message = _error(monkeypatch, **{name: value})
    assert message.startswith(f"configuration error: {name}: ")


def test_duty_remind_days(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import core_config

    assert core_config(load_settings(_env_file=None)).duty_remind_days == (7, 1)
    monkeypatch.setenv("DUTY_REMIND_DAYS", "1, 14,3")
    assert core_config(load_settings(_env_file=None)).duty_remind_days == (14, 3, 1)
    monkeypatch.setenv("DUTY_REMIND_DAYS", "")
    assert core_config(load_settings(_env_file=None)).duty_remind_days == ()


@pytest.mark.parametrize("value", ["7d", "61", "-1", "7;1", "x"])
def test_a_malformed_duty_remind_days_names_itself(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    message = _error(monkeypatch, DUTY_REMIND_DAYS=value)
    assert message.startswith("configuration error: DUTY_REMIND_DAYS: ")


def test_appraisal_unit_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import core_config
    from db.models import UnitKind

    assert core_config(load_settings(_env_file=None)).appraisal_unit_kind is UnitKind.COMMITTEE
    monkeypatch.setenv("APPRAISAL_UNIT_KIND", "District")
    assert core_config(load_settings(_env_file=None)).appraisal_unit_kind is UnitKind.DISTRICT


@pytest.mark.parametrize("value", ["cell", "huyen", ""])
def test_a_malformed_appraisal_unit_kind_names_itself(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    message = _error(monkeypatch, APPRAISAL_UNIT_KIND=value)
    assert message.startswith("configuration error: APPRAISAL_UNIT_KIND: ")
