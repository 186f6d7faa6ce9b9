"""理财交易确认（日终）, 理财交易撤单 (WLT-CANCEL) and 交易明细查询 (WLT-HISTORY): docs/wealth.md,
"Orders: cut-off, confirmation and 撤单"."""
