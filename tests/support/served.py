"""A Flask app served over HTTP by werkzeug in a thread, for the tests that reach it as a browser or a client does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def served_in_a_thread(app) -> Iterator[str]:
    """``app`` served on a free port of 127.0.0.1 while the block runs: its address."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join(timeout=10)
