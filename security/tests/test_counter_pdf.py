"""The 业务受理单 PDF: two copies (银行留存联, 客户联), real Chinese text, masked numbers only."""

import re
import shutil
import subprocess

import pytest

from security.models import CounterReceipt, ToolKind
from security.staff.counter.pdf import counter_receipt_pdf

from . import test_counter_fixtures as fx
from .test_counter_fixtures import card_of, ident, register

# Shared fixtures (pytest finds them by these module-level names).
bank = fx.bank
teller_hf = fx.teller_hf
tools = fx.tools

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "slip.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_slip_prints_both_copies_in_chinese(bank, teller_hf, tmp_path):
    register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026")
    receipt = CounterReceipt.objects.get()
    pdf = counter_receipt_pdf(receipt=receipt)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf, tmp_path)
    assert text.count("业务受理单") == 2
    assert "第一联 银行留存联" in text and "第二联 客户联" in text
    assert text.count(receipt.number) == 2
    for printed in ("网上银行注册", "张伟", "6226 **** **** 0013", "合肥科技农村商业银行",
                    "客户签字", "经办柜员", "受理时间", "teller_hf", "¥60.00", "陆拾元整"):
        assert printed in text, printed
    # Masked only: never the full card or ID number.
    assert card_of("张伟").number not in text.replace(" ", "")
    assert ident("张伟")["id_number"] not in text

    pages = subprocess.run(["pdfinfo", str(tmp_path / "slip.pdf")], check=True,
                           capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.MULTILINE)  # both copies on one A4 page


def test_the_slip_embeds_a_chinese_font(bank, teller_hf, tmp_path):
    # Without a CJK font (fonts-noto-cjk) WeasyPrint draws boxes and spends seconds a page
    # looking for fallbacks; the speed itself is not asserted here (a timed unit test fails on a
    # busy machine), the font that decides it is.
    register("李娜", teller_hf)
    path = tmp_path / "slip.pdf"
    path.write_bytes(counter_receipt_pdf(receipt=CounterReceipt.objects.get()))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout
    assert re.search(r"CJK", fonts), fonts


def test_the_slip_prints_the_limits_and_amounts_with_capitals_on_one_page(bank, teller_hf,
                                                                          tmp_path):
    from decimal import Decimal

    register("张伟", teller_hf, tool_kind=ToolKind.USBKEY, cert_password="Cert2026",
             single_limit=Decimal("1234.56"), daily_limit=Decimal("50000.00"))
    path = tmp_path / "slip.pdf"
    path.write_bytes(counter_receipt_pdf(receipt=CounterReceipt.objects.get()))
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert flat.count("对外转账限额") == 2  # both copies
    assert "单笔¥1,234.56（大写：壹仟贰佰叁拾肆元伍角陆分）" in flat
    assert "日累计¥50,000.00（大写：伍万元整）" in flat
    assert "¥60.00（大写：陆拾元整）" in flat
    pages = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                           text=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.MULTILINE)


def test_a_slip_without_limits_says_the_branch_limits_apply(bank, teller_hf, tmp_path):
    register("李娜", teller_hf)
    text = _text(counter_receipt_pdf(receipt=CounterReceipt.objects.get()), tmp_path)
    assert re.sub(r"\s+", "", text).count("未设置（按行社限额）") == 2
