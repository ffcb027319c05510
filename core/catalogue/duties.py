"""Texts for KT/GS duties: /giaoviec, /nhiemvu, reports, decisions, reminders and the CLI."""

TEXTS: dict[str, str] = {
    "cmd_giaoviec": "Giao nhiệm vụ kiểm tra, giám sát",
    "cmd_nhiemvu": "Nhiệm vụ kiểm tra, giám sát của tôi",
    "duty_kind_inspection": "Kiểm tra",
    "duty_kind_supervision": "Giám sát",
    "duty_kind_assignment": "Nhiệm vụ",
    "duty_status_open": "đang thực hiện",
    "duty_status_reported": "chờ xác nhận hoàn thành",
    "duty_status_done": "đã hoàn thành",
    "duty_status_returned": "bị trả lại, cần làm tiếp",
    # --- /giaoviec -----------------------------------------------------------------------------
    "dw_kind": "Giao nhiệm vụ mới. Xin đồng chí chọn loại:",
    "dw_title": (
        "Xin đồng chí gõ nội dung kiểm tra, giám sát hoặc công việc (tối đa {limit} ký tự)."
    ),
    "dw_concerns": (
        "Nội dung này liên quan đến ai (đối tượng)? Xin gõ tên người hoặc tổ chức, "
        "hoặc chọn «Bỏ qua»."
    ),
    "dw_assignees": (
        "Chọn người thực hiện: chọn tên để thêm hoặc bỏ, rồi chọn «Đã chọn xong». "
        "Đã chọn {count} đồng chí (trang {page}/{pages})."
    ),
    "dw_pick_on": "✅ {name}",
    "dw_pick_off": "▫️ {name}",
    "dw_btn_done": "Đã chọn xong",
    "dw_start": "Ngày bắt đầu? (ví dụ 15/11 hoặc 15/11/2026)",
    "dw_due": "Hạn hoàn thành? (không trước ngày bắt đầu {date})",
    "dw_confirm": "Xin đồng chí kiểm tra lại rồi chọn «Xác nhận»:\n{summary}",
    "dw_done": "Đã giao nhiệm vụ «{title}». Người thực hiện sẽ được nhắc trước hạn {date}.",
    "duty_no_assignee": "Xin đồng chí chọn ít nhất một người thực hiện.",
    "duty_assignee_unknown": "Người này không có trong danh sách đảng viên của chi bộ.",
    "duty_due_before_start": "Hạn hoàn thành không được trước ngày bắt đầu. Xin gõ lại.",
    # --- one duty ------------------------------------------------------------------------------
    "duty_line_kind": "Loại: {kind}",
    "duty_line_title": "Nội dung: {title}",
    "duty_line_concerns": "Đối tượng: {text}",
    "duty_line_assignees": "Người thực hiện: {names}",
    "duty_line_dates": "Thời gian: từ {start} đến hạn {due}",
    "duty_line_status": "Tình trạng: {state}",
    "duty_overdue_mark": "⚠️ quá hạn",
    "duty_item": "• {kind}: {title} (hạn {due}){mark}",
    "duty_item_state": "   {state}",
    "duty_open_button": "{n}. {title}",
    "duty_report_line": "– {date}, {name}: {text}",
    "duty_report_progress": "tiến độ",
    "duty_report_completion": "hoàn thành",
    "duty_report_kind_line": "Báo cáo {kind}",
    "duty_report_text": "Nội dung: {text}",
    "duty_report_file": "📎 Tệp kèm theo: {name}",
    "duty_file_photo": "ảnh",
    "duty_verdict_confirmed": "   ✓ Đã xác nhận hoàn thành.",
    "duty_verdict_returned": "   ↩ Trả lại: {text}",
    "duty_recent": "Báo cáo gần đây:",
    # --- /nhiemvu ------------------------------------------------------------------------------
    "duty_mine_title": "Nhiệm vụ của đồng chí:",
    "duty_mine_empty": "Hiện đồng chí chưa được giao nhiệm vụ kiểm tra, giám sát nào.",
    "duty_cell_title": "Nhiệm vụ chưa hoàn thành của chi bộ ({count}):",
    "duty_cell_empty": "Chi bộ không còn nhiệm vụ nào chưa hoàn thành.",
    "duty_btn_show": "Xem nhiệm vụ",
    "duty_assigned_notice": (
        "📌 Đồng chí được giao nhiệm vụ ({kind}): «{title}», hạn {due}. "
        "Xem và báo cáo qua /nhiemvu."
    ),
    "duty_pick_hint": "Chọn một nhiệm vụ để xem và báo cáo.",
    "duty_btn_progress": "Báo cáo tiến độ",
    "duty_btn_completion": "Báo cáo hoàn thành",
    "duty_unknown": "Không tìm thấy nhiệm vụ này.",
    "duty_not_yours": "Đồng chí không phải người thực hiện nhiệm vụ này.",
    "duty_already_done": "Nhiệm vụ này đã được xác nhận hoàn thành.",
    "duty_waiting_decision": (
        "Báo cáo hoàn thành của nhiệm vụ này đang chờ bí thư xác nhận. "
        "Đồng chí vẫn có thể báo cáo tiến độ."
    ),
    # --- reporting -----------------------------------------------------------------------------
    "duty_ask_report": (
        "Báo cáo {kind} cho nhiệm vụ «{title}»: xin đồng chí gõ nội dung ngắn (tối đa {limit} "
        "ký tự), có thể gửi kèm một ảnh hoặc tệp. Gõ /huy nếu không báo cáo nữa."
    ),
    "duty_report_empty": "Xin đồng chí gõ nội dung báo cáo, hoặc gửi một ảnh hoặc tệp.",
    "duty_file_too_large": (
        "Tệp lớn quá {limit} MB nên chưa lưu được. Xin đồng chí gửi tệp nhỏ hơn "
        "hoặc gõ nội dung báo cáo."
    ),
    "duty_reported_progress": "Đã ghi nhận báo cáo tiến độ. Cảm ơn đồng chí.",
    "duty_reported_completion": ("Đã gửi báo cáo hoàn thành. Bí thư chi bộ sẽ xem và xác nhận."),
    "duty_notice_progress": "📝 Đồng chí {name} báo cáo tiến độ nhiệm vụ «{title}».",
    "duty_notice_completion": (
        "✅ Đồng chí {name} báo cáo đã hoàn thành nhiệm vụ «{title}». "
        "Xin đồng chí xác nhận hoặc trả lại."
    ),
    # --- decisions -----------------------------------------------------------------------------
    "duty_btn_confirm": "Xác nhận hoàn thành",
    "duty_btn_return": "Trả lại",
    "duty_confirmed": "Đã xác nhận hoàn thành nhiệm vụ «{title}».",
    "duty_confirmed_notice": "✓ Nhiệm vụ «{title}» đã được đồng chí {name} xác nhận hoàn thành.",
    "duty_ask_comment": (
        "Xin đồng chí gõ nhận xét ngắn: vì sao trả lại nhiệm vụ «{title}», cần làm thêm gì. "
        "Gõ /huy nếu không trả lại nữa."
    ),
    "duty_comment_empty": "Xin đồng chí gõ nhận xét để người thực hiện biết cần làm thêm gì.",
    "duty_returned": "Đã trả lại nhiệm vụ «{title}» kèm nhận xét.",
    "duty_returned_notice": (
        "↩ Nhiệm vụ «{title}» được đồng chí {name} trả lại, nhận xét: {text}\n"
        "Xin đồng chí làm tiếp rồi báo cáo lại (/nhiemvu)."
    ),
    # --- reminders -----------------------------------------------------------------------------
    "duty_remind_days": "⏰ Còn {n} ngày đến hạn nhiệm vụ «{title}» (hạn {due}).",
    "duty_remind_today": "⏰ Hôm nay ({due}) là hạn nhiệm vụ «{title}».",
    "duty_remind_tomorrow": "⏰ Ngày mai ({due}) là hạn nhiệm vụ «{title}».",
    "duty_remind_hint": "Khi xong, xin đồng chí báo cáo qua /nhiemvu.",
    "duty_overdue": "⚠️ Nhiệm vụ «{title}» đã quá hạn ({due}). Xin đồng chí báo cáo qua /nhiemvu.",
    "duty_overdue_leader": (
        "⚠️ Nhiệm vụ «{title}» (người thực hiện: {names}) đã quá hạn ({due}) mà chưa hoàn thành."
    ),
    # --- CLI -----------------------------------------------------------------------------------
    "duty_col_title": "Nội dung",
    "duty_col_kind": "Loại",
    "duty_col_concerns": "Đối tượng",
    "duty_col_assignees": "Người thực hiện",
    "duty_col_start": "Ngày bắt đầu",
    "duty_col_due": "Hạn hoàn thành",
    "duty_err_missing_column": "thiếu cột «{column}»",
    "duty_err_title": "thiếu nội dung hoặc dài quá 200 ký tự",
    "duty_err_concerns": "đối tượng dài quá 200 ký tự",
    "duty_err_kind": "loại «{value}» không rõ (Kiểm tra, Giám sát hoặc Nhiệm vụ)",
    "duty_err_assignees": "thiếu người thực hiện",
    "duty_err_name": "không có đảng viên «{value}» trong chi bộ",
    "duty_err_name_twice": "có hai đảng viên cùng tên «{value}» trong chi bộ",
    "duty_err_date": "ngày «{value}» không đọc được (dd/mm/yyyy)",
    "duty_err_due_before_start": "hạn hoàn thành trước ngày bắt đầu",
    "cli_duty_template": "Đã ghi mẫu kế hoạch vào {path}.",
    "cli_duty_imported": "Đã nhập {count} nhiệm vụ vào chi bộ {cell}.",
    "cli_duty_bad_rows": "Tệp có {count} dòng lỗi, chưa nhập nhiệm vụ nào:",
    "cli_duty_skipped_bad": "Bỏ qua {count} dòng lỗi:",
}
