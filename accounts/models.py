"""The core-banking model of the customer side: bank → branches → customers → media → sub-accounts.

* A :class:`Branch` (行社) is one member institution with its code; one of them is head office.
* A :class:`Customer` (客户号) holds identity data; the ID number is stored encrypted (Fernet,
  key from the environment) with a keyed digest for exact-match lookups and a masked copy for
  display.
* A :class:`Medium` (介质) is what the customer holds: 借记卡, 活期存折, 活期一本通, 定期一本通 or
  信用卡, with its hashed 6-digit 交易密码 and its status (正常, 挂失, 冻结, 销户).
* A :class:`SubAccount` (子账户) is one account on a medium (活期主账户, other 活期, each fixed
  deposit), each backed by exactly one ledger account, which holds its balance.
"""

from django.db import models
from django.db.models import Q

from ebank.ledger.models import LedgerAccount


class Bank(models.Model):
    code = models.CharField("银行代码", max_length=16, unique=True)
    name = models.CharField("银行名称", max_length=64)

    class Meta:
        verbose_name = "银行"
        verbose_name_plural = "银行"

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    bank = models.ForeignKey(Bank, verbose_name="银行", on_delete=models.PROTECT,
                             related_name="branches")
    code = models.CharField("行社代码", max_length=16, unique=True)
    name = models.CharField("行社名称", max_length=64)
    is_head_office = models.BooleanField("总行/省联社", default=False)
    address = models.CharField("地址", max_length=128, blank=True)

    class Meta:
        verbose_name = "行社"
        verbose_name_plural = "行社"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["bank"], condition=Q(is_head_office=True),
                                    name="accounts_one_head_office_per_bank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IdType(models.TextChoices):
    RESIDENT_ID = "01", "居民身份证"
    PASSPORT = "02", "护照"
    MILITARY = "03", "军官证"
    HK_MACAO_PERMIT = "04", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "05", "台湾居民来往大陆通行证"
    FOREIGN_PERMANENT = "06", "外国人永久居留身份证"


