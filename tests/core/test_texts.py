"""Every catalogue entry renders; every code and command that needs a text has one."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from core.roster import ROSTER_ERROR_CODES
from core.texts import TEXTS, placeholders, t
from db.models import Role
from tests.core import (
    samples_announcements,
    samples_committee,
    samples_data,
    samples_reports,
    samples_status,
)

AREAS = (
    samples_status,
    samples_reports,
    samples_announcements,
    samples_committee,
    samples_data,
)

SAMPLES = {
    "until": "20:30 05/12/2026",
    "ahead": 3000,
    "caption": "Biên bản họp",
    "form": "monthly",
    "version": 2,
    "topic": "Đóng đảng phí",
    "done": 3,
    "length": 420,
    "channel": "Zalo",
    "last": 3,
    "number": 7,
    "name": "Nguyễn Văn An",
    "cell": "Chi bộ Ấp Phú Hữu",
    "code": "ABCD-EFGH",
    "link": "https://t.me/chibo_bot?start=ABCDEFGH",
    "expires": "27/12/2026",
    "minutes": 15,
    "ref": "12",
    "kind": "cell",
    "page": 1,
    "pages": 3,
    "total": 9,
    "count": 4,
    "role": "bí thư",
    "command": "trogiup",
    "description": "Xem hướng dẫn",
    "line": 7,
    "reason": "thiếu họ và tên",
    "column": "full_name",
    "value": "0912***678",
    "other_line": 3,
    "added": 9,
    "skipped": 0,
    "path": "moi.png",
    "revision": "0001",
    "detail": "row 3 missing from index",
    "head": "0001",
    "member": 3,
    "unit": "chi-bo-ap-1",
    "id": 5,
    "state": "đã kích hoạt",
    "roles": "bí thư",
    "url": "http://127.0.0.1:8081",
    "title": "Bước một",
    "text": "/start",
    "label": "Duyệt",
    "filename": "moi.png",
    "size": 512,
    "buttons": "[Duyệt]",
    "steps": 8,
    "messages": 16,
    "day": 5,
    "at": "19:30",
    "weekday": "thứ Bảy",
    "nth": "đầu tiên",
    "months": "tháng đầu mỗi quý",
    "month": 1,
    "second_month": 7,
    "date": "05/12",
    "time": "19:30",
    "n": 3,
    "when": "19:30, thứ Năm 05/12/2026",
    "place": "Hội trường ấp",
    "agenda": "Quán triệt nghị quyết",
    "soon": "còn 3 ngày",
    "opinion": "Đề nghị bàn thêm về đảng phí",
    "limit": 1000,
    "summary": "Loại: sinh hoạt chi bộ thường kỳ",
    "rule": "ngày 5 hằng tháng, lúc 19:30",
    "reminded": 8,
    "attend": 6,
    "excused": 1,
    "unreachable": 1,
    "answer": "sẽ dự",
    "failed": 0,
    "present": 7,
    "absent": 1,
    "marked": 5,
    "offsets": "3d,1d,2h",
    "bot_name": "Trợ lý Chi bộ Ấp Một",
    "names": "Lê Văn Tám, Phạm Thị Hoa",
    "start": "02/11/2026",
    "due": "30/11/2026",
    "mark": " ⚠️ quá hạn",
    "year": 2026,
    "quarter": "IV",
    "first": "10/2026",
    "second": "11/2026",
    "topics": "Góp ý thẳng thắn, Tiết kiệm, giữ gìn tài sản chung",
}
for _area in AREAS:
    SAMPLES.update(_area.SAMPLES)
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_entry_renders_with_sample_values(key: str) -> None:
    missing = placeholders(key) - SAMPLES.keys()
    assert not missing, f"add sample values for {missing}"
    rendered = t(key, **SAMPLES)
    assert rendered.strip()
    assert "{" not in rendered and "}" not in rendered
    assert len(rendered) <= 4096


# Entries that are pure layout around other text, or Vietnamese that needs no diacritics.
NO_DIACRITICS_NEEDED = {
    "help_line",
    "demo_operator",
    "demo_user",
    "demo_buttons",
    "demo_bot",
    "demo_file",
    "demo_step",
    "roster_line",
    "roster_line_role",
    "cli_member_line",
    "cli_row_error",
    "btn_next",
    "when",
    "schedule_item",
    "btn_redo",
    "att_line_present",
    "att_line_excused",
    "att_line_absent",
    "att_line_none",
    "btn_att_finish",
    "sc_chosen",
    "sc_flag_line",
    "sc_history_line",
    "sc_period_button",
    "sc_summary_line",
    "dw_pick_on",
    "dw_pick_off",
    "duty_item_state",
    "duty_open_button",
    "duty_report_line",
}
for _area in AREAS:
    NO_DIACRITICS_NEEDED |= _area.NO_DIACRITICS_NEEDED


@pytest.mark.parametrize("key", sorted(TEXTS.keys() - NO_DIACRITICS_NEEDED))
def test_every_entry_is_vietnamese_with_diacritics(key: str) -> None:
    assert VIETNAMESE.search(TEXTS[key].lower()), f"{key} has no Vietnamese diacritics"


def test_missing_placeholder_fails_loudly() -> None:
    with pytest.raises(KeyError):
        t("joined", name="An")


def test_roster_error_codes_all_have_texts() -> None:
    assert {f"roster_{code}" for code in ROSTER_ERROR_CODES} <= TEXTS.keys()


def test_roles_all_have_texts() -> None:
    assert {f"role_{role.value}" for role in Role} <= TEXTS.keys()


def test_command_descriptions_exist_and_fit_telegram() -> None:
    from core.clock import ManualClock
    from core.context import CoreConfig, Services
    from handlers import build_router

    router = build_router(
        Services(None, ManualClock(datetime.fromisoformat("2026-01-01T00:00+00:00")), CoreConfig())
    )  # type: ignore[arg-type]
    for spec in router.specs:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", spec.name)
        assert 1 <= len(t(spec.description_key)) <= 256
