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

It keeps a last-alive record on disk (``--state-dir``; per user by default), rewritten every few
seconds: the server's time in its last answered heartbeat, the PC's uptime then, and the PC's
uptime now. Started again after its PC lost power (a new boot), it works out from that record
when the PC went down, in the server's time: between the last record written and the next one
due. Neither moment rests on the PC's own clock, which may be hours wrong. Its heartbeats carry
that report until the server has it, and always the PC's uptime, so that a PC that never went
down (its UPS held, or only the network failed) shows it was up all along. ``--install``
registers the agent to start at logon (Windows: a scheduled task; Linux: a systemd user unit,
or an XDG autostart entry where systemd cannot enable it); ``--uninstall`` removes that. A
server of an older version refuses those fields: the agent then sends plain heartbeats.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import urllib.error

DEFAULT_EVERY_SECONDS = 10
MAX_PAUSE_SECONDS = 60
TIMEOUT_SECONDS = 10
WINDOW_SECONDS = 120
RECORD_SECONDS = 5
# Windows and Linux may wake the writer a little late: the next record is due within this much more.
RECORD_SLACK_SECONDS = 1
# A test stands for a reboot by a new value here (a killed agent's PC did not really restart).
BOOT_ID_VARIABLE = "COMPENSATOR_AGENT_BOOT_ID"
SERVICE_NAME = "compensator-seat-agent"


def default_state_dir() -> Path:
    """Where the last-alive record is kept by default: the user's local application data."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "Compensator" / "seat-agent"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Compensator" / "seat-agent"
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "compensator" / "seat-agent"


def uptime_seconds() -> float:
    """Seconds since this PC booted, from the system (never from its wall clock)."""
    try:
        if sys.platform == "win32":
            import ctypes

            return float(ctypes.windll.kernel32.GetTickCount64()) / 1000  # type: ignore[attr-defined]
        with open("/proc/uptime", encoding="ascii") as source:
            return float(source.read().split()[0])
    except (OSError, ValueError, AttributeError):
        return time.monotonic()


def boot_id() -> str | None:
    """This boot's identity where the system gives one (Linux), else None."""
    if os.environ.get(BOOT_ID_VARIABLE):
        return os.environ[BOOT_ID_VARIABLE]
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as source:
            return source.read().strip() or None
    except OSError:
        return None


