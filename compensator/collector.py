"""Python's garbage collector kept out of the engine's heavy moments.

Building a busy day's report makes hundreds of thousands of small objects (rows, times, spans,
records), none of them in a reference cycle; each pass of the collector they trigger walks
every object alive, modules and settings included: a third of the time of building the report.
Within ``collector_held_off`` the collector does not run; the objects made meanwhile are
freed by reference counting as always, and whatever cycles there are wait for the next pass.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Reports and closes may run on several server threads at once: the collector comes back when
# the last holder ends, and only if it was enabled when the first began.
_lock = threading.Lock()
_holders = 0
_enable_after = False


@contextmanager
def collector_held_off() -> Iterator[None]:
    """Within this block (or a function it decorates) the collector does not run; it is enabled again after, if it was before."""
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
