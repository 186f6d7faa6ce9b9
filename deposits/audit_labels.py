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

# 零存整取 (deposits/instalment/)
LABELS.update({
    "deposits.instalment_open": "零存整取开户",
    "deposits.instalment_top_up": "零存整取续存",
    "deposits.instalment_withdraw": "零存整取支取",
    "deposits.instalment_defaulted": "零存整取违约",
})
# 零存宝 (DEP-LCB)
LABELS |= {
    "deposits.lcb_open": "零存宝开户",
    "deposits.lcb_top_up": "零存宝续存",
    "deposits.lcb_withdraw": "零存宝支取",
    "deposits.lcb_setting_add": "零存宝限额设置录入",
    "deposits.lcb_setting_change": "零存宝限额设置修改",
    "deposits.lcb_setting_delete": "零存宝限额设置删除",
    "deposits.notice_open": "通知存款开户",
    "deposits.notice_give": "通知存款支取通知",
    "deposits.notice_cancel": "通知存款取消通知",
    "deposits.notice_withdraw": "通知存款支取",
    "deposits.hqb_sign": "活期宝签约",
    "deposits.hqb_terminate": "活期宝解约",
    # 大额存单 / 存本取息 (DEP-CD, DEP-CBQX)
    "deposits.cd_open": "大额存单开户",
    "deposits.cd_withdraw": "大额存单支取",
    "deposits.cd_matured": "大额存单到期转活期",
    "deposits.payout_open": "存本取息开户",
    "deposits.payout_paid": "存本取息付息",
    "deposits.payout_withdraw": "存本取息支取",
    "deposits.interest_account_change": "利息账户变更",
}
