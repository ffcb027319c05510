"""`chibo programme ...`: the KT/GS model programme (registrations, appraisals) by CLI."""

from __future__ import annotations
