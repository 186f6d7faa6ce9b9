"""The Chinese labels of deposits' audit actions (registered by DepositsConfig.ready())."""

LABELS = {
    "deposits.fixed_open": "整存整取开户",
    "deposits.fixed_withdraw": "定期支取",
    "deposits.fixed_rolled_over": "定期到期自动转存",
    "deposits.fixed_paid_out": "定期到期转活期",
    "deposits.plan_create": "卡内预约转存新增",
    "deposits.plan_cancel": "卡内预约转存撤销",
    "deposits.plan_run_failed": "卡内预约转存执行失败",
    "deposits.notice_open": "通知存款开户",
    "deposits.notice_give": "通知存款支取通知",
    "deposits.notice_cancel": "通知存款取消通知",
    "deposits.notice_withdraw": "通知存款支取",
    "deposits.hqb_sign": "活期宝签约",
    "deposits.hqb_terminate": "活期宝解约",
}
