"""The entries of the ``ups:`` list of ``config.yaml`` (SPEC appendix A): the UPS monitors read through NUT.

Each entry checks itself; that names are unique and zones exist are ``document``'s rules. A
password in the environment, ``COMPENSATOR_UPS_PASSWORD_<NAME>``, wins over the file, so that
the file can be shared without it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, StrictStr

from compensator.config_models.fields import Port, Section, flag, matching, no_repeats, plainly, seconds, text
from compensator.settings import UpsSettings

# NUT's own UPS names are letters, digits and a few marks; they also name an environment variable.
UPS_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
PASSWORD_VARIABLE_PREFIX = "COMPENSATOR_UPS_PASSWORD_"
HOUR_SECONDS = 3600
UPS = UpsSettings("")

UpsName = Annotated[text(64), matching(UPS_NAME_PATTERN, "must be the UPS's name in upsd: "
                                                         "letters, digits, dots, dashes or underscores")]
UpsZones = Annotated[tuple[StrictStr, ...], Field(min_length=1),
                     plainly("must be a list of zone ids, or null for the whole venue"),
                     no_repeats("lists a zone twice")]

Poll = flag("must be true (the server polls upsd) or false (upsmon reports by webhook)")


def password_variable(name: str) -> str:
    """The environment variable that holds the password of UPS ``name``."""
    return PASSWORD_VARIABLE_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())


class UpsModel(Section):
    """An entry of ``ups:``: one UPS in upsd, the zones its mains feed and how its status is read."""

    name: UpsName
    host: text(253) = UPS.host
    port: Port = UPS.port
    username: text() | None = None
    password: text() | None = Field(default=None, repr=False)
    # None: its mains feed the whole venue.
    zones: UpsZones | None = None
    # A poll needs a moment to answer.
    poll_seconds: seconds(0.1, HOUR_SECONDS) = UPS.poll_seconds
    debounce_seconds: seconds(0, HOUR_SECONDS) = UPS.debounce_seconds
    merge_seconds: seconds(0, HOUR_SECONDS) = UPS.merge_seconds
    poll: Poll = UPS.poll

    def to_settings(self, environ: Mapping[str, str]) -> UpsSettings:
        """The monitor's settings, its password from ``environ`` when set there."""
        password = environ.get(password_variable(self.name)) or self.password
        zones = tuple(sorted(set(self.zones))) if self.zones is not None else None
        return UpsSettings(self.name, self.host, self.port, self.username, password, zones, self.poll_seconds,
                           self.debounce_seconds, self.merge_seconds, self.poll)
