"""Button builders shared by the feature handlers."""

from __future__ import annotations

from core.messages import Button
from core.payloads import encode
from core.texts import t


def pager(prefix: str, page: int, pages: int) -> list[Button]:
    """« previous / next » buttons for a paged list; empty when there is one page.

    `prefix` may carry fixed parts ("attp:12"); the page number is added as the last part.
    """
    head, *fixed = prefix.split(":")
    row: list[Button] = []
    if page > 0:
        row.append(Button(t("btn_prev"), encode(head, *fixed, page - 1)))
    if page < pages - 1:
        row.append(Button(t("btn_next"), encode(head, *fixed, page + 1)))
    return row
