"""The Chinese labels of transfers' audit actions (registered by TransfersConfig.ready())."""

LABELS = {
    "transfer.executed": "转账成功",
    "transfer.failed": "转账失败",
    "transfer.scheduled": "预约转账",
    "transfer.cancel": "定时转账撤销",
    "transfers.inter": "跨行转账",
    "transfers.inter_returned": "跨行转账退汇",
    "transfers.inter_failed": "跨行转账失败",
    "transfers.reserved_delete": "预约交易删除",
    "payee.add": "收款人新增",
    "payee.delete": "收款人删除",
    # --- TRF-BATCH
    "transfers.batch_confirm": "批量转账确认",
    "transfers.batch_done": "批量转账执行完成",
    "transfers.batch_draft_deleted": "未确认批量转账清理",
    "transfers.batch_create": "批量转账上传",
    "transfers.batch_invalid_removed": "批量转账删除错误明细",
    "transfers.batch_submit": "批量转账提交",
    # --- end TRF-BATCH
}

# --- TRF-SCHED 定时转账 ---------------------------------------------------------------------------
LABELS.update({
    "transfers.periodic_set": "定时转账设置",
    "transfers.periodic_run": "定时转账执行",
    "transfers.periodic_cancel": "定时转账撤销",
})
# --- end TRF-SCHED -------------------------------------------------------------------------------
# --- 他行账户管理 and 资金归集 (docs/otherbanks.md) ---
LABELS.update({
    "otherbank.sign": "他行账户签约",
    "otherbank.cancel": "他行账户解约",
    "otherbank.revoked": "他行解除协议",
    "collect.pull": "跨行资金归集",
    "collect.plan": "自动归集设置",
    "collect.plan_cancel": "自动归集撤销",
    "collect.run": "自动归集执行",
    "collect.run_unknown": "跨行资金归集结果待人工核查",
})
