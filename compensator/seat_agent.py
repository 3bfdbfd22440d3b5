"""The seat agent: tells the Compensator server every few seconds that this seat PC is alive.

One file that needs only Python's standard library, so that a seat PC with nothing but Python
runs it as ``python seat_agent.py --server http://192.168.1.10:8080 --seat A1 --token-file
token.txt`` (the dashboard offers it for download); where the package is installed it is also
``compensator seat-agent``. The token file holds a device token from ``compensator token
create``; it is read again after a refusal, so a new token can be dropped in while it runs.

When the heartbeat's answer carries the seat's newest credit ("Sorry for the power cut — we
added 25 minutes to your time") the agent shows it once: in a window where a display is
available, else on its terminal. It keeps running through server restarts and network errors,
trying again with a growing pause, and says so in one line per change, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

DEFAULT_EVERY_SECONDS = 10
MAX_PAUSE_SECONDS = 60
TIMEOUT_SECONDS = 10
WINDOW_SECONDS = 120


class HeartbeatFailed(Exception):
    """A heartbeat that did not get an answer, with the reason in words."""


def _write(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _window(text: str) -> None:
    import tkinter

    root = tkinter.Tk()
    root.title("Message from the counter")
    root.attributes("-topmost", True)
    tkinter.Label(root, text=text, font=("Helvetica", 20), wraplength=600, padx=30, pady=30).pack()
    tkinter.Button(root, text="OK", font=("Helvetica", 16), command=root.destroy).pack(pady=(0, 20))
    # A message nobody closes goes away by itself: the next customer must not find it.
    root.after(WINDOW_SECONDS * 1000, root.destroy)
    root.mainloop()


def show_message(text: str) -> None:
    """Show ``text`` to the customer: a window where a display is available, else this terminal."""
    print(text, flush=True)
    if not _has_display():
        return

    def in_window() -> None:
        try:
            _window(text)
        except Exception as error:  # noqa: BLE001 - no window (no tkinter, no display): the terminal has it
            _write(f"could not open a window ({error}); the message is on the terminal")

    # The window lives in a thread of its own, so that heartbeats go on while it is open: a seat
    # that stopped beating would look like a power cut.
    threading.Thread(target=in_window, name="seat-agent-window", daemon=True).start()


class SeatAgent:
    """Sends heartbeats for one seat and shows each credit message once."""

    def __init__(self, server: str, seat: str, token_file: str | Path, *, every_seconds: float = DEFAULT_EVERY_SECONDS,
                 show: Callable[[str], None] = show_message, say: Callable[[str], None] = _write) -> None:
        self.url = server.rstrip("/") + "/api/v1/heartbeats"
        self.seat = seat
        self.token_file = Path(token_file)
        self.every_seconds = every_seconds
        self.show = show
        self.say = say
        self.shown: set[int] = set()
        self.failures = 0
        self._last_problem: str | None = None
        self._connected = False

    def _token(self) -> str:
        try:
            return self.token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise HeartbeatFailed(f"cannot read the token file {self.token_file}: {error.strerror}") from None

    def beat(self) -> dict[str, object]:
        """Send one heartbeat and return the server's answer; a failure raises ``HeartbeatFailed``."""
        request = urllib.request.Request(
            self.url, data=json.dumps({"seat": self.seat}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self._token()}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise HeartbeatFailed(f"the server refused the heartbeat: {error.code} {_error_message(error)}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise HeartbeatFailed(f"the server at {self.url} is not answering ({reason})") from None
        except ValueError:
            raise HeartbeatFailed("the server's answer was not JSON") from None
        if not isinstance(answer, dict):
            raise HeartbeatFailed("the server's answer was not a JSON object")
        return answer

    def step(self) -> float:
        """One heartbeat and what follows from it; the seconds to wait before the next."""
        try:
            answer = self.beat()
        except HeartbeatFailed as problem:
            self.failures += 1
            pause = min(MAX_PAUSE_SECONDS, self.every_seconds * 2 ** min(self.failures - 1, 6))
            self._connected = False
            if str(problem) != self._last_problem:
                self.say(f"{problem}; trying again in {pause:.0f} s (the pause grows to {MAX_PAUSE_SECONDS} s)")
                self._last_problem = str(problem)
            return pause
        if not self._connected:
            self.say(f"seat {self.seat}: heartbeats reach {self.url}")
            self._connected = True
        self.failures = 0
        self._last_problem = None
        self._show(answer.get("message"))
        return self.every_seconds

    def _show(self, message: object) -> None:
        if not isinstance(message, dict):
            return
        notice_id, text = message.get("notice_id"), message.get("text")
        if not isinstance(notice_id, int) or not isinstance(text, str) or notice_id in self.shown:
            return
        self.shown.add(notice_id)
        self.show(text)

    def run(self, stop: threading.Event | None = None) -> None:
        """Beat until ``stop`` is set (or forever)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            stop.wait(self.step())


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read().decode("utf-8"))["error"]["message"])
    except Exception:  # noqa: BLE001 - any unreadable error body: the status says enough
        return error.reason or ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The agent's options, shared by ``python seat_agent.py`` and ``compensator seat-agent``."""
    parser.add_argument("--server", required=True, metavar="URL", help="the Compensator server, like http://192.168.1.10:8080")
    parser.add_argument("--seat", required=True, metavar="ID", help="this seat's id, like A1")
    parser.add_argument("--token-file", required=True, metavar="PATH", help="a file holding a device token")
    parser.add_argument("--every", type=float, default=DEFAULT_EVERY_SECONDS, metavar="SECONDS",
                        help=f"seconds between heartbeats (default {DEFAULT_EVERY_SECONDS})")


def run_from_args(args: argparse.Namespace) -> int:
    """Run the agent with parsed options until interrupted; the exit status."""
    if not 1 <= args.every <= 600:
        _write("--every must be from 1 to 600 seconds")
        return 2
    agent = SeatAgent(args.server, args.seat, args.token_file, every_seconds=args.every)
    try:
        agent.run()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python seat_agent.py --server URL --seat ID --token-file PATH [--every SECONDS]``."""
    parser = argparse.ArgumentParser(prog="seat_agent.py", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
