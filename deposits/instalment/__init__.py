"""零存整取 (DEP-LCZQ and the 零存整取 half of DEP-FIX): opening and 续存 on a debit card
(卡内活期转定期, 储种 零存整取), 零存整取存折续存, 销户 / 到期支取, the nightly 违约 check
(docs/deposits.md, 零存整取)."""
