"""A PC's two clocks for the tests of business time: the wall clock (which people set) and the
monotonic one (which they cannot), each moved by the test, and a ``SteadyClock`` reading them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from compensator.clock import SteadyClock


class Machine:
    """A PC's two clocks: the wall clock (which people set) and the monotonic one (which they cannot)."""

    def __init__(self, wall: datetime, seconds: float) -> None:
        self.wall = wall
        self.seconds = seconds

    def run(self, seconds: float) -> None:
        """Both clocks move on by ``seconds``, as time passes."""
        self.wall += timedelta(seconds=seconds)
        self.seconds += seconds

    def set_wall(self, step: timedelta) -> None:
        """Someone sets the wall clock ``step`` forward (or back)."""
        self.wall += step

    def steady_clock(self, **options: Any) -> SteadyClock:
        """Business time on this PC's clocks, as the engine reads them (``options``: ``SteadyClock``'s others)."""
        return SteadyClock(wall=lambda: self.wall, monotonic=lambda: self.seconds, **options)
