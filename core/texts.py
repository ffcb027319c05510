"""Every sentence a person reads, in Vietnamese, with named placeholders.

`t(key, **values)` renders one entry; a test renders every entry with sample values, so a
missing placeholder or a typo in a key fails before a member ever sees it.
"""

from __future__ import annotations

from datetime import datetime
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from core.catalogue import (
    abuse,
    announcements,
    capacity,
    committee,
    data,
    dates,
    doctor,
    duties,
    flags,
    linking,
    meetings,
    recurrence,
    reports,
    selfcheck,
    selfcheck_periods,
    status,
    textmenu,
)

TEXTS: dict[str, str] = {
    # --- refusals and errors -----------------------------------------------------------------
    "not_allowed": "Xin lỗi, đồng chí không có quyền thực hiện việc này.",
    "not_linked": (
        "Tài khoản này chưa được liên kết với chi bộ nào. Xin đồng chí nhờ bí thư chi bộ "
        "gửi mã mời, rồi gõ mã vào đây (ví dụ ABCD-EFGH) hoặc mở đường dẫn mời."
    ),
    "pending_approval": (
        "Yêu cầu tham gia của đồng chí đang chờ bí thư chi bộ duyệt. "
        "Đồng chí sẽ nhận được tin báo khi được duyệt."
    ),
    "already_linked": (
        "Tài khoản này đã được liên kết với đồng chí {name}. "
        "Nếu có nhầm lẫn, xin đồng chí liên hệ bí thư chi bộ."
    ),
    "code_unknown": (
        "Mã mời không đúng. Xin đồng chí kiểm tra lại mã (8 ký tự, ví dụ ABCD-EFGH) "
        "hoặc xin bí thư chi bộ mã mới."
    ),
    "code_expired": ("Mã mời này đã hết hạn. Xin đồng chí liên hệ bí thư chi bộ để nhận mã mới."),
    "code_used": (
        "Mã mời này đã được sử dụng. Xin đồng chí liên hệ bí thư chi bộ để nhận mã mới."
    ),
    "code_throttled": (
        "Đồng chí đã nhập sai mã mời quá nhiều lần. Xin đồng chí thử lại sau {minutes} phút."
    ),
    "name_invalid": (
        "Họ và tên chưa hợp lệ. Xin đồng chí gõ đầy đủ họ và tên, chỉ gồm chữ "
        "(ví dụ: Nguyễn Văn An)."
    ),
    "nothing_to_continue": "Không có thao tác nào đang chờ. Gõ /trogiup để xem các lệnh.",
    "already_decided": "Yêu cầu này đã được xử lý rồi.",
    "member_unknown": "Không tìm thấy đảng viên {ref}.",
    "member_already_active": ("Đồng chí {name} đã kích hoạt tài khoản, không cần mã mời nữa."),
    "unit_unknown": "Không tìm thấy đơn vị «{ref}».",
    "unit_not_cell": "«{ref}» không phải là một chi bộ.",
    "unit_bad_parent": "Đơn vị cấp trên không phù hợp với loại đơn vị «{kind}».",
    "unit_code_taken": "Mã đơn vị «{code}» đã có người dùng, xin chọn mã khác.",
    "unknown_command": ("Bot chưa hiểu lệnh này. Gõ /trogiup để xem các lệnh đồng chí dùng được."),
    "unknown_text": (
        "Bot chưa hiểu tin nhắn này. Gõ /trogiup để xem các lệnh đồng chí dùng được."
    ),
    "stale_button": ("Nút này đã cũ hoặc không còn hiệu lực. Gõ /trogiup để bắt đầu lại."),
    "unsupported_message": (
        "Xin lỗi, bot chưa đọc được loại tin nhắn này. Xin đồng chí gõ tin nhắn chữ "
        "(ảnh, tệp chỉ nhận khi đồng chí gửi báo cáo nhiệm vụ)."
    ),
    "internal_error": (
        "Xin lỗi, bot gặp sự cố khi xử lý yêu cầu. Đồng chí vui lòng thử lại sau ít phút."
    ),
    # --- start and joining -------------------------------------------------------------------
    "start_how_to_join": (
        "Xin chào đồng chí! Đây là trợ lý của chi bộ: nhắc lịch sinh hoạt, tự kiểm tra "
        "và nhiệm vụ kiểm tra, giám sát.\n\n"
        "Để bắt đầu, đồng chí cần mã mời của bí thư chi bộ: gõ mã vào đây, ví dụ: "
        "ABCD-EFGH (hoặc mở đường dẫn mời)."
    ),
    "start_welcome_back": (
        "Chào đồng chí {name}! Đồng chí là đảng viên của {cell}. "
        "Gõ /trogiup để xem các việc bot giúp được."
    ),
    "confirm_identity": (
        "Mã mời này dành cho đồng chí {name}, {cell}.\nĐồng chí có đúng là {name} không ạ?"
    ),
    "btn_its_me": "Đúng, tôi là {name}",
    "btn_not_me": "Không phải tôi",
    "not_me": (
        "Cảm ơn đồng chí. Mã mời này dành cho người khác; xin đồng chí liên hệ bí thư chi bộ "
        "để nhận đúng mã của mình."
    ),
    "joined": (
        "Chào mừng đồng chí {name} đến với trợ lý của {cell}! Từ nay bot sẽ nhắc lịch "
        "sinh hoạt và các việc của chi bộ. Gõ /trogiup để xem các việc bot giúp được."
    ),
    "ask_name": (
        "Đồng chí đang xin tham gia {cell}. Xin đồng chí gõ họ và tên đầy đủ "
        "(ví dụ: Nguyễn Văn An) để bí thư chi bộ duyệt. Gõ /huy nếu muốn dừng lại."
    ),
    "join_requested": (
        "Cảm ơn đồng chí {name}. Yêu cầu đã được gửi tới bí thư {cell}; "
        "đồng chí sẽ nhận được tin báo khi được duyệt."
    ),
    "join_requested_no_leader": (
        "Cảm ơn đồng chí {name}. Yêu cầu tham gia {cell} đã được ghi lại; bí thư chi bộ "
        "sẽ duyệt khi bắt đầu dùng bot."
    ),
    "approve_request": (
        "Đồng chí {name} xin tham gia {cell} bằng mã mời chung. "
        "Đồng chí có duyệt yêu cầu này không ạ?"
    ),
    "approve_request_role": "Mã mời chung này cấp vai trò: {role}.",
    "approve_request_match": (
        "Trong danh sách chi bộ có đồng chí {name} chưa kích hoạt; nếu duyệt, tài khoản "
        "này sẽ được gắn vào đồng chí ấy."
    ),
    "request_incomplete": (
        "Đồng chí {name} chưa gõ xong họ và tên nên chưa duyệt được. Xin chờ thêm ít phút."
    ),
    "btn_approve_name": "Duyệt: {name}",
    "btn_approve": "Duyệt",
    "btn_reject": "Từ chối",
    "approved_leader": "Đã duyệt đồng chí {name} vào chi bộ.",
    "rejected_leader": "Đã từ chối yêu cầu tham gia của {name}.",
    "approved_member": (
        "Bí thư chi bộ đã duyệt. Chào mừng đồng chí {name}! "
        "Gõ /trogiup để xem các việc bot giúp được."
    ),
    "rejected_member": (
        "Yêu cầu tham gia chi bộ của đồng chí chưa được chấp nhận. Nếu có nhầm lẫn, "
        "xin đồng chí liên hệ trực tiếp bí thư chi bộ."
    ),
    # --- delivery ----------------------------------------------------------------------------
    "alert_unreachable": (
        "Bot không gửi được tin nhắn cho đồng chí {name} (có thể đồng chí ấy đã chặn bot). "
        "Xin đồng chí bí thư liên hệ trực tiếp để nhắc đồng chí ấy mở lại bot."
    ),
    # --- cancel and help ---------------------------------------------------------------------
    "cancelled": "Đã hủy thao tác đang làm.",
    "nothing_to_cancel": "Hiện không có thao tác nào đang làm.",
    "help_header": "Các việc đồng chí có thể làm:",
    "help_section_member": "Đảng viên",
    "help_section_secretary": "Bí thư, phó bí thư",
    "help_section_committee": "Cấp ủy, ủy ban kiểm tra",
    "help_section_admin": "Quản trị",
    "help_line": "/{command} — {description}",
    "help_footer": "Gõ /huy để hủy thao tác đang làm.",
    "cmd_start": "Bắt đầu, nhập mã mời",
    "cmd_trogiup": "Xem hướng dẫn sử dụng",
    "cmd_huy": "Hủy thao tác đang làm",
    "cmd_moi": "Mời đảng viên dùng bot (đường dẫn, mã QR)",
    "cmd_dangvien": "Danh sách đảng viên và tình trạng kích hoạt",
    # --- inviting ----------------------------------------------------------------------------
    "cell_invite": "Mã mời chung của {cell}: {code}",
    "cell_invite_note": (
        "Có hiệu lực đến {expires}. Người tham gia bằng mã này cần bí thư duyệt.\n"
        "Để mời đúng từng đồng chí trong danh sách, chọn «Mời từng đồng chí»."
    ),
    "member_invite": "Mã mời riêng cho đồng chí {name}: {code}",
    "member_invite_note": (
        "Có hiệu lực đến {expires}, dùng được một lần. "
        "Xin gửi mã hoặc ảnh QR này cho đồng chí {name}."
    ),
    "invite_link": "Đường dẫn mời: {link}",
    "invite_typed": "Hoặc mở bot và gõ mã: {code}",
    "btn_invite_each": "Mời từng đồng chí",
    "invite_pick": "Chọn đồng chí cần mời (trang {page}/{pages}):",
    "invite_none_left": "Tất cả đảng viên trong danh sách đã kích hoạt tài khoản.",
    "btn_prev": "« Trang trước",
    "btn_next": "Trang sau »",
    # --- roster ------------------------------------------------------------------------------
    "roster_header": "{cell}: {total} đảng viên",
    "roster_activated": "Đã kích hoạt ({count}):",
    "roster_not_activated": "Chưa kích hoạt ({count}):",
    "roster_blocked": "Đã chặn bot ({count}):",
    "roster_pending": "Chờ duyệt ({count}):",
    "roster_joining": "Đang gõ họ tên để xin tham gia ({count}):",
    "roster_line": "• {name}",
    "roster_line_role": "• {name} ({role})",
    "roster_more": "… và {count} đồng chí khác",
    "roster_empty": "{cell} chưa có đảng viên nào trong danh sách.",
    "role_secretary": "bí thư",
    "role_deputy": "phó bí thư",
    "role_member": "đảng viên",
    "role_staff": "cán bộ cấp ủy",
    "role_inspection": "ủy ban kiểm tra",
    "role_admin": "quản trị",
    # --- command line (operators) ------------------------------------------------------------
    "cli_unit_added": "Đã thêm đơn vị «{name}» (mã: {code}).",
    "cli_import_ok": "Đã nhập {added} đảng viên vào {cell}; {skipped} người đã có sẵn.",
    "cli_import_bad_rows": "Tệp có {count} dòng lỗi; chưa nhập gì:",
    "cli_import_skipped_bad": "Bỏ qua {count} dòng lỗi (--skip-bad).",
    "cli_import_hint": "Sửa các dòng trên rồi nhập lại, hoặc thêm --skip-bad để bỏ qua chúng.",
    "cli_row_error": "  Dòng {line}: {reason}",
    "cli_file_error": "Không đọc được tệp: {reason}",
    "cli_invite_code": "Mã mời: {code} (hiệu lực đến {expires})",
    "cli_invite_for": "Dành cho: {name}",
    "cli_invite_link": "Đường dẫn: {link}",
    "cli_invite_no_link": (
        "Chưa biết tên bot Telegram (đặt BOT_USERNAME) nên chưa in được đường dẫn."
    ),
    "cli_invite_qr": "Ảnh QR để in: {path}",
    "cli_db_upgraded": "Cơ sở dữ liệu đã được nâng cấp tới phiên bản {revision}.",
    "cli_db_current": "Phiên bản cơ sở dữ liệu: {revision} (mã nguồn cần: {head}).",
    "cli_role_granted": "Đã giao vai trò {role} tại {unit} cho đảng viên số {member}.",
    "cli_member_line": "{id:>5}  {name:<32} {state:<16} {roles}",
    "state_pending": "chờ duyệt",
    "state_joining": "đang xin tham gia",
    "state_not_activated": "chưa kích hoạt",
    "state_activated": "đã kích hoạt",
    "state_blocked": "đã chặn bot",
    # --- the offline demo ------------------------------------------------------------------
    "demo_title": "Bản chạy thử ngoại tuyến trên {channel}: bot thật, máy chủ giả lập tại {url}",
    "demo_step": "── {title} ──",
    "demo_operator": "$ {command}",
    "demo_user": "👤 {name}: {text}",
    "demo_tap": "👤 {name} bấm nút [{label}]",
    "demo_type_number": "👤 {name}: {number}   (chọn «{label}»)",
    "demo_photo": "   🖼 (ảnh)",
    "demo_bot": "🤖 Bot → {name}:",
    "demo_bot_edit": "🤖 Bot (sửa tin nhắn) → {name}:",
    "demo_file": "   📎 {kind}: {filename} ({size} byte)",
    "demo_kind_photo": "ảnh",
    "demo_kind_document": "tệp",
    "demo_buttons": "   {buttons}",
    "demo_done": "Xong: {steps} bước, {messages} tin nhắn của bot.",
    "demo_s_setup": "Cán bộ đảng ủy xã tạo chi bộ và nhập danh sách đảng viên",
    "demo_s_secretary": "Bí thư nhận mã mời riêng và liên kết tài khoản",
    "demo_s_help": "Bí thư xem hướng dẫn",
    "demo_s_invite": "Bí thư lấy mã mời chung và mời từng đồng chí",
    "demo_s_member": "Đảng viên dùng mã mời riêng",
    "demo_s_newcomer": "Một đồng chí ngoài danh sách xin tham gia bằng mã chung",
    "demo_s_wrong": "Mã sai và mã đã dùng",
    "demo_s_roster": "Bí thư xem danh sách đảng viên",
    "demo_s_schedule": "Bí thư tạo lịch sinh hoạt chi bộ tháng 12",
    "demo_s_reminders": "Ba ngày trước buổi họp: bot tự gửi lời nhắc",
    "demo_s_leave": "Một đồng chí xin vắng, nêu lý do và gửi ý kiến",
    "demo_s_attendance": "Sau buổi họp: bí thư điểm danh",
    "demo_s_selfcheck": (
        "Kỳ tự kiểm tra tháng 12 mở: một đảng viên trả lời, bí thư nhận gợi ý cần quan tâm"
    ),
    "demo_s_duty": "Bí thư giao nhiệm vụ giám sát; đảng viên báo cáo hoàn thành kèm ảnh",
    "demo_s_status": "Bí thư xem nhanh tình hình chi bộ",
    "demo_s_report": "Bí thư lấy báo cáo tháng (tệp Excel và biểu đồ)",
    "demo_s_rollup": "Cán bộ đảng ủy xã xem tổng hợp các chi bộ",
    "demo_saved": "💾 Đã lưu tệp: {path}",
    "demo_user_photo": "👤 {name} gửi một ảnh: «{caption}»",
    "demo_clock": "🕒 Đồng hồ chạy thử: {when}",
    # --- roster file problems (codes from core.roster) ---------------------------------------
    "roster_missing_column": "thiếu cột «Họ và tên» ở dòng tiêu đề",
    "roster_name_missing": "thiếu họ và tên",
    "roster_name_too_short": "họ và tên quá ngắn: «{value}»",
    "roster_name_too_long": "họ và tên quá dài: «{value}»",
    "roster_name_has_digit": "họ và tên có chữ số: «{value}»",
    "roster_name_invalid_char": "họ và tên có ký tự lạ: «{value}»",
    "roster_name_no_letter": "họ và tên không có chữ cái: «{value}»",
    "roster_phone_invalid": "số điện thoại không hợp lệ: «{value}»",
    "roster_role_invalid": "chức vụ không rõ: «{value}» (dùng Bí thư, Phó bí thư hoặc Đảng viên)",
    "roster_membership_invalid": "loại đảng viên không rõ: «{value}» (dùng Chính thức hoặc Dự bị)",
    "roster_duplicate_in_file": "trùng với dòng {other_line}",
    "roster_secretary_twice": "bí thư thứ hai trong tệp (đã có ở dòng {other_line})",
    "roster_unsupported_format": "chỉ nhận tệp .xlsx hoặc .csv",
    "roster_unreadable": "không mở được tệp",
    "roster_encoding": "tệp CSV phải lưu bằng mã UTF-8",
    "roster_corrupt_file": "tệp bị hỏng hoặc không đúng định dạng",
    "roster_empty_file": "tệp không có dữ liệu",
}


