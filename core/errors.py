"""Expected refusals: not bugs, so they are answered and never logged as errors."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """The request cannot be done; `key` names the catalogue text that says why."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
