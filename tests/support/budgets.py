"""How many examples a property test tries: its budget under Hypothesis's ``ci`` profile, a tenth of it under ``dev``."""

from __future__ import annotations

from hypothesis import settings

# The examples of a test that asks for no number under the ci profile: Hypothesis's own default.
CI_MAX_EXAMPLES = 100
DEV_MAX_EXAMPLES = CI_MAX_EXAMPLES // 10


def budget(ci_examples: int) -> int:
    """The examples to try, under the loaded profile, for a test that tries ``ci_examples`` in CI."""
    return max(1, ci_examples * settings.default.max_examples // CI_MAX_EXAMPLES)
