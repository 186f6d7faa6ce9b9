"""定时转账 pages (TRF-SCHED): 定时转账设置 (typed values kept on a refusal), 定时转账维护 lists
the plans with detail and 撤销, 定时转账执行查询 with 执行记录 and the failure reason."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.models import MediumStatus
from ebank.core.models import AuditEvent
from tests import customer_world as support
from transfers.models import PeriodicStatus, PeriodicTransfer
from transfers.periodic.services import ONE_PER_CARD

from .test_periodic_support import SETUP_AT, at, run_due, set_up

pytestmark = pytest.mark.django_db
world = support.world


def form_data(world, **overrides):
    data = {"from_sub_account": world.main(world.zhang_card).pk, "payee_kind": "intra",
            "payee_account": world.li_card.number, "payee_name": "李娜", "bank_code": "",
            "amount": "1,000.00", "purpose": "房租", "frequency": "monthly", "weekday": "",
            "day_of_month": "31", "start_date": "2026-01-31", "end_date": "",
            "run_count": "3"}
    data.update(overrides)
    return data


def test_setup_page_starts_a_confirmation_showing_the_first_run_dates(client, world):
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        page = client.get(reverse("transfers:periodic_new"))
        assert page.status_code == 200 and "定时转账设置" in page.content.decode()
        assert "目前，一张卡只能设置一笔有效的定时转账" in page.content.decode()
        response = client.post(reverse("transfers:periodic_new"), form_data(world), follow=True)
    body = response.content.decode()
    assert "2026-01-31、2026-02-28、2026-03-31" in body and "每月31日" in body
    assert not PeriodicTransfer.objects.exists()  # nothing before 确认


def test_setup_page_says_the_configured_run_hour(client, world, settings):
    settings.PERIODIC_TRANSFER_HOUR = 14
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        body = client.get(reverse("transfers:periodic_new")).content.decode()
    assert "每次于执行日14:00执行" in body


@pytest.mark.parametrize(("overrides", "message"), [
    ({"run_count": ""}, "请填写终止日期或执行次数（二者选一）"),
    ({"start_date": "2026-01-20"}, "起始日期须晚于今天"),
    ({"start_date": "31/01/2026"}, "起始日期格式不正确"),
    ({"payee_name": "李四"}, "收款人名称"),
    ({"amount": "abc"}, "金额"),
    ({"frequency": "weekly", "weekday": ""}, "请选择每周的执行日"),
    ({"payee_kind": "inter", "bank_code": ""}, "账户，请选择“行内收款人”"),
    ({"run_count": "0"}, "执行次数须为1至120次"),
])
def test_bad_input_is_shown_on_the_same_page_with_what_was_typed(client, world, overrides,
                                                                  message):
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        response = client.post(reverse("transfers:periodic_new"), form_data(world, **overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="房租"' in body and world.li_card.number in body


def test_a_second_plan_on_the_card_is_refused_on_the_form(client, world):
    set_up(world)
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        body = client.post(reverse("transfers:periodic_new"),
                           form_data(world, amount="5.00")).content.decode()
    assert ONE_PER_CARD in body


def test_maintenance_lists_the_plan_detail_and_cancel(client, world):
    plan = set_up(world)
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        listing = client.get(reverse("transfers:scheduled")).content.decode()
        assert plan.number in listing and "每月31日" in listing and "有效" in listing
        detail = client.get(reverse("transfers:periodic_detail", args=[plan.number]))
        text = detail.content.decode()
        assert "撤销" in text and "2026-01-31、2026-02-28、2026-03-31" in text
        cancel_url = reverse("transfers:periodic_cancel", args=[plan.number])
        assert f'href="{cancel_url}"' in text  # a link: works without JS
        # 点击“撤销”，进入删除定时转账页面: the plan and a POST button; the GET writes nothing.
        audits = AuditEvent.objects.count()
        page = client.get(cancel_url)
        body = page.content.decode()
        assert page.status_code == 200 and "删除定时转账" in body
        assert plan.number in body and "¥1,000.00" in body and "每月31日" in body
        form = body[body.index('id="periodic-cancel-form"') - 200:]
        assert 'method="post"' in form and f'action="{cancel_url}"' in form
        assert "csrfmiddlewaretoken" in form and "确定删除" in form
        plan.refresh_from_db()
        assert plan.status == PeriodicStatus.ACTIVE and AuditEvent.objects.count() == audits
        response = client.post(cancel_url, follow=True)
    assert "定时转账已撤销" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.CANCELLED
    with time_machine.travel(SETUP_AT, tick=False):
        again = client.post(reverse("transfers:periodic_cancel", args=[plan.number]),
                            follow=True)
    assert "已撤销或已结束，不能撤销" in again.content.decode()
    with time_machine.travel(SETUP_AT, tick=False):
        done = client.get(cancel_url).content.decode()
    assert "已撤销或已结束，不能撤销" in done and "确定删除" not in done


def test_maintenance_always_shows_the_active_plans_first(client, world):
    from datetime import timedelta
    active = set_up(world)
    for i in range(25):  # many newer ended plans of the customer
        ended = PeriodicTransfer.objects.get(pk=active.pk)
        ended.pk, ended.number = None, f"DS19990101{i:010d}"
        ended.status, ended.operation = PeriodicStatus.CANCELLED, None
        ended.created_at = active.created_at + timedelta(minutes=i + 1)
        ended.save(force_insert=True)
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        listing = client.get(reverse("transfers:scheduled")).content.decode()
    table = listing[listing.index('id="periodic-plans"'):]
    assert active.number in table
    assert table.index(active.number) < table.index("DS19990101")


def test_run_query_shows_every_run_and_the_failure_reason(client, world):
    plan = set_up(world)
    run_due(at(2026, 1, 31, 9, 0))
    world.li_card.status = MediumStatus.CLOSED
    world.li_card.save(update_fields=["status"])
    run_due(at(2026, 2, 28, 9, 0))
    client.force_login(world.zhang)
    with time_machine.travel(at(2026, 3, 1, 10, 0), tick=False):
        body = client.get(reverse("transfers:periodic_runs")).content.decode()
        assert plan.number in body and "2026-01-31" in body and "2026-02-28" in body
        assert "成功" in body and "失败" in body and "执行记录" in body
        filtered = client.get(reverse("transfers:periodic_runs"),
                              {"date_from": "2026-02-01", "date_to": "2026-02-28"})
        text = filtered.content.decode()
        assert "2026-02-28" in text and "2026-01-31" not in text
        one_plan = client.get(reverse("transfers:periodic_runs"), {"number": plan.number})
        assert one_plan.content.decode().count("执行记录</a>") == 2
        other = client.get(reverse("transfers:periodic_runs"), {"number": "DS000"})
        assert "没有符合条件的定时转账执行记录" in other.content.decode()
        bad = client.get(reverse("transfers:periodic_runs"),
                         {"date_from": "2026-03-01", "date_to": "2026-02-01"})
        assert "起始日期不能晚于终止日期" in bad.content.decode()
        failed = client.get(reverse("transfers:periodic_run_detail", args=[plan.number, 2]))
        assert "收款账户已销户" in failed.content.decode()
        ok = client.get(reverse("transfers:periodic_run_detail", args=[plan.number, 1]))
        assert "成功" in ok.content.decode() and f"{plan.number}0001" in ok.content.decode()
        assert client.get(reverse("transfers:periodic_run_detail",
                                  args=[plan.number, 9])).status_code == 404


def test_another_customer_gets_404_everywhere(client, world):
    plan = set_up(world)
    run_due(at(2026, 1, 31, 9, 0))
    client.force_login(world.li)
    assert client.get(reverse("transfers:periodic_detail", args=[plan.number])).status_code == 404
    assert client.get(reverse("transfers:periodic_run_detail",
                              args=[plan.number, 1])).status_code == 404
    assert client.post(reverse("transfers:periodic_cancel",
                               args=[plan.number])).status_code == 404
    assert client.get(reverse("transfers:periodic_cancel",
                              args=[plan.number])).status_code == 404
    assert plan.number not in client.get(reverse("transfers:periodic_runs")).content.decode()
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.ACTIVE and plan.start_date == date(2026, 1, 31)


def test_admin_lists_plans_and_runs_of_the_tellers_branch_read_only(client, world):
    from django.contrib.auth.models import Permission

    from accounts.models import Branch
    from security.models import User
    from security.tests.test_counter_fixtures import otp_login

    plan = set_up(world)
    run_due(at(2026, 1, 31, 9, 0))

    def staff(code, username):
        user = User.objects.create_user(username=username, password="Staff-pass-1",
                                        is_staff=True, branch=Branch.objects.get(code=code))
        user.user_permissions.add(*Permission.objects.filter(
            content_type__app_label="transfers",
            codename__in=["view_periodictransfer", "view_periodictransferrun"]))
        return user

    otp_login(client, staff("340101", "teller_periodic_hf"))
    body = client.get(reverse("admin:transfers_periodictransfer_changelist")).content.decode()
    assert plan.number in body and world.li_card.number not in body
    change = client.get(reverse("admin:transfers_periodictransfer_change", args=[plan.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    runs = client.get(reverse("admin:transfers_periodictransferrun_changelist"))
    assert runs.status_code == 200 and plan.number in runs.content.decode()
    client.logout()
    otp_login(client, staff("340201", "teller_periodic_wh"))
    assert plan.number not in client.get(
        reverse("admin:transfers_periodictransfer_changelist")).content.decode()


def test_back_from_the_confirmation_keeps_what_was_typed(client, world):
    from .test_periodic_support import start

    operation = start(world, frequency="weekly", weekday=4, day=None, count=None,
                      end_date=date(2026, 3, 31))
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        body = client.get(reverse("transfers:periodic_new"),
                          {"from": operation.public_id}).content.decode()
    assert world.li_card.number in body and 'value="2026-03-31"' in body
    assert re.search(r'<input type="radio" name="frequency" value="weekly"[^>]*checked', body)
    assert '<option value="4" selected>周五</option>' in body


def test_every_required_field_left_empty_says_what_to_fill_in(client, world):
    client.force_login(world.zhang)
    empty = {"from_sub_account": "", "payee_kind": "", "payee_account": "", "payee_name": "",
             "amount": "", "frequency": "", "start_date": ""}
    with time_machine.travel(SETUP_AT, tick=False):
        body = client.post(reverse("transfers:periodic_new"),
                           form_data(world, **empty)).content.decode()
    for field, message in (("from_sub_account", "请选择转出账号"), ("payee_kind", "请选择收款人类型"),
                           ("payee_account", "请输入收款人账号"),
                           ("payee_name", "请输入收款人名称"), ("amount", "请输入转账金额"),
                           ("frequency", "请选择定时周期"), ("start_date", "请输入起始日期")):
        error = re.search(rf'<div id="id_{field}_error">(.*?)</div>', body, re.S)
        assert error and message in error.group(1), field
    assert "这个字段是必须的" not in body and "This field is required" not in body


def test_an_amount_over_the_single_limit_is_the_amount_fields_own_error(client, world):
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        body = client.post(reverse("transfers:periodic_new"),
                           form_data(world, amount="99999999999")).content.decode()
    error = re.search(r'<div id="id_amount_error">(.*?)</div>', body, re.S).group(1)
    assert re.search(r"超过单笔限额¥[0-9,]+\.\d\d，请调低金额", error)
    assert "请点击" not in body and "返回调低转账金额" not in body and "limit-refusal" not in body
    assert 'value="99999999999"' in body and 'value="房租"' in body


def test_an_amount_over_the_customers_own_limit_says_where_to_change_it(client, world):
    from .test_intra_transfer import customer_limit
    customer_limit(world.zhang_customer, "500.00", "1000.00")
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        body = client.post(reverse("transfers:periodic_new"),
                           form_data(world, amount="600.00")).content.decode()
    error = re.search(r'<div id="id_amount_error">(.*?)</div>', body, re.S).group(1)
    assert "超过您自设的单笔限额¥500.00，请调低金额或到“安全中心 › 限额管理”修改转账限额" in error
    assert not PeriodicTransfer.objects.exists()


def test_detail_names_the_next_three_dates_and_delete_confirms_with_its_own_words(client, world):
    plan = set_up(world)
    client.force_login(world.zhang)
    with time_machine.travel(SETUP_AT, tick=False):
        detail = client.get(reverse("transfers:periodic_detail", args=[plan.number]))
        cancel = client.get(reverse("transfers:periodic_cancel", args=[plan.number]))
    assert re.search(r"<th>最近执行日期</th><td id=\"periodic-next\">2026-01-31、2026-02-28、"
                     r"2026-03-31</td>", detail.content.decode())
    assert "下次执行日期" not in detail.content.decode()
    body = cancel.content.decode()
    assert "<h1>删除定时转账</h1>" in body and ">确定删除</button>" in body and "确定撤销" not in body
