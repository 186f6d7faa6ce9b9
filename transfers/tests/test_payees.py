"""收款人管理 (TRF-PAYEES): fuzzy search, add (intra validated, inter with a bank), delete."""

import pytest
from django.urls import reverse

from ebank.clearing.models import BankCode
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from tests import customer_world as support
from transfers.models import Payee, PayeeKind
from transfers.services.payees import (
    INTRA_PAYEE_SETTLEMENT_MESSAGE,
    PAYEE_NAME_MISMATCH_MESSAGE,
    payee_add,
    payee_delete,
)

pytestmark = pytest.mark.django_db
world = support.world


@pytest.fixture
def banks(db):
    BankCode.objects.create(code="102361000011", name="中国工商银行合肥市分行营业部",
                            bank_name="中国工商银行", city="合肥")
    BankCode.objects.create(code="102361000222", name="中国工商银行合肥长江路支行",
                            bank_name="中国工商银行", city="合肥")
    BankCode.objects.create(code="105361000033", name="中国建设银行合肥蜀山支行",
                            bank_name="中国建设银行", city="合肥")


def test_an_intra_payee_is_checked_against_our_accounts(world):
    payee = payee_add(user=world.zhang, kind=PayeeKind.INTRA,
                      account_number=" " + world.li_card.number[:4] + " " + world.li_card.number[4:],
                      name="李娜")
    assert payee.account_number == world.li_card.number and payee.bank_code == ""
    assert AuditEvent.objects.filter(action="payee.add", object_ref=f"payee:{payee.pk}").exists()
    with pytest.raises(BusinessError, match=PAYEE_NAME_MISMATCH_MESSAGE):
        payee_add(user=world.zhang, kind=PayeeKind.INTRA, account_number=world.wang_card.number,
                  name="王五")
    with pytest.raises(BusinessError, match=INTRA_PAYEE_SETTLEMENT_MESSAGE):
        payee_add(user=world.zhang, kind=PayeeKind.INTRA,
                  account_number=world.liu_passbook.number, name="刘洋")
    with pytest.raises(BusinessError, match="已在收款人登记簿中"):
        payee_add(user=world.zhang, kind=PayeeKind.INTRA, account_number=world.li_card.number,
                  name="李娜")


def test_an_inter_bank_payee_needs_a_bank_from_the_bank_code_table(world, banks):
    with pytest.raises(BusinessError, match="请输入收款行"):
        payee_add(user=world.zhang, kind=PayeeKind.INTER, account_number="6222020000001234",
                  name="赵六")
    with pytest.raises(BusinessError, match="未找到该收款行"):
        payee_add(user=world.zhang, kind=PayeeKind.INTER, account_number="6222020000001234",
                  name="赵六", bank_query="花旗")
    with pytest.raises(BusinessError, match="找到多个收款行") as ambiguous:
        payee_add(user=world.zhang, kind=PayeeKind.INTER, account_number="6222020000001234",
                  name="赵六", bank_query="工商 合肥")
    assert ambiguous.value.code == "bank_ambiguous"
    payee = payee_add(user=world.zhang, kind=PayeeKind.INTER, account_number="6222020000001234",
                      name="赵六", bank_query="建设银行")
    assert (payee.bank_code, payee.bank_name) == ("105361000033", "中国建设银行合肥蜀山支行")
    picked = payee_add(user=world.zhang, kind=PayeeKind.INTER, account_number="6222020000005678",
                       name="钱七", bank_code="102361000222")
    assert picked.bank_name == "中国工商银行合肥长江路支行"


def test_the_add_page_lists_the_banks_to_pick_when_several_match(client, world, banks):
    client.force_login(world.zhang)
    body = client.post(reverse("transfers:payee_add"), {
        "kind": PayeeKind.INTER, "account_number": "6222020000001234", "name": "赵六",
        "bank_query": "工商 合肥"}).content.decode()
    assert "找到多个收款行" in body and 'value="102361000222"' in body
    response = client.post(reverse("transfers:payee_add"), {
        "kind": PayeeKind.INTER, "account_number": "6222020000001234", "name": "赵六",
        "bank_query": "工商 合肥", "bank_pick": "102361000222"})
    assert response.status_code == 302
    assert Payee.objects.get(customer=world.zhang_customer).bank_code == "102361000222"


def test_fuzzy_search_by_name_or_account(client, world):
    Payee.objects.create(customer=world.zhang_customer, kind=PayeeKind.INTRA,
                         account_number=world.li_card.number, name="李娜")
    Payee.objects.create(customer=world.zhang_customer, kind=PayeeKind.INTER,
                         account_number="6222020000009876", name="赵六", bank_code="105361000033",
                         bank_name="中国建设银行合肥蜀山支行")
    client.force_login(world.zhang)
    by_name = client.get(reverse("transfers:payees"), {"q": "李"}).content.decode()
    assert "李娜" in by_name and "赵六" not in by_name
    by_account = client.get(reverse("transfers:payees"), {"q": "9876"}).content.decode()
    assert "赵六" in by_account and "李娜" not in by_account
    assert "6222020000009876" not in by_account  # masked in the list


def test_delete_is_post_only_and_anothers_payee_is_404_with_nothing_written(client, world):
    mine = Payee.objects.create(customer=world.zhang_customer, kind=PayeeKind.INTRA,
                                account_number=world.li_card.number, name="李娜")
    theirs = Payee.objects.create(customer=world.li_customer, kind=PayeeKind.INTRA,
                                  account_number=world.zhang_card.number, name="张伟")
    client.force_login(world.zhang)
    assert client.get(reverse("transfers:payee_delete", args=[mine.pk])).status_code == 405
    events = AuditEvent.objects.count()
    assert client.post(reverse("transfers:payee_delete", args=[theirs.pk])).status_code == 404
    assert Payee.objects.filter(pk=theirs.pk).exists() and AuditEvent.objects.count() == events
    assert client.post(reverse("transfers:payee_delete", args=[mine.pk])).status_code == 302
    assert not Payee.objects.filter(pk=mine.pk).exists()
    assert AuditEvent.objects.filter(action="payee.delete").exists()


def test_payee_delete_service_is_scoped(world):
    theirs = Payee.objects.create(customer=world.li_customer, kind=PayeeKind.INTRA,
                                  account_number=world.zhang_card.number, name="张伟")
    from django.http import Http404

    with pytest.raises(Http404):
        payee_delete(user=world.zhang, payee_id=theirs.pk)
