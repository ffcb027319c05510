"""`chibo seed --scale district|province`: fill a database with realistic generated data."""

from __future__ import annotations
