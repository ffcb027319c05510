"""`chibo demo` end to end: the scripted conversation runs against the real bot."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.demo import run_demo
from core.texts import t

pytestmark = pytest.mark.e2e


def check_saved(folder: Path, out: str) -> None:
    """The report's workbook and chart were written to disk, and the transcript says so."""
    [workbook] = folder.glob("bao-cao-*-2026-12.xlsx")
    assert "Đảng viên" in load_workbook(workbook).sheetnames
    assert t("demo_saved", path=workbook) in out
    [chart] = folder.glob("*.png")
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_demo_runs_to_the_end(
    capsys: pytest.CaptureFixture[str], channel: str, tmp_path: Path
) -> None:
    await run_demo(channel=channel, out=tmp_path)
    out = capsys.readouterr().out
    assert "Đã duyệt đồng chí" in out
    assert t("approved_leader", name="Lý Văn Khoa") in out
    assert t("code_used") in out and t("code_unknown") in out
    done = t("demo_done", steps=0, messages=0).split("0")[0]  # "Xong: "
    assert out.rstrip().splitlines()[-1].startswith(done)
    # A member does the monthly self-check; the secretary gets the topic, not the answers.
    assert t("sc_thanks", label="12/2026") in out
    assert t("sc_flag_support") in out
    # A duty: given, reported done with a photo, confirmed.
    assert t("duty_reported_completion") in out and "xác nhận hoàn thành." in out
    # It ends with the secretary's status, the month's report saved, the commune's roll-up.
    assert "📊 Tình hình Chi bộ Ấp Phú Hữu, ngày 06/12/2026" in out
    check_saved(tmp_path, out)
    assert "📊 Đảng ủy xã An Thạnh, tháng 12/2026" in out
    if channel == "zalo":
        assert "Trả lời 1 hoặc 2." in out  # buttons became a numbered list
        assert t("demo_type_number", name="Khoa", number=1, label=t("btn_will_attend")) in out
        assert "bấm nút" not in out  # nobody presses buttons on Zalo
