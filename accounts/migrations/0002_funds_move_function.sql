-- ebank_funds_move: the two-leg movement of accounts.services.funds_move in one statement.
-- Read and run by migration accounts/0002_funds_move_function (PostgreSQL only).
--
-- CHANGE BOTH. This function has a Python twin that must do exactly what it does: the portable
-- path of accounts.services.funds_move (_funds_move_python: ebank.ledger.services.entry_post
-- with ebank.limits.services.limit_consume as its before_lock), which runs on SQLite. A change
-- to either side (a step, its order, a check, a refusal, a column written; in entry_post or
-- limit_consume too) is made to the other in the same commit.
-- accounts/tests/test_funds_move_parity.py runs one table of scenarios through both on
-- PostgreSQL and compares every result and refusal, posting, balance and usage row.
--
-- NEVER EDIT THIS FILE: databases already migrated would keep the old function while new ones
-- got the new. A change of the function is a new migration in accounts/migrations/ with a new
-- .sql file beside it (copy the newest one, edit the copy): its forward runs the new file, its
-- backward the previous one. accounts/tests/test_funds_move_sql.py holds each .sql file to its
-- recorded checksum and to exactly one migration that reads it, and the function in a migrated
-- database to the newest file.
--
-- It does what the Python path does, in the same lock order:
--   1. claim the idempotency key (a committed holder: return it as a replay, touch nothing);
--   2. when a limit is given (p_customer), create-or-lock-and-increment the customer's usage row
--      for the day and refuse (SQLSTATE EB001, DETAIL = usage before) above the single or daily
--      cap; the caps come from the limit engine (ebank.limits.selectors.effective_limits),
--      which alone knows the policy rules, and the engine words the refusal;
--   3. lock both ledger accounts in primary-key order;
--   4. refuse (EB002) when an account that may not go negative would go below its holds;
--   5. insert both postings with their running balances and update the cached balances.
-- EB003: the same account on both sides, or an account that does not exist.
-- The database invariants (balanced entries, immutable postings, positive amounts,
-- balance >= held; migration ledger/0002_invariants) stand behind this function as behind
-- the Python path.
CREATE OR REPLACE FUNCTION ebank_funds_move(
    p_key text, p_fingerprint text, p_business_type text, p_reference text, p_memo text,
    p_now timestamptz, p_debit bigint, p_credit bigint, p_amount numeric,
    p_customer bigint, p_day date, p_channel text, p_single numeric, p_daily numeric)
RETURNS TABLE (entry_id bigint, replayed boolean, fingerprint text) AS $$
DECLARE
    v_entry bigint;
    v_used numeric;
    r record;
    v_debit_balance numeric;
    v_credit_balance numeric;
BEGIN
    IF p_debit = p_credit THEN
        RAISE EXCEPTION 'a movement needs two different accounts' USING ERRCODE = 'EB003';
    END IF;
    INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, reference, memo,
                              posted_at)
        VALUES (p_key, p_fingerprint, p_business_type, p_reference, p_memo, p_now)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id INTO v_entry;
    IF v_entry IS NULL THEN
        RETURN QUERY SELECT e.id, true, e.fingerprint::text FROM ledger_entry e
            WHERE e.idempotency_key = p_key;
        RETURN;
    END IF;

    IF p_customer IS NOT NULL THEN
        INSERT INTO limits_dailylimitusage (customer_id, day, channel, used, count)
            VALUES (p_customer, p_day, p_channel, p_amount, 1)
            ON CONFLICT (customer_id, day, channel) DO UPDATE
                SET used = limits_dailylimitusage.used + excluded.used,
                    count = limits_dailylimitusage.count + 1
            RETURNING used INTO v_used;
        IF (p_single IS NOT NULL AND p_amount > p_single)
                OR (p_daily IS NOT NULL AND v_used > p_daily) THEN
            RAISE EXCEPTION 'limit exceeded' USING ERRCODE = 'EB001',
                DETAIL = (v_used - p_amount)::text;
        END IF;
    END IF;

    FOR r IN SELECT id, normal_side, allow_negative, balance, held FROM ledger_ledgeraccount
             WHERE id IN (p_debit, p_credit) ORDER BY id FOR UPDATE LOOP
        IF r.id = p_debit THEN
            v_debit_balance := r.balance + CASE WHEN r.normal_side = 'D' THEN p_amount
                                                ELSE -p_amount END;
            IF NOT r.allow_negative AND v_debit_balance < r.held THEN
                RAISE EXCEPTION 'insufficient funds' USING ERRCODE = 'EB002';
            END IF;
        ELSE
            v_credit_balance := r.balance + CASE WHEN r.normal_side = 'C' THEN p_amount
                                                 ELSE -p_amount END;
            IF NOT r.allow_negative AND v_credit_balance < r.held THEN
                RAISE EXCEPTION 'insufficient funds' USING ERRCODE = 'EB002';
            END IF;
        END IF;
    END LOOP;
    IF v_debit_balance IS NULL OR v_credit_balance IS NULL THEN
        RAISE EXCEPTION 'ledger account does not exist' USING ERRCODE = 'EB003';
    END IF;

    INSERT INTO ledger_posting (entry_id, account_id, side, amount, balance_after, posted_at)
        VALUES (v_entry, p_debit, 'D', p_amount, v_debit_balance, p_now),
               (v_entry, p_credit, 'C', p_amount, v_credit_balance, p_now);
    UPDATE ledger_ledgeraccount
        SET balance = CASE WHEN id = p_debit THEN v_debit_balance ELSE v_credit_balance END
        WHERE id IN (p_debit, p_credit);
    RETURN QUERY SELECT v_entry, false, p_fingerprint;
END
$$ LANGUAGE plpgsql;