class Customer(models.Model):
    cif_no = models.CharField("客户号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=64)
    branch = models.ForeignKey(Branch, verbose_name="开户行社", on_delete=models.PROTECT,
                               related_name="customers")
    id_type = models.CharField("证件类型", max_length=2, choices=IdType.choices)
    id_number_encrypted = models.TextField("证件号码（密文）")
    # HMAC of type+number: exact-match lookups (registration) without decrypting every row.
    id_number_digest = models.CharField("证件号码摘要", max_length=64)
    id_number_masked = models.CharField("证件号码", max_length=32)
    phone = models.CharField("预留手机号", max_length=11)
    address = models.CharField("地址", max_length=128, blank=True)
    postcode = models.CharField("邮编", max_length=6, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "客户"
        verbose_name_plural = "客户"
        constraints = [
            models.UniqueConstraint(fields=["id_number_digest"], name="accounts_customer_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cif_no} {self.name}"


class MediumKind(models.TextChoices):
    DEBIT_CARD = "debit_card", "借记卡"
    CURRENT_PASSBOOK = "current_passbook", "活期存折"
    CURRENT_ONEBOOK = "current_onebook", "活期一本通"
    FIXED_ONEBOOK = "fixed_onebook", "定期一本通"
    CREDIT_CARD = "credit_card", "信用卡"


class MediumStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    ORAL_LOSS = "oral_loss", "口头挂失"
    WRITTEN_LOSS = "written_loss", "书面挂失"
    FROZEN = "frozen", "冻结"
    CLOSED = "closed", "销户"


class Medium(models.Model):
    number = models.CharField("卡号/账号", max_length=19, unique=True)
    kind = models.CharField("介质类型", max_length=20, choices=MediumKind.choices)
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="media")
    branch = models.ForeignKey(Branch, verbose_name="开户行社", on_delete=models.PROTECT,
                               related_name="media")
    pin_hash = models.CharField("交易密码（摘要）", max_length=256)
    status = models.CharField("状态", max_length=16, choices=MediumStatus.choices,
                              default=MediumStatus.NORMAL)
    # 活期存折/活期一本通 can be settlement accounts (结算户) or not; only those receive transfers.
    is_settlement = models.BooleanField("结算户", default=True)
    opened_on = models.DateField("开户日期")
    # X-CONFIRM: three wrong 交易密码 in a row lock the medium for online use until the next day.
    pin_failures = models.PositiveSmallIntegerField("交易密码连续错误次数", default=0)
    pin_locked_on = models.DateField("交易密码锁定日期", null=True, blank=True)
    # 账户挂失 note 1: when the online 口头挂失 was made; the nightly batch releases the loss five
    # days after its Asia/Shanghai date. Set only by the online report, cleared when the medium
    # leaves 口头挂失 (解挂, 书面挂失); a medium put in 口头挂失 otherwise has none and is left
    # to staff.
    loss_reported_at = models.DateTimeField("口头挂失时间", null=True, blank=True)

    class Meta:
        verbose_name = "介质"
        verbose_name_plural = "介质"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        from ebank.core.masking import mask_account_number

        return mask_account_number(self.number)


class SubAccountKind(models.TextChoices):
    CURRENT_MAIN = "current_main", "活期主账户"
    CURRENT = "current", "活期"
    FIXED_LUMP_SUM = "fixed_lump_sum", "整存整取"
    FIXED_INSTALMENT = "fixed_instalment", "零存整取"
    FIXED_INTEREST_PAYOUT = "fixed_interest_payout", "存本取息"
    NOTICE = "notice", "通知存款"
    LARGE_CD = "large_cd", "大额存单"
    CREDIT = "credit", "信用卡账户"


class SubAccountStatus(models.TextChoices):
    OPEN = "open", "正常"
    CLOSED = "closed", "销户"


class SubAccount(models.Model):
    medium = models.ForeignKey(Medium, verbose_name="介质", on_delete=models.PROTECT,
                               related_name="sub_accounts")
    seq = models.PositiveIntegerField("子账户序号")
    kind = models.CharField("子账户类型", max_length=24, choices=SubAccountKind.choices)
    ledger_account = models.OneToOneField(LedgerAccount, verbose_name="总账账户",
                                          on_delete=models.PROTECT, related_name="sub_account")
    currency = models.CharField("币种", max_length=3, default="CNY")
    status = models.CharField("状态", max_length=8, choices=SubAccountStatus.choices,
                              default=SubAccountStatus.OPEN)
    opened_on = models.DateField("开户日期")

    class Meta:
        verbose_name = "子账户"
        verbose_name_plural = "子账户"
        ordering = ["medium", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["medium", "seq"], name="accounts_subaccount_seq"),
            models.UniqueConstraint(fields=["medium"], condition=Q(kind="current_main"),
                                    name="accounts_one_current_main_per_medium"),
        ]

    def __str__(self) -> str:
        return f"{self.medium.masked_number}-{self.seq:04d} {self.get_kind_display()}"

    @property
    def number(self) -> str:
        return f"{self.medium.number}-{self.seq:04d}"


class LinkedMedium(models.Model):
    """A medium linked to the customer's e-banking (关联账户), with its alias and place in lists.

    Default order is the reverse of linking (the newest first); 上移/下移 swap positions.
    """

    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="linked_media")
    medium = models.OneToOneField(Medium, verbose_name="介质", on_delete=models.PROTECT,
                                  related_name="link")
    alias = models.CharField("账户别名", max_length=30, blank=True)
    position = models.IntegerField("排列顺序")
    linked_at = models.DateTimeField("关联时间", auto_now_add=True)

    class Meta:
        verbose_name = "网银关联账户"
        verbose_name_plural = "网银关联账户"
        ordering = ["customer", "position"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "position"],
                                    name="accounts_linked_position_unique"),
        ]

    def __str__(self) -> str:
        return self.alias or f"{self.customer.name} {self.medium.get_kind_display()}"


class ReceiptDirection(models.TextChoices):
    DEBIT = "debit", "付款"
    CREDIT = "credit", "收款"


class Receipt(models.Model):
    """电子回单 (ACC-RECEIPT): the bank's signed statement that one posted movement happened.

    One per (ledger entry, customer sub-account). ``verification_code`` is derived from a
    signature by the bank's receipt key over the receipt's elements: anyone may type the
    elements into 电子回单校验, only the bank can produce a code that matches them.
    """

    number = models.CharField("回单编号", max_length=32, unique=True)
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT,
                                 related_name="receipts")
    sub_account = models.ForeignKey(SubAccount, verbose_name="账户", on_delete=models.PROTECT,
                                    related_name="receipts")
    entry_id = models.BigIntegerField("记账分录")
    direction = models.CharField("收付方向", max_length=8, choices=ReceiptDirection.choices)
    amount = models.DecimalField("金额", max_digits=18, decimal_places=2)
    payer_name = models.CharField("付款人户名", max_length=64)
    payer_account = models.CharField("付款人账号", max_length=32)
    payer_bank = models.CharField("付款人开户行", max_length=128)
    payee_name = models.CharField("收款人户名", max_length=64)
    payee_account = models.CharField("收款人账号", max_length=32)
    payee_bank = models.CharField("收款人开户行", max_length=128)
    purpose = models.CharField("用途", max_length=60, blank=True)
    business = models.CharField("业务种类", max_length=32)
    channel = models.CharField("交易渠道", max_length=16)
    posted_at = models.DateTimeField("交易时间")
    verification_code = models.CharField("验证码", max_length=64)

    class Meta:
        verbose_name = "电子回单"
        verbose_name_plural = "电子回单"
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["entry_id", "sub_account"],
                                    name="accounts_one_receipt_per_entry_account"),
        ]
        indexes = [models.Index(fields=["customer", "-posted_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"
