"""A whole Zalo conversation logged at DEBUG, set up as `chibo run` does: neither the Zalo
token, nor the webhook secret, nor anything a person typed reaches the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.harness import DEMO_ZALO_TOKEN, harness_settings, running_bot
from bot.logs import QUIET, secrets_of, setup_logging
from core.texts import t
from tests.channels.zalo_helpers import SECRET, SECRETARY, code_in, free_port, link, only
from tests.support import seed_cell

ZALO_SECRET = "zalo-only-s3cret-456"
PLACE, AGENDA = "Hội trường ấp Phú Hữu", "Quán triệt Nghị quyết Đại hội chi bộ nhiệm kỳ mới"
TYPED = ["/taohop", "Thường kỳ", "Hằng tháng", "Ngày cuối tháng", "19h30", PLACE, AGENDA]


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """`setup_logging` as `chibo run` calls it, with caplog still listening."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET}
    settings = harness_settings(
        "sqlite+aiosqlite://",
        "http://127.0.0.1:9",
        "zalo",
        webhook_secret=SECRET,
        zalo_webhook_secret=ZALO_SECRET,
    )
    assert set(secrets_of(settings)) >= {DEMO_ZALO_TOKEN, SECRET, ZALO_SECRET}
    setup_logging("DEBUG", secrets_of(settings))
    root.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)


async def test_a_conversation_leaves_no_token_secret_or_typed_text_in_the_logs(
    sqlite_url: str,
    production_logging: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog = production_logging
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_bot(
        sqlite_url,
        migrate_first=False,
        channel="zalo",
        webhook_url=f"{base}/hooks",
        webhook_secret=SECRET,
        zalo_webhook_secret=ZALO_SECRET,
        webhook_port=port,
        public_base_url=base,
        log_level="DEBUG",
    ) as h:
        cell = await seed_cell(h.app.services)
        hung = await link(h, cell, SECRETARY, 2001)
        photo, invite = await hung.say("/moi", expect=2)
        assert photo.kind == "photo"
        code = code_in(invite)
        await hung.say("1")
        _, member = await hung.say("Lê Văn Tám", expect=2)
        assert member.body.startswith(t("member_invite", name="Lê Văn Tám", code=code_in(member)))
        for text in TYPED:
            await hung.say(text)
        assert only(await hung.say("1")).body.startswith("Đã tạo lịch.")  # confirmed
        stranger = h.zalo_user(4001, "Người Lạ")
        await stranger.say(code)
        assert only(await stranger.say("Lý Văn Khoa")).body.startswith("Cảm ơn đồng chí Lý")
        await stranger.send_event("image", caption="ảnh chụp giấy mời riêng tư")
    assert caplog.records, "nothing was captured: the check below would be empty"
    logged = caplog.text + capsys.readouterr().err
    for secret in (DEMO_ZALO_TOKEN, DEMO_ZALO_TOKEN.split(":")[1], SECRET, ZALO_SECRET):
        assert secret not in logged
    for typed in [*TYPED, code, "Lý Văn Khoa", "ảnh chụp giấy mời riêng tư"]:
        assert typed not in logged, typed
