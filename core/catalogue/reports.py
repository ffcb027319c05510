"""Texts for reports (/baocao, `chibo report`): the xlsx workbook and the 12-month chart."""

TEXTS: dict[str, str] = {
    "cmd_baocao": "Báo cáo của chi bộ (tệp Excel và biểu đồ)",
    # --- periods -------------------------------------------------------------------------------
    "report_span_month": "tháng {month}/{year}",
    "report_span_quarter": "quý {quarter}/{year}",
    "report_span_year": "năm {year}",
    "report_span_range": "{start} – {end}",
    "report_period_unreadable": (
        "Bot chưa hiểu khoảng thời gian «{text}». Xin đồng chí gõ theo mẫu: 9/2026 (một tháng), "
        "quý 3/2026, 2026 (cả năm) hoặc 01/09/2026 - 30/11/2026."
    ),
    "report_period_impossible": (
        "«{text}» có ngày hoặc tháng không có trên lịch. Xin đồng chí gõ ngày trước, tháng sau, "
        "ví dụ: 01/09/2026 - 30/11/2026."
    ),
    "report_period_reversed": (
        "Ngày kết thúc trong «{text}» đứng trước ngày bắt đầu. Xin đồng chí gõ lại, "
        "ví dụ: 01/09/2026 - 30/11/2026."
    ),
    "report_period_future": "Khoảng thời gian «{text}» chưa bắt đầu nên chưa có số liệu.",
    "report_period_too_long": (
        "Khoảng thời gian «{text}» dài quá {years} năm. Xin đồng chí chọn khoảng ngắn hơn."
    ),
    # --- /baocao -------------------------------------------------------------------------------
    "report_choose": "Báo cáo của {cell}. Xin đồng chí chọn khoảng thời gian:",
    "report_btn_this_month": "Tháng này ({label})",
    "report_btn_last_month": "Tháng trước ({label})",
    "report_btn_this_quarter": "Quý này ({label})",
    "report_btn_last_quarter": "Quý trước ({label})",
    "report_btn_this_year": "Năm nay ({label})",
    "report_btn_custom": "Khoảng khác…",
    "report_ask_custom": (
        "Xin đồng chí gõ khoảng thời gian cần báo cáo, ví dụ:\n"
        "• 9/2026 (một tháng)\n"
        "• quý 3/2026\n"
        "• 2026 (cả năm)\n"
        "• 01/09/2026 - 30/11/2026\n"
        "Gõ /huy để thôi."
    ),
    "report_ready": "📊 Báo cáo của {cell}, {period}:",
    "report_sum_members": (
        "• Đảng viên: {total} (đã kích hoạt {active}, nhận được tin qua bot {reachable})"
    ),
    "report_sum_meetings": "• Sinh hoạt: {count} buổi, tỷ lệ có mặt {rate}",
    "report_sum_selfcheck": "• Tự kiểm tra: hoàn thành {done}/{asked} lượt ({rate})",
    "report_sum_flags": (
        "• Cần quan tâm: {raised} nội dung, đã liên hệ {contacted}, chưa liên hệ {open}"
    ),
    "report_sum_duties": "• KT, GS: {count} nhiệm vụ, đúng hạn {on_time}/{judged} ({rate})",
    "report_rate_none": "chưa có số liệu",
    "report_file_hint": "Tệp Excel in được trên khổ A4 ngang; biểu đồ 12 tháng gửi kèm theo.",
    "report_chart_caption": (
        "Biểu đồ 12 tháng ({from_month} – {to_month}): tỷ lệ có mặt sinh hoạt, "
        "hoàn thành tự kiểm tra và KT, GS đúng hạn."
    ),
    # --- the chart -----------------------------------------------------------------------------
    "report_chart_title": "{cell}: 12 tháng, từ {from_month} đến {to_month}",
    "report_chart_attendance": "Tỷ lệ có mặt sinh hoạt",
    "report_chart_selfcheck": "Hoàn thành tự kiểm tra",
    "report_chart_on_time": "Nhiệm vụ KT, GS đúng hạn",
    "report_chart_axis": "Tỷ lệ",
    "report_chart_month": "Tháng",
    "report_chart_empty": "Chưa có số liệu trong 12 tháng này",
    # --- the workbook --------------------------------------------------------------------------
    "report_page_title": "{cell} – báo cáo {period}",
    "report_sheet_summary": "Tổng hợp",
    "report_sheet_roster": "Đảng viên",
    "report_sheet_meetings": "Sinh hoạt",
    "report_sheet_presence": "Điểm danh",
    "report_sheet_selfcheck": "Tự kiểm tra",
    "report_sheet_flags": "Theo dõi",
    "report_sheet_duties": "KT-GS",
    "report_sheet_trend": "12 tháng",
    "rcol_item": "Nội dung",
    "rcol_value": "Số liệu",
    "rcol_no": "STT",
    "rcol_name": "Họ và tên",
    "rcol_role": "Chức vụ",
    "rcol_membership": "Đảng viên",
    "rcol_state": "Kích hoạt bot",
    "rcol_reachable": "Nhận được tin qua bot",
    "rcol_channels": "Kênh",
    "rcol_date": "Ngày",
    "rcol_time": "Giờ",
    "rcol_kind": "Loại",
    "rcol_place": "Địa điểm",
    "rcol_present": "Có mặt",
    "rcol_excused": "Vắng có lý do",
    "rcol_absent": "Vắng không lý do",
    "rcol_attendance_rate": "Tỷ lệ có mặt",
    "rcol_note": "Ghi chú",
    "rcol_period": "Kỳ",
    "rcol_from": "Từ ngày",
    "rcol_to": "Đến ngày",
    "rcol_asked": "Số đảng viên phải làm",
    "rcol_done": "Đã hoàn thành",
    "rcol_in_progress": "Đang làm",
    "rcol_not_started": "Chưa làm",
    "rcol_done_rate": "Tỷ lệ hoàn thành",
    "rcol_done_count": "Số kỳ đã hoàn thành",
    "rcol_flag_members": "Số đảng viên cần quan tâm",
    "rcol_flags_raised": "Số nội dung cần quan tâm",
    "rcol_flags_contacted": "Đã liên hệ",
    "rcol_flags_open": "Chưa liên hệ",
    "rcol_title": "Nội dung",
    "rcol_concerns": "Đối tượng",
    "rcol_assignees": "Người thực hiện",
    "rcol_start": "Ngày bắt đầu",
    "rcol_due": "Hạn hoàn thành",
    "rcol_status": "Tình trạng",
    "rcol_completed": "Ngày báo cáo hoàn thành",
    "rcol_on_time": "Đúng hạn",
    "rcol_month": "Tháng",
    "rcol_selfcheck_rate": "Tỷ lệ hoàn thành tự kiểm tra",
    "rcol_on_time_rate": "Tỷ lệ KT, GS đúng hạn",
    "rv_yes": "Có",
    "rv_no": "Không",
    "rv_blocked": "Không (đã chặn bot)",
    "rv_activated": "Đã kích hoạt",
    "rv_not_activated": "Chưa kích hoạt",
    "rv_full": "Chính thức",
    "rv_probationary": "Dự bị",
    "rv_secretary": "Bí thư",
    "rv_deputy": "Phó bí thư",
    "rv_member": "Đảng viên",
    "rv_regular": "Thường kỳ",
    "rv_thematic": "Chuyên đề",
    "rv_extraordinary": "Bất thường",
    "rv_not_marked": "Chưa điểm danh",
    "rv_present": "x",
    "rv_excused": "P",
    "rv_absent": "KP",
    "rv_presence_legend": (
        "x: có mặt; P: vắng có lý do; KP: vắng không lý do; để trống: chưa điểm danh"
    ),
    "rv_sc_done": "Đã hoàn thành",
    "rv_sc_in_progress": "Đang làm",
    "rv_sc_not_started": "Chưa làm",
    "rv_sc_not_asked": "–",
    "rv_sc_legend": "–: chưa được gửi phiếu kỳ này (chưa kích hoạt bot khi mở kỳ)",
    "rv_monthly": "Hằng tháng",
    "rv_quarterly": "Hằng quý",
    "rv_left": "{name} (nay không còn trong chi bộ)",
    "rv_total": "Cộng",
    "rv_rate": "Tỷ lệ",
    "rv_duty_open": "Đang thực hiện",
    "rv_duty_reported": "Chờ xác nhận hoàn thành",
    "rv_duty_done": "Đã hoàn thành",
    "rv_duty_returned": "Bị trả lại, làm tiếp",
    "rv_on_time_yes": "Đúng hạn",
    "rv_on_time_late": "Trễ hạn",
    "rv_on_time_overdue": "Quá hạn, chưa xong",
    "rv_on_time_pending": "Chưa đến hạn",
    "rv_sum_cell": "Chi bộ",
    "rv_sum_parent": "Trực thuộc",
    "rv_sum_period": "Thời gian báo cáo",
    "rv_sum_made": "Ngày lập",
    "rv_sum_members": "Số đảng viên trong danh sách",
    "rv_sum_activated": "Đã kích hoạt bot",
    "rv_sum_reachable": "Nhận được tin qua bot",
    "rv_sum_meetings": "Số buổi sinh hoạt",
    "rv_sum_attendance": "Tỷ lệ có mặt",
    "rv_sum_selfcheck_asked": "Lượt tự kiểm tra phải làm",
    "rv_sum_selfcheck_done": "Lượt tự kiểm tra đã hoàn thành",
    "rv_sum_selfcheck_rate": "Tỷ lệ hoàn thành tự kiểm tra",
    "rv_sum_flags_raised": "Nội dung cần quan tâm",
    "rv_sum_flags_contacted": "Đã liên hệ",
    "rv_sum_flags_open": "Chưa liên hệ",
    "rv_sum_duties": "Nhiệm vụ KT, GS trong kỳ",
    "rv_sum_duties_done": "Đã hoàn thành",
    "rv_sum_on_time_rate": "Tỷ lệ đúng hạn (trong số đã xong hoặc đã đến hạn)",
    # --- chibo report --------------------------------------------------------------------------
    "cli_report_written": "Đã ghi báo cáo {period} của {cell} vào {path}.",
    "cli_report_chart": "Biểu đồ 12 tháng: {path}",
    "cli_report_unit_written": "Đã ghi báo cáo tổng hợp {period} của {unit} vào {path}.",
    "cli_report_chart_cell_only": "Biểu đồ (--chart) chỉ có cho báo cáo của một chi bộ.",
}
