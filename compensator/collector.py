"""Python's garbage collector around the engine's heavy moments.

Closing an outage over hundreds of sessions allocates tens of thousands of small objects, and
each of the collector's passes it triggers walks every object alive, modules and settings
included: at 2,000 sessions that made the close cost more per session than at 500. So the
objects alive once the server has started are frozen out of the collector's sight, and the
entry points that close outages or make reports hold the collector off while they run (the
objects made are collected after, in one pass): the web views of Power back and of the outage
actions, the report views, the what-if page, the scheduler's jobs that end outages or archive
reports, each UPS poller's reading, and the CLI's ``report``, ``whatif`` and ``simulate``. A busy
day's report is hundreds of thousands of rows, times and records, none in a cycle, whose
collections were a third of the build. The use cases
themselves know nothing of the collector.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Closes and reports may run on several server threads at once: the collector comes back when the last ends.
_lock = threading.Lock()
_holders = 0
_enable_after = False


def freeze_after_start_up() -> None:
    """Collect what start-up left behind, then move every object still alive out of the collector's sight.

    Called once the server has started: modules, settings, the database engine and the web
    application live as long as the process, and the collector then never walks them again.
    """
    gc.collect()
    gc.freeze()


@contextmanager
def collector_held_off() -> Iterator[None]:
    """Within this block the collector does not run; it is enabled again after, if it was before.

    When blocks overlap on several threads, it comes back when the last of them ends.
    """
    global _holders, _enable_after
    with _lock:
        if _holders == 0:
            _enable_after = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _enable_after:
                gc.enable()
