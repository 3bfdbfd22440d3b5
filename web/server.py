"""The HTTP server: waitress, set so that slow or hostile seat PCs cannot lock the counter out.

The seat PCs reach the server by design (heartbeats, a counter on ``host: 0.0.0.0``), so one
customer's PC can open connections and send their headers a byte at a time. waitress reads
every connection in one thread that waits on all sockets, and hands a request to a worker
thread only once it has arrived whole: slow senders cost no worker, only a connection slot. With
waitress's defaults (100 connections in all, an idle timeout of 120 s that every byte restarts)
100 such connections took every slot, and the counter answered nothing until they stopped
(issue 23, item 6). Here:

- ``CONNECTION_LIMIT`` (1000; 500 where the system has no ``poll``, as on Windows, whose
  ``select`` takes 512 sockets at most): a few hundred slow connections leave slots for the
  counter. The loop waits with ``poll`` (``asyncore_use_poll``), which has no cap on the number
  of sockets, and the process's limit of open files is raised to fit (on Linux it is often
  1,024 by default, less than the slots plus the database and the logs); where it cannot be
  raised that far, the slots are cut to fit it.
- ``CONNECTIONS_PER_ADDRESS`` (32): one client address holds at most that many connections; the
  next is answered ``503`` with ``Retry-After`` and closed at once. A browser opens at most 6
  to a server, a seat agent or ``upsmon`` one, ``bench.mixed_load`` 20 from the counter itself;
  a hostile seat can hold 32, and it takes 31 of them to fill the slots. waitress has no such
  limit: the channel counts its address's connections when it is accepted. (Behind a proxy or a NAT every client would
  have one address; Compensator is served directly on the venue's network.)
- ``REQUEST_SECONDS`` (30): a request must arrive whole (headers and body) within that time
  from its first byte, or its connection is closed. On a local network a request takes
  milliseconds; waitress alone only closes a connection idle for its ``channel_timeout``.
- ``IDLE_SECONDS`` (60, waitress's ``channel_timeout``): a kept-alive connection with nothing
  to say is closed after that, freeing its slot; browsers reconnect by themselves.
- ``CLEANUP_SECONDS`` (5, waitress's ``cleanup_interval``): how often both timeouts are checked.
- ``SERVER_THREADS`` (3) and ``MAX_BODY_BYTES`` (just over the app's 1 MB: a larger body is
  refused before it is buffered).

Not guarded: a flood of new connections that close at once (the kernel's backlog queues them),
and many addresses each under the limit; the request timeout frees their slots within 30 s.
"""

from __future__ import annotations

import logging
import select
import socket
import time
from dataclasses import dataclass
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

log = logging.getLogger(__name__)

# waitress's worker threads. One process runs Python one thread at a time, so more threads only
# fight over the interpreter lock: under bench.mixed_load 4 or 8 served a fifth fewer requests
# than 3, at a higher p99. Three still let two requests wait on the database or a socket while
# the third runs; waitress queues the rest.
SERVER_THREADS = 3
HAS_POLL = hasattr(select, "poll")
CONNECTION_LIMIT = 1000 if HAS_POLL else 500
CONNECTIONS_PER_ADDRESS = 32
REQUEST_SECONDS = 30.0
IDLE_SECONDS = 60
CLEANUP_SECONDS = 5
# The app refuses a body over 1 MB (web.create_app's MAX_CONTENT_LENGTH); the server need not read more.
MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024
# Files the process needs besides the connections: the database, its log, the logs, the UPS pollers.
SPARE_FILES = 200
# One line per refused address at most this often, not one per refused connection.
REFUSAL_LOG_SECONDS = 60.0
REFUSAL = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 10\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 46\r\n\r\n"
           b"Too many connections from this address: wait.\n")


@dataclass(frozen=True, slots=True)
class Limits:
    """How many connections the server holds, from one address and in all, and for how long."""

    connections: int = CONNECTION_LIMIT
    per_address: int = CONNECTIONS_PER_ADDRESS
    request_seconds: float = REQUEST_SECONDS
    idle_seconds: int = IDLE_SECONDS
    cleanup_seconds: int = CLEANUP_SECONDS
    threads: int = SERVER_THREADS


