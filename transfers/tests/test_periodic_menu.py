"""定时转账 pages light their menu leaf (ebank.core.menu: the leaf whose URL is the longest prefix
of the page's path): 定时转账设置, 定时转账维护 (with a plan's 详情 and 删除定时转账 under it) and
定时转账执行查询 (with a run's 执行记录 under it)."""

import re

import pytest
import time_machine
from django.urls import resolve, reverse

from tests import customer_world as support

from .test_periodic_support import SETUP_AT, at, run_due, set_up

pytestmark = pytest.mark.django_db
world = support.world
_ACTIVE = re.compile(r'<a href="([^"]*)" class="active" aria-current="page">([^<]*)</a>')


def _lit(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [label for _href, label in _ACTIVE.findall(response.content.decode())]


def _pages(plan) -> list[tuple[str, str]]:
    return [
        (reverse("transfers:periodic_new"), "定时转账设置"),
        (reverse("transfers:scheduled"), "定时转账维护"),
        (reverse("transfers:periodic_detail", args=[plan.number]), "定时转账维护"),
        (reverse("transfers:periodic_cancel", args=[plan.number]), "定时转账维护"),
        (reverse("transfers:periodic_runs"), "定时转账执行查询"),
        (reverse("transfers:periodic_run_detail", args=[plan.number, 1]), "定时转账执行查询"),
    ]


def test_each_page_lights_its_leaf(client, world):
    plan = set_up(world)
    run_due(at(2026, 1, 31, 9, 0))
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        for url, leaf in _pages(plan):
            assert _lit(client, url) == [leaf], url


def test_the_urls_sit_under_their_leaves_and_do_not_meet_the_scheduled_transfer_ones():
    number = "DS202601150123456789"
    assert reverse("transfers:periodic_detail", args=[number]) == \
        f"/transfers/scheduled/periodic/{number}"
    assert reverse("transfers:periodic_cancel", args=[number]) == \
        f"/transfers/scheduled/periodic/{number}/cancel"
    assert reverse("transfers:periodic_run_detail", args=[number, 2]) == \
        f"/transfers/periodic/runs/{number}/2"
    assert resolve(f"/transfers/scheduled/periodic/{number}").url_name == "periodic_detail"
    assert resolve(f"/transfers/scheduled/periodic/{number}/cancel").url_name == \
        "periodic_cancel"
    assert resolve(f"/transfers/periodic/runs/{number}/2").url_name == "periodic_run_detail"
    # 预约 transfers keep theirs.
    assert resolve("/transfers/scheduled/T2026011500001").url_name == "scheduled_detail"
    assert resolve("/transfers/scheduled/T2026011500001/cancel").url_name == "scheduled_cancel"
    assert resolve("/transfers/scheduled/periodic/cancel").url_name == "scheduled_cancel"
