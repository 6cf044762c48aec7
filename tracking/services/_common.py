"""Limits that several sub-domains of the tracking services share."""

from __future__ import annotations

DEFAULT_WORKING_DAYS = "12345"  # Monday to Friday (ISO weekdays)
HISTORY_LIMIT_DAYS = 370  # how far back a recompute and an alert look
TEXT_LIMIT = 2000  # a stand-up's lines, a cause, a corrective action
