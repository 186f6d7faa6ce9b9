"""The Chinese labels of deposits' audit actions (registered by DepositsConfig.ready())."""

LABELS = {
    "deposits.fixed_open": "整存整取开户",
    "deposits.fixed_withdraw": "定期支取",
    "deposits.fixed_rolled_over": "定期到期自动转存",
    "deposits.fixed_paid_out": "定期到期转活期",
    "deposits.plan_create": "卡内预约转存新增",
    "deposits.plan_cancel": "卡内预约转存撤销",
    "deposits.plan_run_failed": "卡内预约转存执行失败",
    # 大额存单 / 存本取息 (DEP-CD, DEP-CBQX)
    "deposits.cd_open": "大额存单开户",
    "deposits.cd_withdraw": "大额存单支取",
    "deposits.cd_matured": "大额存单到期转活期",
    "deposits.payout_open": "存本取息开户",
    "deposits.payout_paid": "存本取息付息",
    "deposits.payout_withdraw": "存本取息支取",
    "deposits.interest_account_change": "利息账户变更",
}