class LastAlive:
    """The agent's record on disk: the server's time of its last answer and the uptime then and now."""

    def __init__(self, path: Path, every: float = RECORD_SECONDS, uptime: Callable[[], float] = uptime_seconds,
                 boot: Callable[[], str | None] = boot_id) -> None:
        self.path, self.every, self.uptime, self.boot = path, every, uptime, boot
        self.anchor: tuple[str, float] | None = None
        self.pending: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def recover(self) -> None:
        """Read the record left by the last run: a run on an earlier boot went down when it stopped writing."""
        try:
            old = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if isinstance(old, dict):
            self.pending = [item for item in old.get("pending") or [] if isinstance(item, dict)][-5:]
            if self._rebooted(old):
                report = self._went_down(old)
                if report is not None and report not in self.pending:
                    self.pending.append(report)
            elif isinstance(old.get("anchor"), list):
                self.anchor = (str(old["anchor"][0]), float(old["anchor"][1]))
        self.write()

    def _rebooted(self, old: dict[str, object]) -> bool:
        now_id, then_id = self.boot(), old.get("boot_id")
        if now_id is not None and isinstance(then_id, str):
            return now_id != then_id
        # Without a boot identity: the uptime went back, or the boot moment moved.
        alive, wall = old.get("alive_uptime"), old.get("boot_wall")
        up = self.uptime()
        return (isinstance(alive, (int, float)) and up < alive) or (
            isinstance(wall, (int, float)) and abs(time.time() - up - wall) > 120)

    def _went_down(self, old: dict[str, object]) -> dict[str, str] | None:
        """When the PC went down, in the server's time: after its last record, before the next was due."""
        anchor, alive, every = old.get("anchor"), old.get("alive_uptime"), old.get("every")
        if not isinstance(anchor, list) or not isinstance(alive, (int, float)) or not isinstance(every, (int, float)):
            return None
        try:
            after = datetime.fromisoformat(str(anchor[0])) + timedelta(seconds=alive - float(anchor[1]))
        except (ValueError, TypeError, IndexError):
            return None
        before = after + timedelta(seconds=every + RECORD_SLACK_SECONDS)
        return {"after": after.isoformat(timespec="seconds"), "before": before.isoformat(timespec="seconds")}

    def answered(self, server_time: object, sent: dict[str, str] | None, taken: bool) -> None:
        """A heartbeat was answered at ``server_time``; ``taken`` when the server has the report ``sent``."""
        with self.lock:
            if isinstance(server_time, str):
                self.anchor = (server_time, self.uptime())
            if sent is not None and taken and sent in self.pending:
                self.pending.remove(sent)
        self.write()

    def report(self) -> dict[str, str] | None:
        """The oldest report the server does not have yet."""
        with self.lock:
            return dict(self.pending[0]) if self.pending else None

    def write(self) -> None:
        """Rewrite the record (a new file moved over the old, on disk before the move)."""
        up = self.uptime()
        with self.lock:
            record = {"version": 1, "boot_id": self.boot(), "boot_wall": time.time() - up, "alive_uptime": up,
                      "every": self.every, "anchor": list(self.anchor) if self.anchor else None,
                      "pending": self.pending}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = self.path.with_suffix(".new")
            with open(new, "w", encoding="utf-8") as target:
                json.dump(record, target)
                target.flush()
                os.fsync(target.fileno())
            os.replace(new, self.path)
        except OSError as error:
            _write(f"cannot write the last-alive record {self.path}: {error.strerror}")

    def keep_writing(self, stop: threading.Event) -> None:
        """Rewrite the record every ``every`` seconds until ``stop`` is set."""
        while not stop.wait(self.every):
            self.write()


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
                 show: Callable[[str], None] = show_message, say: Callable[[str], None] = _write,
                 record: LastAlive | None = None) -> None:
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
        self.record = record
        # Set once a server refused the fields it does not know (an older server): plain heartbeats then.
        self.plain = False

    def _token(self) -> str:
        try:
            return self.token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise HeartbeatFailed(f"cannot read the token file {self.token_file}: {error.strerror}") from None

    def beat(self) -> dict[str, object]:
        """Send one heartbeat and return the server's answer; a failure raises ``HeartbeatFailed``."""
        # Imported here: the ``compensator`` command lists this agent's options on every start,
        # and urllib.request (with http.client, email and ssl) is most of what that would load.
        import urllib.error
        import urllib.request

        body: dict[str, object] = {"seat": self.seat}
        sent = None
        if self.record is not None and not self.plain:
            sent = self.record.report()
            body["up_seconds"] = int(self.record.uptime())
            if sent is not None:
                body["went_down"] = sent
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self._token()}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            problem = _error_body(error)
            if error.code in (400, 422) and len(body) > 1 and self.record is not None:
                if sent is not None and problem.get("field") == "went_down":
                    # A report the server cannot take (a record from a PC whose clock jumped): dropped, said once.
                    self.record.answered(None, sent, True)
                    self.say(f"the server refused the report that the PC went down: {problem.get('message')}")
                else:
                    self.plain = True
                    self.say("the server does not take this agent's reports (an older version): plain heartbeats")
                return self.beat()
            raise HeartbeatFailed(f"the server refused the heartbeat: {error.code} "
                                  f"{problem.get('message') or error.reason or ''}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise HeartbeatFailed(f"the server at {self.url} is not answering ({reason})") from None
        except ValueError:
            raise HeartbeatFailed("the server's answer was not JSON") from None
        if not isinstance(answer, dict):
            raise HeartbeatFailed("the server's answer was not a JSON object")
        if self.record is not None:
            self.record.answered(answer.get("at"), sent, isinstance(answer.get("went_down"), str))
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
        if self.record is not None:
            self.record.recover()
            threading.Thread(target=self.record.keep_writing, args=(stop,), name="seat-agent-record",
                             daemon=True).start()
        try:
            while not stop.is_set():
                stop.wait(self.step())
        finally:
            stop.set()


def _error_body(error: urllib.error.HTTPError) -> dict[str, object]:
    """The server's ``{"error": {"code", "message", "field"}}``, or nothing when unreadable."""
    try:
        found = json.loads(error.read().decode("utf-8"))["error"]
        return found if isinstance(found, dict) else {}
    except Exception:  # noqa: BLE001 - any unreadable error body: the status says enough
        return {}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The agent's options, shared by ``python seat_agent.py`` and ``compensator seat-agent``."""
    parser.add_argument("--server", metavar="URL", help="the Compensator server, like http://192.168.1.10:8080")
    parser.add_argument("--seat", metavar="ID", help="this seat's id, like A1")
    parser.add_argument("--token-file", metavar="PATH", help="a file holding a device token")
    parser.add_argument("--every", type=float, default=DEFAULT_EVERY_SECONDS, metavar="SECONDS",
                        help=f"seconds between heartbeats (default {DEFAULT_EVERY_SECONDS})")
    parser.add_argument("--state-dir", metavar="PATH", help=f"where the last-alive record is kept (default "
                        f"{default_state_dir()})")
    parser.add_argument("--install", action="store_true",
                        help="start this agent with these options at every logon (then exit)")
    parser.add_argument("--uninstall", action="store_true", help="no longer start this agent at logon (then exit)")


def agent_arguments(args: argparse.Namespace) -> list[str]:
    """The options that run this agent again as ``args`` ask, every path absolute."""
    state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    return ["--server", args.server, "--seat", args.seat, "--token-file", str(Path(args.token_file).resolve()),
            "--every", f"{args.every:g}", "--state-dir", str(state_dir.resolve())]


def agent_command(args: argparse.Namespace, python: str | None = None) -> list[str]:
    """The command that starts this agent with ``args``: this Python (its window-less twin on Windows), this file."""
    python = python or sys.executable
    if sys.platform == "win32" and Path(python).with_name("pythonw.exe").exists():
        python = str(Path(python).with_name("pythonw.exe"))
    return [python, str(Path(__file__).resolve()), *agent_arguments(args)]


def windows_task(command: list[str]) -> list[str]:
    """The ``schtasks`` command registering ``command`` to start at this user's logon."""
    import subprocess

    return ["schtasks", "/Create", "/F", "/SC", "ONLOGON", "/RL", "LIMITED", "/TN", "Compensator seat agent",
            "/TR", subprocess.list2cmdline(command)]


def systemd_unit(command: list[str]) -> str:
    """A systemd user unit that starts ``command`` at logon and again whenever it stops."""
    line = " ".join(_systemd_quote(part) for part in command)
    return ("[Unit]\nDescription=Compensator seat agent\n\n[Service]\n"
            f"ExecStart={line}\nRestart=always\nRestartSec=5\n\n[Install]\nWantedBy=default.target\n")


def _systemd_quote(part: str) -> str:
    escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"' if any(c.isspace() for c in part) or not part or escaped != part else part


def autostart_entry(command: list[str]) -> str:
    """An XDG autostart entry (a desktop session starts it at logon) for ``command``."""
    import shlex

    return ("[Desktop Entry]\nType=Application\nName=Compensator seat agent\n"
            f"Exec={shlex.join(command)}\nX-GNOME-Autostart-enabled=true\nNoDisplay=true\n")


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def install(args: argparse.Namespace, *, run: Callable[..., object] | None = None) -> int:
    """Register this agent to start at logon with ``args``'s options; the exit status."""
    import subprocess

    run = run or subprocess.run
    command = agent_command(args)
    if sys.platform == "win32":
        run(windows_task(command), check=True, capture_output=True)
        _write("the agent starts at each logon (scheduled task \"Compensator seat agent\")")
        return 0
    unit = _config_home() / "systemd" / "user" / f"{SERVICE_NAME}.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_text(systemd_unit(command), encoding="utf-8")
    try:
        run(["systemctl", "--user", "daemon-reload"], check=True, capture_output=True, timeout=30)
        run(["systemctl", "--user", "enable", "--now", f"{SERVICE_NAME}.service"], check=True, capture_output=True,
            timeout=30)
        _write(f"the agent starts at each logon (systemd user unit {unit})")
        return 0
    except (OSError, subprocess.SubprocessError):
        entry = _config_home() / "autostart" / f"{SERVICE_NAME}.desktop"
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(autostart_entry(command), encoding="utf-8")
        _write(f"systemd could not enable {unit}; the desktop session starts the agent at logon instead ({entry})")
        return 0


def uninstall(*, run: Callable[..., object] | None = None) -> int:
    """Remove what ``install`` registered; the exit status."""
    import subprocess

    run = run or subprocess.run
    if sys.platform == "win32":
        run(["schtasks", "/Delete", "/F", "/TN", "Compensator seat agent"], check=False, capture_output=True)
    else:
        try:
            run(["systemctl", "--user", "disable", "--now", f"{SERVICE_NAME}.service"], check=False,
                capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
        for path in (_config_home() / "systemd" / "user" / f"{SERVICE_NAME}.service",
                     _config_home() / "autostart" / f"{SERVICE_NAME}.desktop"):
            path.unlink(missing_ok=True)
    _write("the agent no longer starts at logon")
    return 0


def run_from_args(args: argparse.Namespace) -> int:
    """Run the agent with parsed options until interrupted (or install it); the exit status."""
    if args.uninstall:
        return uninstall()
    if not (args.server and args.seat and args.token_file):
        _write("--server, --seat and --token-file are needed")
        return 2
    if not 1 <= args.every <= 600:
        _write("--every must be from 1 to 600 seconds")
        return 2
    if args.install:
        return install(args)
    state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    record = LastAlive(state_dir / f"seat-{args.seat}.json")
    agent = SeatAgent(args.server, args.seat, args.token_file, every_seconds=args.every, record=record)
    try:
        agent.run()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: Sequence[str] | None = None, prog: str = "seat_agent.py") -> int:
    """``python seat_agent.py --server URL --seat ID --token-file PATH [--every SECONDS] [--state-dir PATH]
    [--install | --uninstall]`` (or ``compensator seat-agent ...``)."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
