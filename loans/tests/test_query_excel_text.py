"""The 借据's Excel writes names as the characters typed, never a formula (accounts'
test_excel_exports lists loans/query/exports.py here): a product named by head office as
=HYPERLINK(...) reaches the customer's Excel as text."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from .support import application_approved, loan_drawn, shanghai

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x.cn","领奖")'


def test_a_product_name_never_becomes_a_formula_in_the_excel(client, world):
    world.product.name = FORMULA
    world.product.save(update_fields=["name"])
    application = application_approved(user=world.zhang, account=world.main(world.zhang_card),
                                       product=world.product)
    loan = loan_drawn(application=application, on=date(2026, 1, 21))
    with time_machine.travel(shanghai(date(2026, 1, 21)), tick=False):
        client.force_login(world.zhang)
        response = client.get(reverse("loans:schedule_xlsx", kwargs={"pk": loan.pk}))
    workbook = load_workbook(BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert any(cell.value == FORMULA and cell.data_type == "s" for cell in cells)
