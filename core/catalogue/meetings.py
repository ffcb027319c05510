"""Texts for meetings, reminders, answers and attendance."""

TEXTS: dict[str, str] = {
    "meeting_kind_regular": "sinh hoạt chi bộ thường kỳ",
    "meeting_kind_thematic": "sinh hoạt chuyên đề",
    "meeting_kind_extraordinary": "họp chi bộ bất thường",
    "weekday_name_0": "thứ Hai",
    "weekday_name_1": "thứ Ba",
    "weekday_name_2": "thứ Tư",
    "weekday_name_3": "thứ Năm",
    "weekday_name_4": "thứ Sáu",
    "weekday_name_5": "thứ Bảy",
    "weekday_name_6": "Chủ nhật",
    "when": "{time}, {weekday} {date}",
    # --- reminders ---------------------------------------------------------------------------
    "reminder_title": "📅 Nhắc lịch {kind} ({soon})",
    "soon_days": "còn {n} ngày",
    "soon_tomorrow": "ngày mai",
    "soon_hours": "còn {n} giờ nữa",
    "soon_minutes": "còn {n} phút nữa",
    "meeting_when": "Thời gian: {when}",
    "meeting_place": "Địa điểm: {place}",
    "meeting_agenda": "Nội dung: {agenda}",
    "meeting_documents": "Tài liệu: {url}",
    "reminder_ask": "Đồng chí vui lòng cho biết có dự họp được không ạ?",
    "btn_will_attend": "Tôi sẽ dự",
    "btn_ask_leave": "Xin vắng",
    "meeting_moved_notice": "⚠️ Buổi {kind} đã dời sang {when}, tại {place}.",
    "meeting_cancelled_notice": (
        "⚠️ Buổi {kind} lúc {when} đã hủy. Xin đồng chí chờ thông báo mới."
    ),
    # --- answers (RSVP) ----------------------------------------------------------------------
    "rsvp_attend_saved": "Cảm ơn đồng chí. Bot đã ghi: đồng chí sẽ dự họp lúc {when}.",
    "rsvp_ask_reason": "Xin đồng chí cho biết lý do vắng:",
    "reason_work": "Đi công tác",
    "reason_sick": "Ốm đau",
    "reason_family": "Việc gia đình",
    "reason_away": "Đi làm ăn xa",
    "reason_other": "Lý do khác",
    "rsvp_type_reason": (
        "Xin đồng chí gõ ngắn gọn lý do vắng (không cần ghi chi tiết riêng tư). "
        "Gõ /huy nếu không muốn ghi."
    ),
    "rsvp_excused_saved": (
        "Bot đã ghi: đồng chí xin vắng ({reason}). Đồng chí có muốn gửi ý kiến về nội dung "
        "họp cho bí thư chi bộ không ạ?"
    ),
    "btn_write_opinion": "Gửi ý kiến",
    "btn_no_thanks": "Không, cảm ơn",
    "rsvp_type_opinion": (
        "Xin đồng chí gõ ý kiến về nội dung họp; bot sẽ chuyển cho bí thư chi bộ. "
        "Gõ /huy nếu đổi ý."
    ),
    "rsvp_opinion_saved": "Cảm ơn đồng chí, ý kiến đã được ghi lại cho bí thư chi bộ.",
    "rsvp_done": "Cảm ơn đồng chí. Nếu thay đổi, đồng chí gõ /lichhop để chọn lại.",
    "rsvp_too_late": "Buổi họp đã bắt đầu nên không đổi câu trả lời được nữa.",
    "text_too_long": "Nội dung dài quá {limit} ký tự, xin đồng chí rút gọn lại.",
    # --- the schedule (/lichhop) -------------------------------------------------------------
    "schedule_header": "Lịch sinh hoạt sắp tới:",
    "schedule_empty": "Chưa có buổi sinh hoạt nào được lên lịch.",
    "schedule_empty_leader": "Chưa có buổi sinh hoạt nào được lên lịch. Gõ /taohop để tạo.",
    "schedule_item": "• {kind} — {when}\n  Địa điểm: {place}",
    "schedule_my_answer": "  Đồng chí: {answer}",
    "schedule_counts": (
        "  Đã nhắc {reminded} · Sẽ dự {attend} · Xin vắng {excused} · "
        "Không nhận được tin {unreachable} · Gửi lỗi {failed}"
    ),
    "answer_attend": "sẽ dự",
    "answer_excused": "xin vắng",
    "answer_none": "chưa trả lời",
    "btn_attend_on": "Sẽ dự: {date}",
    "btn_leave_on": "Xin vắng: {date}",
    "btn_move": "Đổi giờ: {date}",
    "btn_cancel_meeting": "Hủy: {date}",
    "confirm_cancel_meeting": "Đồng chí chắc chắn hủy buổi {kind} lúc {when} ạ?",
    "btn_yes_cancel": "Đúng, hủy buổi họp",
    "btn_keep": "Không, giữ nguyên",
    "kept": "Đã giữ nguyên lịch họp.",
    "meeting_cancelled_done": "Đã hủy buổi họp; {count} đồng chí đã được nhắc sẽ nhận thông báo.",
    "ask_new_time": (
        "Xin đồng chí gõ ngày giờ mới cho buổi {kind}, ví dụ: 12/12 lúc 19:30. "
        "Gõ /huy nếu không đổi."
    ),
    "meeting_moved_done": (
        "Đã dời buổi họp sang {when}; {count} đồng chí đã được nhắc sẽ nhận thông báo."
    ),
    "meeting_unknown": "Không tìm thấy buổi họp này (có thể đã bị hủy).",
    "meeting_cancelled": "Buổi họp này đã bị hủy.",
    "meeting_started": "Buổi họp đã bắt đầu nên không thay đổi được nữa.",
    "meeting_in_past": "Thời điểm họp đã qua. Xin đồng chí chọn một ngày giờ sắp tới.",
    "rule_no_occurrence": (
        "Quy tắc này không có buổi họp nào trong thời gian tới; xin đồng chí kiểm tra lại."
    ),
    "cmd_lichhop": "Lịch sinh hoạt chi bộ sắp tới",
    "cmd_taohop": "Tạo lịch sinh hoạt chi bộ",
    "cmd_diemdanh": "Điểm danh sau buổi sinh hoạt",
}
TEXTS.update(
    {
        "opinion_notice": (
            "Đồng chí {name} xin vắng buổi {kind} lúc {when} và gửi ý kiến về nội dung họp:\n"
            "«{opinion}»"
        ),
    }
)
TEXTS.update(
    {
        "use_buttons": "Xin đồng chí chọn một trong các mục ở tin nhắn trên.",
        "wiz_kind": "Tạo lịch sinh hoạt. Xin đồng chí chọn loại buổi họp:",
        "btn_kind_regular": "Thường kỳ",
        "btn_kind_thematic": "Chuyên đề",
        "btn_kind_extraordinary": "Bất thường",
        "wiz_repeat": "Buổi họp này có lặp lại không ạ?",
        "btn_repeat_once": "Chỉ một buổi",
        "btn_repeat_1": "Hằng tháng",
        "btn_repeat_3": "Hằng quý",
        "wiz_date": "Xin đồng chí gõ ngày họp, ví dụ: 5/12, mai hoặc thứ 7 tuần sau.",
        "wiz_rule": "Họp vào ngày nào trong tháng ạ?",
        "btn_rule_day_of_month": "Một ngày cố định (ví dụ ngày 5)",
        "btn_rule_nth_weekday": "Một thứ trong tuần (ví dụ thứ Bảy đầu tiên)",
        "btn_rule_last_day": "Ngày cuối tháng",
        "wiz_rule_day": "Xin đồng chí gõ ngày trong tháng, từ 1 đến 31 (ví dụ: 5).",
        "wiz_rule_weekday": "Họp vào thứ mấy ạ?",
        "wiz_rule_nth": "{weekday} nào trong tháng ạ?",
        "btn_nth_1": "Đầu tiên",
        "btn_nth_2": "Thứ hai",
        "btn_nth_3": "Thứ ba",
        "btn_nth_4": "Thứ tư",
        "btn_nth_-1": "Cuối cùng",
        "wiz_time": "Xin đồng chí gõ giờ họp, ví dụ: 19h30 hoặc 7h30 sáng.",
        "wiz_place": "Xin đồng chí gõ địa điểm họp (ví dụ: Hội trường ấp).",
        "btn_same_place": "Như lần trước: {place}",
        "wiz_agenda": "Xin đồng chí gõ nội dung chính của buổi họp, hoặc chọn «Bỏ qua».",
        "btn_skip": "Bỏ qua",
        "wiz_confirm": "Xin đồng chí kiểm tra lại:\n{summary}",
        "wiz_summary_kind": "Loại: {kind}",
        "wiz_summary_once": "Thời gian: {when}",
        "wiz_summary_rule": "Lịch: {rule}",
        "wiz_summary_place": "Địa điểm: {place}",
        "wiz_summary_agenda": "Nội dung: {agenda}",
        "btn_confirm": "Xác nhận",
        "btn_redo": "Làm lại",
        "btn_abort": "Hủy",
        "wiz_done": "Đã tạo lịch. Buổi gần nhất: {when}. Bot sẽ tự nhắc các đồng chí đảng viên.",
    }
)
TEXTS.update(
    {
        "att_header": "Điểm danh buổi {kind} lúc {when}",
        "att_legend": "Chọn tên để đổi: ✅ có mặt → 🟡 vắng có lý do → ❌ vắng không lý do → ⬜",
        "att_progress": "Đã đánh dấu {marked}/{total} đồng chí (trang {page}/{pages}).",
        "att_line_present": "✅ {name}",
        "att_line_excused": "🟡 {name}",
        "att_line_absent": "❌ {name}",
        "att_line_none": "⬜ {name}",
        "att_line_none_leave": "⬜ {name} (đã xin vắng)",
        "btn_att_rest": "Còn lại: có mặt",
        "btn_att_finish": "Xong",
        "att_done": (
            "Đã điểm danh: có mặt {present}/{total}, vắng có lý do {excused}, "
            "vắng không lý do {absent}."
        ),
        "att_rest_note": (
            "Khi chọn «Xong», đồng chí nào chưa đánh dấu được tính là vắng không lý do "
            "(trừ người đã xin vắng)."
        ),
        "att_warnings": "Cần quan tâm (để trao đổi, không phải kết luận):",
        "warn_unexcused": "• {name}: vắng không lý do buổi này",
        "warn_streak": "• {name}: vắng {count} buổi liên tiếp",
        "warn_year_limit": "• {name}: đã vắng không lý do {count} lần trong năm (ngưỡng Điều lệ)",
        "warn_year_near": "• {name}: đã vắng không lý do {count} lần trong năm, sắp tới ngưỡng",
        "no_meeting_to_mark": "Chưa có buổi họp nào vừa diễn ra để điểm danh.",
        "meeting_not_started": "Buổi họp chưa bắt đầu nên chưa điểm danh được.",
    }
)
TEXTS.update(
    {
        "skip_date_exists": "Ngày {date} đã có trong danh sách ngày nghỉ.",
        "cli_holiday_added": "Đã thêm ngày nghỉ {date}: {label}.",
        "cli_bad_offsets": "Thời điểm nhắc «{offsets}» chưa đúng; ví dụ đúng: 3d,1d,2h.",
        "cli_reminders_set": "Đã đặt thời điểm nhắc họp cho {cell}: {offsets}.",
    }
)
TEXTS.update(
    {
        "btn_edit": "Sửa: {date}",
        "btn_stop_rule": "Dừng lặp lại từ {date}",
        "ask_edit_what": "Đồng chí muốn sửa gì cho buổi {kind} lúc {when}?",
        "btn_edit_place": "Địa điểm",
        "btn_edit_agenda": "Nội dung",
        "ask_new_place": "Xin đồng chí gõ địa điểm mới. Gõ /huy nếu không đổi.",
        "ask_new_agenda": "Xin đồng chí gõ nội dung mới của buổi họp. Gõ /huy nếu không đổi.",
        "meeting_edited_done": "Đã lưu thay đổi; {count} đồng chí đã được nhắc sẽ nhận thông báo.",
        "meeting_edited_notice": (
            "ℹ️ Buổi {kind} lúc {when} có thay đổi:\nĐịa điểm: {place}\nNội dung: {agenda}"
        ),
        "confirm_stop_rule": (
            "Dừng lịch họp lặp lại: buổi {when} và các buổi sau sẽ bị hủy. Đồng chí chắc chắn ạ?"
        ),
        "btn_yes_stop": "Đúng, dừng lặp lại",
        "rule_stopped": "Đã dừng lịch lặp lại; {count} buổi họp đã hủy.",
        "meeting_not_repeating": "Buổi họp này không thuộc lịch lặp lại.",
    }
)
TEXTS.update(
    {
        "btn_edit_document_url": "Tài liệu",
        "ask_new_document_url": (
            "Xin đồng chí gửi đường dẫn tài liệu của buổi họp (bắt đầu bằng https://). "
            "Gõ /huy nếu không đổi."
        ),
        "document_url_invalid": "Đường dẫn tài liệu phải bắt đầu bằng https:// hoặc http://.",
    }
)
