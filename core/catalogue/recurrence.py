"""Texts for recurrence rules (see core.recurrence).

Keys all start with `rule_` so that they cannot clash with another part of the catalogue.
`describe()` picks one sentence per rule: `rule_<kind>` for a monthly rule, with `_may_lack`
when a month can lack the day and `_in` when the rule skips months ({months} then says which).
"""

TEXTS: dict[str, str] = {
    # --- whole descriptions ------------------------------------------------------------------
    "rule_day_of_month": "ngày {day} hằng tháng, lúc {at}",
    "rule_day_of_month_may_lack": (
        "ngày {day} hằng tháng (tháng thiếu ngày thì họp vào ngày cuối tháng), lúc {at}"
    ),
    "rule_nth_weekday": "{weekday} {nth} của tháng, lúc {at}",
    "rule_last_day": "ngày cuối tháng, lúc {at}",
    "rule_day_of_month_in": "ngày {day} {months}, lúc {at}",
    "rule_day_of_month_may_lack_in": (
        "ngày {day} {months} (tháng thiếu ngày thì họp vào ngày cuối tháng), lúc {at}"
    ),
    "rule_nth_weekday_in": "{weekday} {nth} của {months}, lúc {at}",
    "rule_last_day_in": "ngày cuối của {months}, lúc {at}",
    # --- which months, for rules that do not meet every month -------------------------------
    "rule_months_odd": "các tháng lẻ",
    "rule_months_even": "các tháng chẵn",
    "rule_months_quarter_1": "tháng đầu mỗi quý",
    "rule_months_quarter_2": "tháng giữa mỗi quý",
    "rule_months_quarter_3": "tháng cuối mỗi quý",
    "rule_months_half_year": "tháng {month} và tháng {second_month} hằng năm",
    "rule_months_yearly": "tháng {month} hằng năm",
    # --- weekdays (0 = Monday, as in Python) and their order in the month ------------------
    "rule_weekday_0": "thứ Hai",
    "rule_weekday_1": "thứ Ba",
    "rule_weekday_2": "thứ Tư",
    "rule_weekday_3": "thứ Năm",
    "rule_weekday_4": "thứ Sáu",
    "rule_weekday_5": "thứ Bảy",
    "rule_weekday_6": "Chủ nhật",
    "rule_nth_1": "đầu tiên",
    "rule_nth_2": "thứ hai",
    "rule_nth_3": "thứ ba",
    "rule_nth_4": "thứ tư",
    "rule_nth_-1": "cuối cùng",
    # --- errors (codes from core.recurrence.RULE_ERROR_CODES) ------------------------------
    "rule_malformed": "Lịch họp định kỳ không hợp lệ. Xin đồng chí đặt lại lịch họp.",
    "rule_bad_time": "Giờ họp phải có dạng giờ:phút, ví dụ 19:30.",
    "rule_bad_day": "Ngày họp phải là một số từ 1 đến 31.",
    "rule_bad_weekday": "Xin đồng chí chọn một ngày trong tuần, từ thứ Hai đến Chủ nhật.",
    "rule_bad_nth": (
        "Xin đồng chí chọn lần thứ mấy trong tháng: đầu tiên, thứ hai, thứ ba, thứ tư "
        "hoặc cuối cùng."
    ),
    "rule_bad_interval": "Chu kỳ họp phải là 1, 2, 3, 6 hoặc 12 tháng một lần.",
    "rule_bad_first_month": (
        "Tháng họp đầu tiên phải nằm trong chu kỳ đầu năm (ví dụ họp hằng quý thì chọn "
        "tháng 1, 2 hoặc 3)."
    ),
}
