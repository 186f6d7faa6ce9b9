"""Forms of 批量转账: the 转出账户 with the file, the 手工录入 grid, the 批量转账查询 dates."""

from django import forms

from accounts.payers import account_option_label
from transfers.own_intra.forms import TransferQueryForm

from . import files

MANUAL_ROWS = 10
MANUAL_ROWS_MAX = 50


def _payer_field(payers) -> forms.ChoiceField:
    return forms.ChoiceField(label="转出账户", choices=[("", "请选择")] + [
        (str(account.pk), account_option_label(account)) for account in payers],
        error_messages={"required": "请选择转出账户", "invalid_choice": "请选择转出账户"})


class UploadForm(forms.Form):
    def __init__(self, *args, payers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"] = _payer_field(payers)
        self.fields["file"] = forms.FileField(
            label="批量文件", help_text=f"CSV或XLSX，最多{files.MAX_ROWS:,}笔，不超过{files.MAX_BYTES_TEXT}",
            error_messages={"required": "请选择要上传的文件", "empty": "上传的文件是空的",
                            "invalid": "请选择要上传的文件"})


class ManualForm(forms.Form):
    """手工录入: ``rows`` lines of the template's columns; blank lines are skipped."""

    def __init__(self, *args, payers, kind: str, rows: int = MANUAL_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.row_count = max(1, min(rows, MANUAL_ROWS_MAX))
        self.fields["payer"] = _payer_field(payers)
        self.fields["rows"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        for i in range(1, self.row_count + 1):
            for field, label in zip(files.FIELDS[kind], files.HEADERS[kind], strict=True):
                self.fields[f"{field}_{i}"] = forms.CharField(
                    label=f"第{i}行{label}", required=False, max_length=128,
                    widget=forms.TextInput(attrs={"class": f"batch-{field}",
                                                  "inputmode": "decimal" if field == "amount"
                                                  else ("numeric" if field in files.TEXT_COLUMNS
                                                        else "text")}))

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(name) or "").strip() for name in self.fields
                   if name not in ("payer", "rows")):
            # Under the first line's cells and in the banner: nothing typed is not a batch.
            self.add_error(None, "请至少录入一笔转账明细")
            self.add_error("payee_account_1", "请至少录入一笔转账明细")
        return cleaned

    def grid(self):
        """The bound fields line by line, for the template."""
        return [(i, [self[f"{field}_{i}"] for field in files.FIELDS[self.kind]])
                for i in range(1, self.row_count + 1)]

    def raw_rows(self) -> list[files.RawRow]:
        rows = []
        for i in range(1, self.row_count + 1):
            values = {field: (self.cleaned_data.get(f"{field}_{i}") or "").strip()
                      for field in files.FIELDS[self.kind]}
            if any(values.values()):
                # 行号 as on the grid, counted like the file's (the header is line 1).
                rows.append(files.RawRow(i, values))
        return rows


class BatchQueryForm(TransferQueryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["status"]
