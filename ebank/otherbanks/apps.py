from django.apps import AppConfig


class OtherBanksConfig(AppConfig):
    """The other banks behind an adapter (docs/otherbanks.md). Its demo data is seeded by
    transfers' part 36, which knows the demo customers (this lower app does not)."""

    name = "ebank.otherbanks"
    label = "otherbanks"
    verbose_name = "他行模拟器"
