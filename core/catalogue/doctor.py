"""Texts for `chibo doctor`: what the operator's installation checks found, and what to fix.

Placeholders reuse names the text test already has samples for (value: a masked token or a
setting's value, url, path, reason, count, size, revision, head, channel, name, time).
"""

TEXTS: dict[str, str] = {
    "doc_title": "Kiểm tra cài đặt bot (chibo doctor):",
    "doc_all_ok": "Mọi kiểm tra đều đạt.",
    "doc_warnings_only": "Không có lỗi; {count} cảnh báo nên xem.",
    "doc_failures": "Có {count} lỗi cần sửa (đánh dấu ✗), {total} cảnh báo.",
    # --- settings, channels, the web server ----------------------------------------------------
    "doc_settings_ok": "Cấu hình: đọc được (.env và biến môi trường).",
    "doc_settings_bad": "Cấu hình có lỗi: {reason}",
    "doc_settings_fix": "Sửa thiết lập đã nêu trong .env (xem .env.example), rồi chạy lại.",
    "doc_no_channel": "Không có kênh nào chạy: chưa đặt BOT_TOKEN hoặc ZALO_BOT_TOKEN.",
    "doc_no_channel_fix": "Đặt token của bot Telegram (BOT_TOKEN) và/hoặc Zalo (ZALO_BOT_TOKEN).",
    "doc_mode_polling": "Cách nhận tin: polling, bot tự hỏi {channel}.",
    "doc_mode_webhook": "Cách nhận tin: webhook tại {url} ({channel}).",
    "doc_web_server": "Máy chủ web của bot: {url} (kiểm tra sức khỏe: {path}).",
    "doc_web_none": (
        "Không có máy chủ web (polling, chưa đặt PUBLIC_BASE_URL): không có /health, "
        "dùng chibo doctor --quick."
    ),
    "doc_https_needed": "{name} là {url}: Telegram và Zalo chỉ chấp nhận địa chỉ HTTPS.",
    "doc_https_needed_fix": (
        "Dùng địa chỉ https:// của reverse proxy (có chứng chỉ TLS, ví dụ Let's Encrypt)."
    ),
    "doc_tg_port": (
        "WEBHOOK_URL là {url}: Telegram chỉ gửi webhook tới cổng 443, 80, 88 hoặc 8443."
    ),
    "doc_tg_port_fix": (
        "Để reverse proxy nhận ở cổng 443 (cổng mặc định của https) và bỏ cổng khỏi URL."
    ),
    "doc_public_https": (
        "PUBLIC_BASE_URL là {url}: tệp báo cáo có tên đảng viên, không được gửi qua http."
    ),
    "doc_zalo_no_files": (
        "Zalo đang chạy mà chưa đặt PUBLIC_BASE_URL: tệp Excel, ảnh QR không gửi được qua Zalo."
    ),
    "doc_zalo_no_files_fix": (
        "Đặt PUBLIC_BASE_URL là địa chỉ https công khai của máy chủ web của bot "
        "(cùng reverse proxy với webhook)."
    ),
    # --- self-check forms ----------------------------------------------------------------------
    "doc_forms_ok": "Biểu mẫu tự kiểm tra: đọc được {count} tệp ({path}).",
    "doc_forms_bad": "Biểu mẫu tự kiểm tra có lỗi: {reason}",
    "doc_forms_fix": "Sửa tệp đã nêu (xem README, mục Self-checks) hoặc lấy lại tệp gốc.",
    # --- database ------------------------------------------------------------------------------
    "doc_db_ok": "Cơ sở dữ liệu: kết nối được {url}.",
    "doc_db_missing": "Cơ sở dữ liệu: chưa có tệp {path}.",
    "doc_db_missing_fix": (
        "Chạy chibo db upgrade để tạo cơ sở dữ liệu, hoặc sửa DATABASE_URL nếu tệp nằm chỗ khác."
    ),
    "doc_db_down": "Cơ sở dữ liệu: không kết nối được {url} ({reason}).",
    "doc_db_down_fix": (
        "Kiểm tra DATABASE_URL (máy, cổng, tên, mật khẩu) và máy chủ PostgreSQL đang chạy; "
        "với SQLite, kiểm tra quyền đọc, ghi thư mục."
    ),
    "doc_schema_ok": "Phiên bản cơ sở dữ liệu: {revision}, đúng với mã nguồn.",
    "doc_schema_empty": "Phiên bản cơ sở dữ liệu: chưa tạo bảng (mã nguồn cần {head}).",
    "doc_schema_behind": "Phiên bản cơ sở dữ liệu: {revision}, mã nguồn cần {head}.",
    "doc_schema_fix": "Sao lưu cơ sở dữ liệu, rồi chạy chibo db upgrade.",
    "doc_schema_ahead": "Phiên bản cơ sở dữ liệu {revision} mới hơn mã nguồn này (cần {head}).",
    "doc_schema_ahead_fix": (
        "Cài bản mã nguồn đã nâng cấp cơ sở dữ liệu; không chạy bản cũ trên dữ liệu mới."
    ),
    "doc_schema_skipped": "Phiên bản cơ sở dữ liệu: bỏ qua vì chưa kết nối được.",
    "doc_disk_ok": "Dung lượng trống: {size} MB ở thư mục {path}.",
    "doc_disk_low": "Dung lượng trống còn ít: {size} MB ở thư mục {path}.",
    "doc_disk_fix": (
        "Giải phóng ổ đĩa hoặc chuyển cơ sở dữ liệu sang ổ lớn hơn; bản sao lưu cần thêm "
        "chỗ bằng cỡ tệp cơ sở dữ liệu."
    ),
    # --- messengers ----------------------------------------------------------------------------
    "doc_token_ok": "{channel}: token {value} hợp lệ, bot {name}.",
    "doc_token_refused": "{channel}: token {value} bị từ chối.",
    "doc_tg_token_fix": "Lấy lại token ở @BotFather (/mybots → API Token) và sửa BOT_TOKEN.",
    "doc_zalo_token_fix": (
        "Lấy lại token trong Zalo Bot Creator (Zalo Bot Manager → bot của đồng chí) "
        "và sửa ZALO_BOT_TOKEN."
    ),
    "doc_api_unreachable": "{channel}: không kết nối được {url} ({reason}).",
    "doc_tg_unreachable_fix": (
        "Kiểm tra mạng của máy chủ (DNS, tường lửa, proxy ra ngoài) và TELEGRAM_API_URL."
    ),
    "doc_zalo_unreachable_fix": (
        "Kiểm tra mạng của máy chủ (DNS, tường lửa, proxy ra ngoài) và ZALO_API_URL."
    ),
    "doc_api_error": "{channel} trả lời lỗi: {reason}",
    "doc_api_error_fix": "Thử lại sau ít phút; nếu vẫn lỗi, xem trang trạng thái của nền tảng.",
    "doc_username_mismatch": "BOT_USERNAME là {value}, nhưng token thuộc bot {name}.",
    "doc_username_fix": (
        "Sửa BOT_USERNAME (hoặc để trống để bot tự lấy): đường dẫn mời in bằng chibo invite "
        "dùng tên này."
    ),
    # --- webhooks ------------------------------------------------------------------------------
    "doc_hook_polling_ok": "{channel}: không đặt webhook, đúng với cách nhận tin polling.",
    "doc_hook_ok": "{channel}: webhook đúng địa chỉ {url}.",
    "doc_hook_unset": "{channel}: chưa đặt webhook (cấu hình cần {url}).",
    "doc_hook_unset_fix": (
        "Chạy chibo run: bot tự đặt webhook khi khởi động. Nếu bot đang chạy mà vẫn thế, có "
        "nơi khác dùng cùng token bằng polling: dừng nơi đó."
    ),
    "doc_hook_mismatch": "{channel}: webhook đang là {value}, cấu hình cần {url}.",
    "doc_hook_mismatch_fix": (
        "Khởi động lại bot để đặt lại webhook theo WEBHOOK_URL. Nếu webhook lại bị đổi, có "
        "máy khác dùng cùng token: dừng máy đó."
    ),
    "doc_hook_in_polling": (
        "{channel}: đang đặt webhook {value}, nhưng bot nhận tin bằng polling (không có "
        "WEBHOOK_URL)."
    ),
    "doc_hook_in_polling_fix": (
        "Nếu một máy khác đang chạy bot bằng webhook với cùng token, dừng máy đó; nếu không, "
        "chibo run sẽ tự xóa webhook cũ."
    ),
    "doc_hook_error": "{channel}: lần gửi webhook lỗi gần nhất lúc {time}: {reason}",
    "doc_hook_error_fix": (
        "Kiểm tra reverse proxy, chứng chỉ TLS và WEBHOOK_SECRET (lỗi 401 là sai secret); "
        "bot phải đang chạy và nghe ở WEBHOOK_LISTEN:WEBHOOK_PORT."
    ),
    "doc_hook_pending": "{channel}: {count} tin đang chờ bot nhận.",
    "doc_hook_pending_fix": (
        "Bot có đang chạy không? Xem nhật ký (journalctl -u chibo-bot hoặc docker logs)."
    ),
    # --- the quick check (container health) ----------------------------------------------------
    "doc_health_ok": "Bot đang chạy: {url} trả lời ổn (phiên bản {revision}).",
    "doc_health_bad": "Bot không trả lời đúng ở {url} ({reason}).",
    "doc_health_fix": "Xem nhật ký của bot; khởi động lại nếu cần.",
}
