"""交易密码 storage: keyed with the PIN key, salted, fast."""

import pytest
from django.contrib.auth.hashers import identify_hasher

from accounts.models import Medium
from accounts.services import _peppered, pin_make_hash, pin_matches

PIN = "135246"


def _medium(pin_hash: str) -> Medium:
    return Medium(pin_hash=pin_hash)


def test_a_pin_is_stored_keyed_and_salted(settings):
    settings.PIN_HASHER = "pin_keyed"
    first, second = pin_make_hash(PIN), pin_make_hash(PIN)
    assert first.startswith("pin_keyed$") and first != second  # salted
    assert PIN not in first and _peppered(PIN) not in first
    assert pin_matches(medium=_medium(first), pin=PIN)
    assert not pin_matches(medium=_medium(first), pin="135247")
    assert identify_hasher(first).safe_summary(first)["hash"].endswith("*")


def test_without_the_pin_key_the_stored_hash_does_not_verify(settings):
    settings.PIN_HASHER, settings.PIN_KEY = "pin_keyed", "the-bank-pin-key"
    stored = pin_make_hash(PIN)
    assert pin_matches(medium=_medium(stored), pin=PIN)
    settings.PIN_KEY = "another-key"
    assert not pin_matches(medium=_medium(stored), pin=PIN)


def test_the_pin_key_defaults_to_one_derived_from_the_secret_key(settings):
    settings.PIN_HASHER, settings.PIN_KEY = "pin_keyed", ""
    stored = pin_make_hash(PIN)
    settings.SECRET_KEY = settings.SECRET_KEY + "-rotated"
    assert not pin_matches(medium=_medium(stored), pin=PIN)


@pytest.mark.parametrize("pin", ["", "13524", "1352460", "13524a", "１３５２４６"])
def test_malformed_pins_never_match(settings, pin):
    settings.PIN_HASHER = "pin_keyed"
    assert not pin_matches(medium=_medium(pin_make_hash(PIN)), pin=pin)
