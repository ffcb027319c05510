"""Texts for the committee roll-up (/tonghop) and the KT/GS model programme (/mohinh)."""

TEXTS: dict[str, str] = {
    "cmd_tonghop": "Tổng hợp tình hình các chi bộ",
    "cmd_mohinh": "Mô hình chi bộ thực hiện tốt công tác kiểm tra, giám sát",
    # --- /tonghop ------------------------------------------------------------------------------
    "rollup_not_staff": (
        "Lệnh /tonghop dành cho cán bộ cấp ủy và ủy ban kiểm tra. Bí thư chi bộ xem tình hình "
        "chi bộ mình bằng lệnh /tinhhinh."
    ),
    "rollup_pick": "Đồng chí muốn xem tổng hợp của đơn vị nào?",
    "rollup_title": "📊 {unit}, tháng {month}",
    "rollup_cells": "Chi bộ: {total} · đăng ký mô hình: {registered} · chưa kích hoạt: {idle}",
    "rollup_meetings": "Đã sinh hoạt trong tháng: {held}/{total} chi bộ",
    "rollup_attendance": "Tỷ lệ dự sinh hoạt: {rate}",
    "rollup_selfcheck": "Tự kiểm tra kỳ {period}: {rate} đã nộp",
    "rollup_selfcheck_none": "Tự kiểm tra: chưa có kỳ nào mở",
    "rollup_flags": "Ý kiến cần quan tâm chưa xử lý: {count}",
    "rollup_duties": "KT, GS đúng hạn trong năm: {rate} ({done}/{due}), quá hạn: {overdue}",
    "rollup_no_cells": "Đơn vị này chưa có chi bộ nào.",
    "rollup_all_good": "✅ Không có chi bộ nào cần hỗ trợ.",
    "rollup_help_title": "Chi bộ cần hỗ trợ ({first}–{last} trong {count}):",
    "rollup_help_item": "{n}. {name}: {problems}",
    "rollup_problem_idle": "chưa kích hoạt",
    "rollup_problem_no_meeting": "chưa sinh hoạt tháng này",
    "rollup_problem_completion": "tự kiểm tra {rate}",
    "rollup_problem_overdue": "{count} việc KT, GS quá hạn",
    "rollup_rate_none": "chưa có số liệu",
    "rollup_btn_more": "Xem thêm »",
    "rollup_btn_back": "« Trang trước",
    "rollup_btn_units": "Xem từng đơn vị",
    "rollup_btn_export": "Xuất Excel",
    "rollup_btn_programme": "Mô hình KT, GS",
    "rollup_units": "Chọn đơn vị trực thuộc {unit} để xem (trang {page}/{pages}):",
    "rollup_no_units": "{unit} không có đơn vị trực thuộc nào ngoài các chi bộ.",
    "rollup_exported": "📎 Bảng tổng hợp {unit} từ {start} đến {end}.",
    "rollup_bad_range": "Ngày bắt đầu phải trước ngày kết thúc.",
    # --- the workbook --------------------------------------------------------------------------
    "rollup_xlsx_sheet": "Tổng hợp",
    "rollup_xlsx_about_sheet": "Thông tin",
    "rollup_xlsx_span": "từ {start} đến {end}",
    "rollup_xlsx_title": "Tổng hợp các chi bộ thuộc {unit}, {span}",
    "rollup_xlsx_h_stt": "STT",
    "rollup_xlsx_h_cell": "Chi bộ",
    "rollup_xlsx_h_roster": "Số đảng viên",
    "rollup_xlsx_h_linked": "Đã kích hoạt",
    "rollup_xlsx_h_meetings": "Buổi sinh hoạt",
    "rollup_xlsx_h_regular": "Có họp thường kỳ",
    "rollup_xlsx_h_attendance": "Tỷ lệ dự họp",
    "rollup_xlsx_h_unexcused": "ĐV vắng không lý do",
    "rollup_xlsx_h_sc_done": "Tự kiểm tra đã nộp",
    "rollup_xlsx_h_sc_expected": "Tự kiểm tra cần nộp",
    "rollup_xlsx_h_completion": "Tỷ lệ tự kiểm tra",
    "rollup_xlsx_h_flags": "Ý kiến cần quan tâm chưa xử lý",
    "rollup_xlsx_h_duties_due": "KT, GS đến hạn",
    "rollup_xlsx_h_duties_on_time": "KT, GS đúng hạn",
    "rollup_xlsx_h_on_time": "Tỷ lệ đúng hạn",
    "rollup_xlsx_h_overdue": "KT, GS quá hạn",
    "rollup_xlsx_h_registered": "Đăng ký mô hình",
    "rollup_xlsx_h_outcome": "Kết quả thẩm định",
    "rollup_xlsx_yes": "Có",
    "rollup_xlsx_no": "Chưa",
    "rollup_xlsx_subtotal": "Cộng {name}",
    "rollup_xlsx_total": "Tổng cộng",
    "rollup_xlsx_item": "Mục",
    "rollup_xlsx_unit": "Đơn vị",
    "rollup_xlsx_from": "Từ ngày",
    "rollup_xlsx_to": "Đến ngày",
    "rollup_xlsx_periods": "Kỳ tự kiểm tra",
    "rollup_xlsx_year": "Năm đăng ký mô hình",
    "rollup_xlsx_note": "Ghi chú",
    "rollup_xlsx_privacy": (
        "Chỉ có số lượng và tỷ lệ; không có nội dung tự kiểm tra của đảng viên. Tỷ lệ dự họp "
        "tính trên số lượt điểm danh; KT, GS đúng hạn là việc được xác nhận hoàn thành "
        "không muộn hơn hạn."
    ),
    # --- /mohinh -------------------------------------------------------------------------------
    "programme_title": (
        "Mô hình «Chi bộ thực hiện tốt công tác kiểm tra, giám sát và nói không với đảng viên "
        "vi phạm» năm {year}"
    ),
    "programme_not_allowed": (
        "Lệnh /mohinh dành cho bí thư, phó bí thư chi bộ và cán bộ cấp ủy, ủy ban kiểm tra."
    ),
    "programme_pick": "Đồng chí muốn xem mô hình của đơn vị nào?",
    "programme_cell_registered": (
        "{cell} đã đăng ký ngày {date} (nghị quyết của chi bộ ngày {resolution})."
    ),
    "programme_cell_registered_by_committee": (
        "{cell} đã được cấp ủy đăng ký thay ngày {date} (nghị quyết ngày {resolution})."
    ),
    "programme_no_resolution": "chưa rõ",
    "programme_cell_not_registered": "{cell} chưa đăng ký tham gia mô hình năm {year}.",
    "programme_outcome_line": "Kết quả thẩm định ngày {date}: {outcome}.",
    "programme_outcome_note": "Nhận xét: {note}",
    "programme_waiting_appraisal": "Chưa có kết quả thẩm định.",
    "programme_btn_register": "Đăng ký",
    "programme_btn_register_for": "Đăng ký thay chi bộ",
    "programme_btn_appraise": "Thẩm định",
    "programme_btn_reappraise": "Thẩm định lại",
    "programme_btn_registered": "Chi bộ đã đăng ký",
    "programme_btn_unregistered": "Chi bộ chưa đăng ký",
    "programme_btn_no_date": "Chưa rõ ngày",
    "programme_ask_date": (
        "Xin đồng chí gõ ngày chi bộ ra nghị quyết đăng ký, dạng ngày/tháng/năm, "
        "ví dụ 15/01/{year}. Gõ /huy để thôi."
    ),
    "programme_ask_date_for": (
        "Đăng ký thay {cell}: xin gõ ngày nghị quyết của chi bộ (ví dụ 15/01/{year}), "
        "hoặc chọn «Chưa rõ ngày». Gõ /huy để thôi."
    ),
    "programme_date_unreadable": (
        "Bot chưa hiểu ngày «{text}». Xin gõ đủ ngày/tháng/năm, ví dụ 15/01/2026."
    ),
    "programme_date_impossible": "Ngày «{text}» không có trên lịch. Xin gõ lại, ví dụ 15/01/2026.",
    "programme_date_future": "Ngày {text} chưa đến. Xin gõ ngày chi bộ đã ra nghị quyết.",
    "programme_date_old": (
        "Ngày {text} đã quá xa. Xin gõ ngày nghị quyết đăng ký mô hình năm {year}."
    ),
    "programme_date_needed": "Xin đồng chí gõ ngày nghị quyết của chi bộ, ví dụ 15/01/2026.",
    "programme_registered": "✅ Đã đăng ký {cell} tham gia mô hình năm {year}.",
    "programme_already_registered": "Chi bộ đã đăng ký mô hình năm {year} rồi.",
    "programme_not_registered": (
        "Chi bộ này chưa đăng ký mô hình năm {year} nên chưa thể thẩm định. Cần đăng ký trước."
    ),
    "programme_not_appraiser": (
        "Việc thẩm định mô hình do cấp ủy và ủy ban kiểm tra {body} thực hiện; "
        "đồng chí không thuộc đơn vị đó."
    ),
    "programme_kind_province": "cấp tỉnh",
    "programme_kind_district": "cấp huyện",
    "programme_kind_committee": "đảng ủy xã, phường",
    "programme_kind_cell": "chi bộ",
    "programme_unit_summary": "{unit}: đã đăng ký {registered}/{total} chi bộ.",
    "programme_outcomes": "Đã thẩm định: {items}.",
    "programme_outcome_count": "{outcome} {count}",
    "programme_list_unregistered": "Chi bộ chưa đăng ký (trang {page}/{pages}):",
    "programme_list_registered": "Chi bộ đã đăng ký (trang {page}/{pages}):",
    "programme_list_empty_unregistered": "Tất cả chi bộ đã đăng ký.",
    "programme_list_empty_registered": "Chưa có chi bộ nào đăng ký.",
    "programme_cell_button": "{name}",
    "programme_cell_button_outcome": "{name} ({outcome})",
    "programme_evidence_title": "Số liệu năm {year} của chi bộ (để thẩm định):",
    "programme_evidence_meetings": "• Buổi sinh hoạt đã họp: {count} (thường kỳ {regular})",
    "programme_evidence_attendance": "• Tỷ lệ dự sinh hoạt: {rate}",
    "programme_evidence_selfcheck": "• Tự kiểm tra đã nộp: {rate} ({done}/{expected})",
    "programme_evidence_duties": "• KT, GS đúng hạn: {rate} ({done}/{due}), quá hạn: {overdue}",
    "programme_evidence_unexcused": "• Đảng viên có buổi vắng không lý do: {count}",
    "programme_ask_outcome": "Chọn kết quả thẩm định mô hình năm {year} của {cell}:",
    "programme_ask_note": (
        "Kết quả: {outcome}. Xin gõ nhận xét ngắn (tối đa {limit} ký tự), hoặc chọn «Bỏ qua»."
    ),
    "programme_appraised": "✅ Đã ghi kết quả thẩm định {cell} năm {year}: {outcome}.",
    "programme_outcome_rewarded": "khen thưởng",
    "programme_outcome_praised": "biểu dương",
    "programme_outcome_recognised": "công nhận",
    "programme_outcome_not_met": "chưa đạt",
    # --- chibo programme -----------------------------------------------------------------------
    "cli_programme_registered": "Đã đăng ký {cell} tham gia mô hình năm {year}.",
    "cli_programme_appraised": "Đã ghi kết quả thẩm định {cell} năm {year}: {outcome}.",
    "cli_programme_header": "{unit}, mô hình năm {year}: đã đăng ký {registered}/{total} chi bộ.",
    "cli_programme_columns": "Chi bộ | Đăng ký | Nghị quyết | Kết quả | Nhận xét",
    "cli_programme_row": "{cell} | {registered} | {resolution} | {outcome} | {note}",
    "cli_programme_not_registered": "chưa đăng ký",
}
