"""`chibo report`: the cell's or unit's report workbook from the command line."""

from __future__ import annotations
