"""Texts for secretary status (/tinhhinh) and nudges (/nhacnho)."""

TEXTS: dict[str, str] = {
    "cmd_tinhhinh": "Tình hình chi bộ: đảng viên, họp, tự kiểm tra, nhiệm vụ",
    "cmd_nhacnho": "Nhắc đảng viên chưa tự kiểm tra, chưa trả lời lịch họp",
    # --- /tinhhinh -----------------------------------------------------------------------------
    "status_title": "📊 Tình hình {cell}, ngày {date}",
    "status_overdue_alert": "⚠️ Có {count} nhiệm vụ kiểm tra, giám sát đã quá hạn!",
    "status_members": (
        "👥 Đảng viên: {total} (kích hoạt {active}, chưa kích hoạt {not_activated}, "
        "không liên lạc được {unreachable})"
    ),
    "status_next_meeting": "📅 Họp tới: {when}",
    "status_next_answers": "    Sẽ dự {attend} · Xin vắng {excused} · Chưa trả lời {unanswered}",
    "status_no_next": "📅 Chưa có lịch họp sắp tới.",
    "status_last_meeting": (
        "🗓 Họp trước ({date}): có mặt {present}/{total}, vắng có lý do {excused}, "
        "vắng không lý do {absent}"
    ),
    "status_last_unmarked": ", chưa điểm danh {count}",
    "status_no_last": "🗓 Chưa có buổi họp nào đã diễn ra.",
    "status_period": (
        "📝 Tự kiểm tra kỳ {label} (đến {until}): đã gửi {done} · đang làm {going} · "
        "chưa làm {not_started}"
    ),
    "status_no_period": "📝 Không có kỳ tự kiểm tra nào đang mở.",
    "status_flags": "🔎 Cần quan tâm sau tự kiểm tra: {count} đồng chí (/theodoi)",
    "status_no_flags": "🔎 Không còn nội dung tự kiểm tra nào chờ theo dõi.",
    "status_duties": "🎯 Nhiệm vụ KT, GS: quá hạn {overdue} · đến hạn trong {days} ngày {soon}",
    "status_delivery": "📵 Tin không gửi được ({days} ngày qua): {count} tin, {members} đồng chí",
    "status_no_delivery": "📨 Tin nhắn {days} ngày qua đều gửi được.",
    "status_hint": "Chọn một mục để xem tên.",
    "status_btn_unanswered": "Chưa trả lời họp ({count})",
    "status_btn_absent": "Vắng họp trước ({count})",
    "status_btn_selfcheck": "Chưa gửi tự kiểm tra {label} ({count})",
    "status_btn_overdue": "⚠️ Nhiệm vụ quá hạn ({count})",
    "status_btn_due_soon": "Nhiệm vụ sắp đến hạn ({count})",
    "status_btn_not_activated": "Chưa kích hoạt ({count})",
    "status_btn_unreachable": "Không liên lạc được ({count})",
    "status_btn_nudge": "🔔 Nhắc người chưa làm",
    "status_btn_back": "« Quay lại",
    # --- the lists behind the buttons -----------------------------------------------------------
    "status_list_rsvp_title": "📅 Buổi họp {when}:",
    "status_list_attendance_title": "🗓 Buổi họp {when}:",
    "status_list_selfcheck_title": "📝 Tự kiểm tra kỳ {label}:",
    "status_list_selfcheck_note": "Danh sách chỉ để nhắc nhở; nội dung trả lời không hiển thị.",
    "status_list_duties_title": "🎯 Nhiệm vụ KT, GS quá hạn và sắp đến hạn:",
    "status_list_duties_empty": "Không có nhiệm vụ nào quá hạn hay sắp đến hạn.",
    "status_list_duty": "• {mark}{title} (hạn {due}): {names}",
    "status_list_duty_overdue": "⚠️ ",
    "status_list_not_activated_title": "👥 Đảng viên chưa kích hoạt:",
    "status_list_not_activated_hint": "Gõ /moi để gửi mã mời cho từng đồng chí.",
    "status_list_unreachable_title": "📵 Đảng viên không liên lạc được:",
    "status_section": "{title} ({count}):",
    "status_section_empty": "{title}: không có.",
    "status_more": "… và {count} đồng chí khác.",
    "status_list_unanswered": "Chưa trả lời",
    "status_list_excused": "Xin vắng",
    "status_list_absent": "Vắng không lý do",
    "status_list_unmarked": "Chưa điểm danh",
    "status_list_not_started": "Chưa làm",
    "status_list_in_progress": "Đang làm dở",
    "status_list_invited": "Chưa kích hoạt tài khoản",
    "status_list_pending": "Đang chờ duyệt",
    "status_list_blocked": "Đã chặn bot hoặc không nhận được tin",
    "status_list_failed": "Có tin gửi không được trong {days} ngày qua",
    "status_no_next_meeting": "Chưa có lịch họp sắp tới. Gõ /tinhhinh để xem lại tình hình.",
    "status_no_last_meeting": "Chưa có buổi họp nào đã diễn ra. Gõ /tinhhinh để xem lại.",
    "status_period_closed": (
        "Kỳ tự kiểm tra này đã kết thúc. Gõ /tinhhinh để xem tình hình mới nhất."
    ),
    # --- /nhacnho ------------------------------------------------------------------------------
    "nudge_plan_title": "🔔 Sẽ gửi nhắc {count} đồng chí:",
    "nudge_plan_selfcheck": "• {count} đồng chí chưa gửi tự kiểm tra kỳ {labels}",
    "nudge_plan_rsvp": "• {count} đồng chí chưa trả lời buổi họp {when}",
    "nudge_plan_already": "Đã được nhắc hôm nay, không nhắc lại: {count} đồng chí.",
    "nudge_plan_unreachable": "Không liên lạc được qua bot nên không nhắc: {count} đồng chí.",
    "nudge_plan_ask": (
        "Mỗi đồng chí nhận một tin nhắc, mỗi ngày nhiều nhất một lần. Đồng chí có gửi không?"
    ),
    "nudge_btn_send": "Gửi nhắc",
    "nudge_btn_cancel": "Thôi",
    "nudge_nothing_open": (
        "Hiện không có kỳ tự kiểm tra nào đang mở và chưa có lịch họp sắp tới, "
        "nên chưa có gì để nhắc."
    ),
    "nudge_nobody": (
        "Không có đồng chí nào cần nhắc: mọi người đã gửi tự kiểm tra và trả lời lịch họp."
    ),
    "nudge_all_done_today": (
        "{count} đồng chí cần nhắc đều đã được nhắc hôm nay nên bot không nhắc lại. "
        "Ngày mai đồng chí có thể nhắc tiếp."
    ),
    "nudge_sent": "✅ Đã gửi nhắc {count} đồng chí.",
    "nudge_sent_none": "Không gửi thêm tin nào: các đồng chí cần nhắc đã được nhắc hôm nay.",
    "nudge_cancelled": "Đã thôi, không gửi nhắc.",
    "nudge_stale": (
        "Nút xác nhận này từ hôm trước nên không dùng được nữa. Xin đồng chí gõ /nhacnho "
        "để xem lại danh sách hôm nay."
    ),
    # The nudge a member gets.
    "nudge_title": "🔔 {cell} nhắc đồng chí:",
    "nudge_selfcheck": (
        "• Tự kiểm tra kỳ {label}: đồng chí chưa gửi (nhận câu trả lời đến hết ngày {until})."
    ),
    "nudge_rsvp": "• Buổi {kind} lúc {when}: đồng chí chưa cho biết có dự được không.",
    "nudge_thanks": "Xin đồng chí chọn nút bên dưới. Cảm ơn đồng chí!",
    "nudge_btn_selfcheck": "Tự kiểm tra kỳ {label}",
}
