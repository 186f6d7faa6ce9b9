"""The demo's sample 联行号 table (invented rows; called by ``manage.py seed_demo``)."""

from .services import SAMPLE_BANK_CODES_FILE, bank_codes_import


def demo_seed(out) -> None:
    codes = bank_codes_import(rows_or_path=SAMPLE_BANK_CODES_FILE)
    out.line(f"sample bank codes (联行号, invented demo rows): {codes.created} new, "
             f"{codes.updated + codes.unchanged} already there")
