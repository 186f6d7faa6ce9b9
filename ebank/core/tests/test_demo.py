"""seed_demo runs the parts the apps register, in their order, and prints what they made."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from ebank.core import demo
from ebank.core.demo import demo_part, demo_parts


def test_the_parts_run_bank_codes_then_accounts_then_security():
    assert [seed.__module__ for seed in demo_parts()][:3] == [
        "ebank.clearing.demo", "accounts.demo", "security.demo"]


def test_a_taken_place_is_refused_and_the_same_part_again_is_harmless(monkeypatch):
    monkeypatch.setattr(demo, "_parts", dict(demo._parts))
    first = demo_parts()[0]
    demo_part(10, first)
    with pytest.raises(ImproperlyConfigured, match="演示数据位置 10"):
        demo_part(10, print)


@pytest.mark.django_db
def test_seed_demo_prints_each_part_in_order_and_twice_is_harmless(monkeypatch):
    ran = []
    monkeypatch.setattr(demo, "_parts", dict(demo._parts))
    demo_part(95, lambda out: (ran.append(True), out.success("新业务 demo ready")))
    out = StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    lines = out.getvalue().splitlines()
    assert lines[0] == "sample bank codes (联行号, invented demo rows): 31 new, 0 already there"
    assert lines[1] == "demo bank ready: 4 customers"
    assert lines[2].split() == ["张伟", "借记卡", "6226790101000000013"]
    assert lines[10] == "  交易密码 of every demo medium: 135246 (demo data only)"
    assert lines[11] == "demo e-banking users and staff ready (demo data only):"
    assert lines[-1] == "新业务 demo ready" and ran == [True]
    again = StringIO()
    call_command("seed_demo", stdout=again, no_color=True)
    assert again.getvalue().splitlines()[0].endswith("0 new, 31 already there")
    assert again.getvalue().splitlines()[1:] == lines[1:]
