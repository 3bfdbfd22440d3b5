"""The optional sections of ``config.yaml`` that hold a few values each (SPEC appendix A) as pydantic models.

Every key has its default here, taken from the settings type it builds, so the file may leave
out any of them; each model's ``to_settings`` returns that frozen settings type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from annotated_types import Interval
from pydantic import AfterValidator, Field, Strict

from compensator.config_models.fields import (
    DAY_MINUTES,
    Port,
    Section,
    checked,
    flag,
    no_repeats,
    plainly,
    problem,
    text,
    whole_number,
)
from compensator.domain.kinds import DashboardLanguage
from compensator.domain.silence import SilenceRule
from compensator.domain.terms import PolicySettings
from compensator.settings import (
    DEFAULT_DATABASE_URL,
    BackupSettings,
    DashboardSettings,
    DatabaseSettings,
    NoticeSettings,
    ReportSettings,
    ServerGapSettings,
    ServerSettings,
)

DAY_SECONDS = 24 * 60 * 60
# A year of nightly backups is the most any venue has asked to keep; fewer than one is no backup.
MAX_KEPT = 366
POLICY = PolicySettings()
SILENCE = SilenceRule()
BACKUPS = BackupSettings()
SERVER = ServerSettings()


class PolicyModel(Section):
    """``policy:``: the compensation policy's parameters (SPEC section 3)."""

    restart_minutes: whole_number(0, DAY_MINUTES) = POLICY.restart_minutes
    lost_work_cap_minutes: whole_number(0, DAY_MINUTES) = POLICY.lost_work_cap_minutes
    goodwill_minutes: whole_number(0, DAY_MINUTES) = POLICY.goodwill_minutes
    goodwill_percent: whole_number(0, 1000) = POLICY.goodwill_percent
    extras_cap_minutes: whole_number(0, DAY_MINUTES) = POLICY.extras_cap_minutes
    round_to_minutes: whole_number(1, 60) = POLICY.round_to_minutes
    voucher_valid_days: whole_number(1, 3650) = POLICY.voucher_valid_days
    manager_approval_above_minutes: whole_number(0, 7 * DAY_MINUTES) = POLICY.manager_approval_above_minutes

    def to_settings(self) -> PolicySettings:
        """The policy's parameters."""
        return PolicySettings(**self.model_dump())


DatabaseUrl = Annotated[text(2000), checked(lambda url: url.startswith(("sqlite:", "postgresql")),
                                            "must start with sqlite: or postgresql")]


class DatabaseModel(Section):
    """``database:``: where the data lives (``COMPENSATOR_DATABASE_URL`` wins, see ``document``)."""

    url: DatabaseUrl = DEFAULT_DATABASE_URL

    def to_settings(self) -> DatabaseSettings:
        """Where the data lives."""
        return DatabaseSettings(self.url)


class ServerModel(Section):
    """``server:``: where ``compensator run`` listens, and whether it is reached over HTTPS."""

    host: text() = SERVER.host
    port: Port = SERVER.port
    https: flag() = SERVER.https

    def to_settings(self) -> ServerSettings:
        """Where the server listens."""
        return ServerSettings(self.host, self.port, self.https)


PackageMinutes = Annotated[int, Strict(), Interval(ge=1, le=DAY_MINUTES)]
Packages = Annotated[tuple[PackageMinutes, ...], Field(min_length=1, max_length=12),
                     plainly(f"must be a list of 1 to 12 whole numbers from 1 to {DAY_MINUTES}"),
                     no_repeats("lists a package twice")]


Language = Annotated[DashboardLanguage, plainly(" or ".join(f'"{item}"' for item in DashboardLanguage).join(
    ["must be ", ""]))]


class DashboardModel(Section):
    """``dashboard:``: the session lengths offered, and the pages' language for whoever has chosen none."""

    packages_minutes: Packages = DashboardSettings().packages_minutes
    language: Language = DashboardSettings().language

    def to_settings(self) -> DashboardSettings:
        """The dashboard's choices."""
        return DashboardSettings(self.packages_minutes, self.language)


class ReportsModel(Section):
    """``reports:``: where end-of-day reports are archived."""

    directory: text(1000) = ReportSettings().directory

    def to_settings(self) -> ReportSettings:
        """Where reports go."""
        return ReportSettings(self.directory)


def _existing_folder(directory: str) -> str:
    if not Path(directory).is_dir():
        raise problem(f"folder {directory!r} not found")
    return directory


Folder = Annotated[text(1000, message="must be the path of a folder"), AfterValidator(_existing_folder)]


class NoticesModel(Section):
    """``notices:``: the owner's own notice wording, if any."""

    templates_directory: Folder | None = None

    def to_settings(self) -> NoticeSettings:
        """Where the owner's notice wording is."""
        return NoticeSettings(self.templates_directory)


class BackupsModel(Section):
    """``backups:``: the nightly backup's folder and how many are kept."""

    directory: text(1000) = BACKUPS.directory
    keep: whole_number(1, MAX_KEPT) = BACKUPS.keep

    def to_settings(self) -> BackupSettings:
        """The nightly backup's settings."""
        return BackupSettings(self.directory, self.keep)


class HeartbeatsModel(Section):
    """``heartbeats:``: when a seat is silent and how many silent seats make a suspected outage."""

    silent_after_seconds: whole_number(5, DAY_SECONDS) = SILENCE.silent_after_seconds
    silent_share_percent: whole_number(1, 100) = SILENCE.silent_share_percent
    min_seats: whole_number(1, 10_000) = SILENCE.min_seats

    def to_settings(self) -> SilenceRule:
        """The heartbeat silence rule."""
        return SilenceRule(self.silent_after_seconds, self.silent_share_percent, self.min_seats)


class ServerGapModel(Section):
    """``server_gap:``: how long the server may be off before it is taken for a power cut of the counter PC."""

    # At least a minute: the alive record is written every 30 seconds, so a shorter threshold
    # would take a busy moment for a power cut.
    threshold_minutes: whole_number(1, DAY_MINUTES) = ServerGapSettings().threshold_minutes

    def to_settings(self) -> ServerGapSettings:
        """The server-gap threshold."""
        return ServerGapSettings(self.threshold_minutes)
