"""Texts for the operator's data commands: `chibo backup`, `chibo restore`, `chibo member
forget`, and the placeholder name of a member whose personal data was removed."""

TEXTS: dict[str, str] = {
    # --- chibo backup / restore ----------------------------------------------------------------
    "cli_backup_progress": "Đang chép: {percent}% ({done}/{total} trang)",
    "cli_backup_done": (
        "Đã sao lưu vào {path}: {size}, lược đồ {revision}, {rows} dòng, {seconds} giây. "
        "Bản sao đã qua kiểm tra toàn vẹn (integrity_check)."
    ),
    "cli_backup_table": "  {table:<26} {count:>10,}",
    "cli_backup_failed": "Không sao lưu được: {reason}",
    "cli_backup_pg_running": "Cơ sở dữ liệu là PostgreSQL; đang chạy pg_dump:\n  {command}",
    "cli_backup_pg_done": (
        "Đã sao lưu PostgreSQL vào {path} ({size}, {seconds} giây). Khôi phục bằng:\n  {command}"
    ),
    "cli_backup_pg_failed": "pg_dump báo lỗi (mã {code}); chưa có bản sao lưu.",
    "cli_backup_pg_manual": (
        "Cơ sở dữ liệu là PostgreSQL và máy này không có pg_dump trong PATH. Hãy sao lưu "
        "bằng:\n  {dump}\nvà khôi phục bằng:\n  {restore}\n(cài gói postgresql-client cùng "
        "phiên bản với máy chủ; mật khẩu đặt trong PGPASSWORD hoặc ~/.pgpass)."
    ),
    "cli_restore_pg": (
        "chibo restore chỉ dùng cho SQLite. Với PostgreSQL, dừng bot rồi khôi phục bằng:\n"
        "  {restore}\nsau đó chạy chibo db upgrade."
    ),
    "cli_restore_about": "Bản sao lưu {path}: {size}, lược đồ {revision}, {rows} dòng.",
    "cli_restore_confirm": (
        "Thay toàn bộ cơ sở dữ liệu {target} bằng bản sao lưu này? Dữ liệu hiện tại được "
        "giữ lại ở {keep}."
    ),
    "cli_restore_done": "Đã khôi phục {target} ({rows} dòng, {seconds} giây).",
    "cli_restore_kept": "Dữ liệu trước khi khôi phục được giữ ở {keep}.",
    "cli_restore_upgrading": (
        "Bản sao lưu ở lược đồ {revision}, mã hiện tại cần {head}: đang nâng cấp "
        "(chibo db upgrade)."
    ),
    "cli_restore_failed": "Không khôi phục được: {reason}",
    "backup_no_file": "không có tệp {path}",
    "backup_damaged": "tệp {path} bị hỏng (kiểm tra toàn vẹn: {detail})",
    "backup_not_sqlite": "{path} không phải tệp cơ sở dữ liệu SQLite",
    "backup_target_exists": "tệp {path} đã có; chọn tên khác, hoặc thêm --force để ghi đè",
    "backup_is_the_database": "{path} chính là cơ sở dữ liệu đang dùng",
    "backup_not_chibo": "{path} không phải cơ sở dữ liệu của chibo (không có phiên bản lược đồ)",
    "backup_revision_unknown": (
        "{path} có phiên bản lược đồ {revision}, bản chibo này không biết (tệp do bản mới hơn "
        "tạo ra?)"
    ),
    "backup_in_use": (
        "{path} đang được mở (bot đang chạy, hoặc một lệnh chibo khác): hãy dừng bot trước"
    ),
    "cli_data_cancelled": "Đã hủy, không thay đổi gì.",
    # --- chibo member forget -------------------------------------------------------------------
    "forgotten_name": "Đảng viên đã xóa dữ liệu",
    "forget_not_found": "Không có đảng viên mã {id}.",
    "cli_forget_about": (
        "Đảng viên #{id} {name} ({cell}). Sẽ xóa: họ tên, số điện thoại, tài khoản Telegram/"
        "Zalo, vai trò, câu trả lời và ghi chú dạng chữ, nội dung tin nhắn, các nhắc tới họ "
        "tên trong văn bản khác. Giữ lại (không còn tên): điểm danh, trạng thái tự kiểm "
        "tra, báo cáo nhiệm vụ, để các con số thống kê không đổi."
    ),
    "cli_forget_confirm": "Xóa vĩnh viễn dữ liệu cá nhân này? Không thể hoàn tác.",
    "cli_forget_done": "Đã xóa dữ liệu cá nhân của đảng viên #{id}:",
    "cli_forget_deleted": "  {table}: xóa {count} dòng",
    "cli_forget_cleared": "  {table}: xóa nội dung ở {count} dòng",
    "cli_forget_again": "Đảng viên #{id} đã được xóa dữ liệu trước đây; đã quét lại:",
}