def _merge(*parts: dict[str, str]) -> None:
    for part in parts:
        clash = TEXTS.keys() & part.keys()
        if clash:
            raise RuntimeError(f"catalogue keys defined twice: {sorted(clash)}")
        TEXTS.update(part)


_merge(
    dates.TEXTS,
    recurrence.TEXTS,
    meetings.TEXTS,
    textmenu.TEXTS,
    linking.TEXTS,
    selfcheck.TEXTS,
    selfcheck_periods.TEXTS,
    duties.TEXTS,
    flags.TEXTS,
    status.TEXTS,
    reports.TEXTS,
    announcements.TEXTS,
    committee.TEXTS,
    doctor.TEXTS,
    data.TEXTS,
    abuse.TEXTS,
    capacity.TEXTS,
)


def t(key: str, /, **values: Any) -> str:
    """Render the catalogue entry `key`; a missing key or placeholder raises KeyError."""
    return TEXTS[key].format_map(values)


def placeholders(key: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(TEXTS[key]) if name}


def local_date(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%d/%m/%Y")


def when_text(instant: datetime, tz: ZoneInfo) -> str:
    """«19:30, thứ Năm 05/12/2026» in local time."""
    local = instant.astimezone(tz)
    return t(
        "when",
        time=local.strftime("%H:%M"),
        weekday=t(f"weekday_name_{local.weekday()}"),
        date=local.strftime("%d/%m/%Y"),
    )
