"""The ``heartbeats:`` and ``server_gap:`` sections of ``config.yaml`` (SPEC appendix A).

Read like every other section: unknown keys are errors with a "did you mean", and every
problem is reported with its key path. Both sections are optional; their defaults are SPEC's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compensator.config_values import whole_number
from compensator.domain.silence import SilenceRule
from compensator.settings import ServerGapSettings

HEARTBEAT_KEYS = ("silent_after_seconds", "silent_share_percent", "min_seats")
SERVER_GAP_KEYS = ("threshold_minutes",)
DAY_SECONDS = 24 * 60 * 60


def parse_heartbeats(data: Mapping[str, Any], problems: list[str]) -> SilenceRule:
    """The heartbeat silence rule from its section, adding a problem for each bad key."""
    default = SilenceRule()
    silent_after = whole_number(data, "silent_after_seconds", "heartbeats", problems,
                                default=default.silent_after_seconds, minimum=5, maximum=DAY_SECONDS)
    share = whole_number(data, "silent_share_percent", "heartbeats", problems,
                         default=default.silent_share_percent, minimum=1, maximum=100)
    min_seats = whole_number(data, "min_seats", "heartbeats", problems, default=default.min_seats,
                             minimum=1, maximum=10_000)
    return SilenceRule(silent_after or default.silent_after_seconds, share or default.silent_share_percent,
                       min_seats or default.min_seats)


def parse_server_gap(data: Mapping[str, Any], problems: list[str]) -> ServerGapSettings:
    """The server-gap threshold from its section, adding a problem for a bad one."""
    # At least a minute: the alive record is written every 30 seconds, so a shorter threshold
    # would take a busy moment for a power cut.
    threshold = whole_number(data, "threshold_minutes", "server_gap", problems,
                             default=ServerGapSettings().threshold_minutes, minimum=1, maximum=24 * 60)
    return ServerGapSettings(threshold or ServerGapSettings().threshold_minutes)