class GuardedChannel(HTTPChannel):  # type: ignore[misc]
    """A connection that is refused when its address holds too many, and that times a request's arrival."""

    server: GuardedServer
    # When the first byte of the request being received came (monotonic), None between requests.
    request_started: float | None = None

    def __init__(self, server: GuardedServer, sock: socket.socket, addr: Any, adj: Adjustments,
                 map: dict[int, Any] | None = None) -> None:
        super().__init__(server, sock, addr, adj, map=map)
        if server.connections_from(self.address) > server.limits.per_address:
            server.refused(self.address)
            try:
                # A fresh socket's send buffer takes these few bytes at once; if not, the close says enough.
                sock.send(REFUSAL)
            except OSError:
                pass
            self.handle_close()

    @property
    def address(self) -> str:
        """The client's address without its port."""
        return str(self.addr[0]) if isinstance(self.addr, tuple) and self.addr else str(self.addr)

    def received(self, data: bytes) -> bool:
        """Take bytes of a request, noting when a request began and forgetting it once it is whole."""
        if data and self.request is None:
            self.request_started = time.monotonic()
        taken: bool = super().received(data)
        if self.request is None:
            self.request_started = None
        return taken


class GuardedServer(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server with its connections counted per address and their requests timed."""

    channel_class = GuardedChannel

    def __init__(self, application: Any, limits: Limits, **kwargs: Any) -> None:
        self.limits = limits
        self._refusals_logged: dict[str, float] = {}
        super().__init__(application, **kwargs)

    def connections_from(self, address: str) -> int:
        """How many open connections ``address`` holds, the one just accepted included."""
        channels: dict[int, GuardedChannel] = self.active_channels
        return sum(1 for channel in list(channels.values()) if channel.address == address)

    def refused(self, address: str) -> None:
        """Log a refused address, once a minute at most."""
        now = time.monotonic()
        if now - self._refusals_logged.get(address, -REFUSAL_LOG_SECONDS) >= REFUSAL_LOG_SECONDS:
            self._refusals_logged[address] = now
            log.warning("refused connections from %s: it already holds %d (the most one address may)",
                        address, self.limits.per_address)

    def maintenance(self, now: float) -> None:
        """Close idle connections (waitress), and those whose request has not arrived whole in time."""
        super().maintenance(now)
        cutoff = time.monotonic() - self.limits.request_seconds
        channels: dict[int, GuardedChannel] = self.active_channels
        for channel in list(channels.values()):
            started = channel.request_started
            if started is not None and started < cutoff and not channel.requests:
                channel.will_close = True


def adjustments(host: str, port: int, limits: Limits) -> Adjustments:
    """waitress's settings for these limits (see the module's docstring)."""
    return Adjustments(host=host, port=port, threads=limits.threads, connection_limit=limits.connections,
                       channel_timeout=limits.idle_seconds, cleanup_interval=limits.cleanup_seconds,
                       asyncore_use_poll=HAS_POLL, max_request_body_size=MAX_BODY_BYTES, ident="compensator")


def fit_open_files(limits: Limits) -> Limits:
    """Raise the process's limit of open files to hold every connection, or cut the connections to fit it."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise; select's own cap is in CONNECTION_LIMIT.
        return limits
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = limits.connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError):
            pass
    if soft != resource.RLIM_INFINITY and soft < wanted:
        fitted = max(soft - SPARE_FILES, limits.per_address * 2)
        log.warning("only %d files may be open: the server holds %d connections instead of %d", soft, fitted,
                    limits.connections)
        return Limits(fitted, limits.per_address, limits.request_seconds, limits.idle_seconds,
                      limits.cleanup_seconds, limits.threads)
    return limits


def create_server(app: Any, host: str, port: int, limits: Limits | None = None) -> BaseWSGIServer | MultiSocketServer:
    """The server for ``app`` on ``host:port``, listening, not yet running (one per address ``host`` names)."""
    fitted = fit_open_files(limits or Limits())
    adj = adjustments(host, port, fitted)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    sockets: dict[int, Any] = {}
    servers = [GuardedServer(app, fitted, map=sockets, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo)
               for sockinfo in adj.listen]
    if len(servers) == 1:
        return servers[0]
    return MultiSocketServer(sockets, adj, [(server.effective_host, server.effective_port) for server in servers],
                             dispatcher, servers[-1].log_info)


def serve_app(app: Any, host: str, port: int, limits: Limits | None = None) -> None:
    """Serve ``app`` until interrupted, as ``waitress.serve`` does but with the guards above."""
    # As waitress.serve: its own lines (the connection limit reached...) need a handler to be seen.
    logging.basicConfig()
    server = create_server(app, host, port, limits)
    server.print_listen("Serving on http://{}:{}")
    server.run()
