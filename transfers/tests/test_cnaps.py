"""联行号查询 (TRF-CNAPS): by bank name (fuzzy, words in any order) or by code."""

import pytest
from django.urls import reverse

from .test_inter_support import (
    ICBC_BRANCH,
    ICBC_HEFEI,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang_client(client, inter):
    client.force_login(inter.zhang)
    return client


def test_the_page_without_a_query_shows_the_form_and_no_table(zhang_client):
    assert reverse("transfers:bank_codes") == "/transfers/bank-codes"
    body = zhang_client.get(reverse("transfers:bank_codes")).content.decode()
    assert "联行号查询" in body and 'name="q"' in body and 'id="bank-code-results"' not in body


def test_search_by_name_words_in_any_order(zhang_client):
    body = zhang_client.get(reverse("transfers:bank_codes"), {"q": "合肥　工商"}).content.decode()
    assert ICBC_HEFEI in body and ICBC_BRANCH in body
    assert "中国工商银行合肥长江中路支行" in body and "芜湖" not in body
    # The 营业部 (shorter name) before its sub-branches.
    assert body.index(ICBC_HEFEI) < body.index(ICBC_BRANCH)


def test_search_by_code_prefix(zhang_client):
    body = zhang_client.get(reverse("transfers:bank_codes"), {"q": "1023610005"}).content.decode()
    assert ICBC_BRANCH in body and "中国工商银行合肥市分行营业部" not in body


def test_nothing_found_and_an_empty_query_are_said_plainly(zhang_client):
    body = zhang_client.get(reverse("transfers:bank_codes"), {"q": "火星银行"}).content.decode()
    assert "未找到符合条件的银行网点" in body
    body = zhang_client.get(reverse("transfers:bank_codes"), {"q": "  "}).content.decode()
    assert "请输入行名或联行号" in body


def test_login_is_required(client):
    response = client.get(reverse("transfers:bank_codes"), {"q": "工商"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client.get(reverse("transfers:bank_code_lookup"), {"q": "工商"}).status_code == 302
