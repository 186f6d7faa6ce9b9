"""The Chinese labels of deposits' audit actions (registered by DepositsConfig.ready())."""

LABELS = {
    "deposits.fixed_open": "整存整取开户",
    "deposits.fixed_withdraw": "定期支取",
    "deposits.fixed_rolled_over": "定期到期自动转存",
    "deposits.fixed_paid_out": "定期到期转活期",
    "deposits.plan_create": "卡内预约转存新增",
    "deposits.plan_cancel": "卡内预约转存撤销",
    "deposits.plan_run_failed": "卡内预约转存执行失败",
    # 智能存款 (deposits/smart).
    "deposits.youyuebao_open": "悠悦宝购买",
    "deposits.youyuebao_withdraw": "悠悦宝支取",
    "deposits.lixiande_withdraw": "利先得支取",
}
