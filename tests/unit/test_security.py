"""PIN hashing at the production cost: every other test hashes cheaply, so these keep the real cost honest."""

from __future__ import annotations

import pytest

from compensator import security

pytestmark = pytest.mark.real_hashing


def test_a_pin_is_kept_as_a_salted_scrypt_hash_that_names_its_cost() -> None:
    stored = security.hash_pin("482913")
    scheme, n, r, p, _salt, _digest = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**14, 8, 1)
    assert "482913" not in stored and security.hash_pin("482913") != stored
    assert security.verify_pin("482913", stored)
    assert not security.verify_pin("482914", stored)


def test_a_hash_made_at_another_cost_verifies_at_the_cost_it_names(monkeypatch) -> None:
    monkeypatch.setattr(security, "SCRYPT_N", 2**4)
    cheaper = security.hash_pin("1234")
    monkeypatch.undo()
    assert cheaper.startswith("scrypt$16$8$1$")
    assert security.verify_pin("1234", cheaper)
    assert not security.verify_pin("4321", cheaper)
