from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ebank.clearing.models import BankCode
from ebank.clearing.selectors import bank_code_get, bank_code_search
from ebank.clearing.services import SAMPLE_BANK_CODES_FILE, bank_codes_import

pytestmark = pytest.mark.django_db

ICBC_HEFEI = {"code": "102361000013", "name": "中国工商银行合肥市分行营业部",
              "bank_name": "中国工商银行", "city": "合肥"}


def test_sample_import_is_idempotent():
    first = bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    assert first.ok and first.created == 31 and first.updated == 0
    again = bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 31)
    branch = BankCode.objects.get(code="102361000528")
    assert (branch.bank_name, branch.city, branch.clearing_code) == ("中国工商银行", "合肥", "102361000013")


def test_rows_update_existing_codes_and_leave_others_alone():
    bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    result = bank_codes_import(rows_or_path=[{**ICBC_HEFEI, "name": "中国工商银行股份有限公司合肥分行营业部"}])
    assert (result.created, result.updated) == (0, 1)
    assert BankCode.objects.get(code="102361000013").name == "中国工商银行股份有限公司合肥分行营业部"
    assert BankCode.objects.count() == 31


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**ICBC_HEFEI, "code": "10236100001"}, "12位数字"),
        ({**ICBC_HEFEI, "code": "10236100001X"}, "12位数字"),
        ({**ICBC_HEFEI, "code": "１０２３６１００００１３"}, "12位数字"),  # full-width digits
        ({**ICBC_HEFEI, "name": " "}, "行名不能为空"),
        ({**ICBC_HEFEI, "bank_name": ""}, "所属银行不能为空"),
        ({**ICBC_HEFEI, "clearing_code": "123"}, "清算行行号"),
        ({**ICBC_HEFEI, "name": "行" * 129}, "超过128"),
    ],
)
def test_invalid_rows_import_nothing(row, message):
    good = {**ICBC_HEFEI, "code": "102361000528", "name": "中国工商银行合肥长江中路支行"}
    result = bank_codes_import(rows_or_path=[good, row])
    assert not result.ok
    assert result.errors[0].line == 2 and message in result.errors[0].message
    assert not BankCode.objects.exists()


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad():
    result = bank_codes_import(rows_or_path=[ICBC_HEFEI, {**ICBC_HEFEI}, {**ICBC_HEFEI, "code": "x"}],
                               skip_invalid=True)
    assert result.created == 1
    assert [(e.line, "重复" in e.message) for e in result.errors] == [(2, True), (3, False)]


def test_command_sample_and_file(tmp_path):
    out = StringIO()
    call_command("import_bank_codes", "--sample", stdout=out)
    assert "新增 31" in out.getvalue() and "样例" in out.getvalue()

    path = tmp_path / "codes.csv"
    path.write_text("code,name,bank_name,city\n123,坏行,某银行,合肥\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 行错误"):
        call_command("import_bank_codes", str(path), stderr=err)
    assert "第2行" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_bank_codes")
    with pytest.raises(CommandError, match="缺少列"):
        path.write_text("code,name\n", encoding="utf-8")
        call_command("import_bank_codes", str(path))


@pytest.fixture
def sample_codes():
    bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)


@pytest.mark.usefixtures("sample_codes")
class TestSearch:
    def test_all_words_in_any_order(self):
        expected = ["中国工商银行合肥市分行营业部", "中国工商银行合肥长江中路支行"]
        assert [b.name for b in bank_code_search("工商 合肥")] == expected
        assert [b.name for b in bank_code_search("合肥\u3000工商")] == expected  # full-width space

    def test_a_single_word(self):
        names = [b.name for b in bank_code_search("徽商")]
        assert names == ["徽商银行合肥分行营业部", "徽商银行芜湖分行营业部"]

    def test_code_prefix(self):
        assert [b.code for b in bank_code_search("102361")] == ["102361000013", "102361000528"]
        assert [b.code for b in bank_code_search("102361000528")] == ["102361000528"]

    def test_limit_and_nothing_for_empty(self):
        assert len(bank_code_search("银行", limit=5)) == 5
        assert len(bank_code_search("银行")) == 20
        assert bank_code_search("") == [] and bank_code_search("   ") == []
        assert bank_code_search("花旗") == []

    def test_get(self):
        assert bank_code_get(" 102361000013 ").name == "中国工商银行合肥市分行营业部"
        assert bank_code_get("999999999999") is None


def test_the_database_refuses_a_malformed_code():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BankCode.objects.create(code="10236100001X", name="坏行", bank_name="某银行")
