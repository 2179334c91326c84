"""PostgreSQL: decide bids of one lot in one round trip.

``auctions_bids_place`` locks the lot row, then judges the given bids in order, each against the state the
previous one left (status, start, listing end or countdown end by the database clock read when the call
began, the continue request of a land listing's timed session, the increment), inserts every bid row
(accepted or refused), updates price, leader, count and countdown once, and appends one
``auctions.bid.accepted`` event per accepted bid through core's ``yangguang_event_append`` (so the event log
stays one chain). A key already used by the same registration returns the stored outcome. It writes nothing
and answers ``python`` for every bid when the sale must first be opened (status ``announced``): that step
is the chronograph's, done inline by the Python path. Sealed offers never come here. The arrival time is
``clock_timestamp()`` when the call starts, before the row lock (``p_received`` NULL), or the given instant.

When every bid is refused and ``p_defer_refusals`` is true, the transaction commits without waiting for
the disk (a refusal changes nothing; a lost record means a retry is judged again with the same outcome).

The payload text is canonical JSON (sorted keys, no spaces): the same bytes ``core.eventlog`` builds, so
verify-log recomputes the leaf from the stored row. SQLite keeps the Python path; this migration does
nothing there.
"""

from django.db import migrations

ISOFORMAT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION auctions_isoformat(p_ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(p_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN (extract(microseconds FROM p_ts)::bigint % 1000000) = 0 THEN ''
                ELSE '.' || to_char(p_ts AT TIME ZONE 'UTC', 'US') END
        || '+00:00'
$$;
"""

PLACE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION auctions_bids_place(
    p_lot bigint, p_registrations bigint[], p_numbers text[], p_amounts numeric[], p_keys text[],
    p_direction integer, p_on_requests boolean, p_settle interval, p_log_lock bigint, p_defer_refusals boolean,
    p_received timestamptz)
RETURNS TABLE (o_index integer, o_outcome text, o_code text, o_limit numeric, o_seq integer, o_amount numeric,
               o_number text, o_placed_at timestamptz, o_countdown_ends_at timestamptz, o_status text)
LANGUAGE plpgsql AS $$
DECLARE
    v_received timestamptz := coalesce(p_received, clock_timestamp());
    v_lot auctions_lot%ROWTYPE;
    v_prev auctions_bid%ROWTYPE;
    v_count integer := coalesce(array_length(p_registrations, 1), 0);
    v_code text;
    v_limit numeric;
    v_seq integer;
    v_placed timestamptz;
    v_countdown timestamptz;
    v_next_check timestamptz;
    v_restart timestamptz;
    v_bid bigint;
    v_payload text;
    v_accepted boolean := false;
BEGIN
    SELECT * INTO v_lot FROM auctions_lot WHERE id = p_lot FOR UPDATE;
    IF NOT FOUND THEN
        FOR i IN 1..v_count LOOP
            RETURN QUERY SELECT i, 'missing'::text, NULL::text, NULL::numeric, NULL::integer, NULL::numeric,
                NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::text;
        END LOOP;
        RETURN;
    END IF;
    IF v_lot.status = 'announced' THEN
        FOR i IN 1..v_count LOOP
            RETURN QUERY SELECT i, 'python'::text, NULL::text, NULL::numeric, NULL::integer, NULL::numeric,
                NULL::text, NULL::timestamptz, NULL::timestamptz, v_lot.status::text;
        END LOOP;
        RETURN;
    END IF;
    FOR i IN 1..v_count LOOP
        SELECT * INTO v_prev FROM auctions_bid
            WHERE registration_id = p_registrations[i] AND idempotency_key = p_keys[i];
        IF FOUND THEN
            RETURN QUERY SELECT i, 'replay'::text, CASE WHEN v_prev.accepted THEN NULL ELSE v_prev.refusal_code::text END,
                v_prev."limit"::numeric, v_prev.seq::integer, v_prev.amount::numeric, v_prev.number::text,
                v_prev.placed_at,
                v_prev.countdown_ends_at, v_lot.status::text;
            CONTINUE;
        END IF;
        v_code := NULL;
        v_limit := NULL;
        IF v_lot.status IN ('sold', 'failed') THEN
            v_code := 'bidding_ended';
        ELSIF v_received < v_lot.listing_starts_at OR v_lot.status NOT IN ('listing', 'live') THEN
            v_code := 'bidding_not_started';
        ELSIF v_lot.status = 'listing' AND v_received >= v_lot.listing_ends_at THEN
            v_code := 'listing_closed';
        ELSIF v_lot.status = 'live' AND (v_lot.countdown_ends_at IS NULL
                                         OR v_received >= v_lot.countdown_ends_at) THEN
            v_code := 'bidding_ended';
        ELSIF v_lot.status = 'live' AND p_on_requests AND v_lot.live_started_at IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM auctions_registration AS r
                                WHERE r.id = p_registrations[i] AND r.live_requested) THEN
            v_code := 'not_in_session';
        ELSE
            v_limit := CASE WHEN v_lot.current_price IS NULL THEN v_lot.starting_price
                            ELSE v_lot.current_price + v_lot.increment * p_direction END;
            IF (p_direction > 0 AND p_amounts[i] < v_limit) OR (p_direction < 0 AND p_amounts[i] > v_limit) THEN
                v_code := CASE WHEN p_direction > 0 THEN 'bid_too_low' ELSE 'bid_too_high' END;
            ELSE
                v_limit := NULL;
            END IF;
        END IF;
        IF v_code IS NOT NULL THEN
            INSERT INTO auctions_bid (lot_id, registration_id, number, amount, idempotency_key, accepted,
                                      refusal_code, "limit", received_at, nonce)
            VALUES (p_lot, p_registrations[i], p_numbers[i], p_amounts[i], p_keys[i], false, v_code, v_limit,
                    v_received, '')
            ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN
                RETURN QUERY SELECT i, 'conflict'::text, v_code, v_limit, NULL::integer, p_amounts[i],
                    p_numbers[i], NULL::timestamptz, NULL::timestamptz, v_lot.status::text;
            ELSE
                RETURN QUERY SELECT i, 'refused'::text, v_code, v_limit, NULL::integer, p_amounts[i],
                    p_numbers[i], NULL::timestamptz, NULL::timestamptz, v_lot.status::text;
            END IF;
            CONTINUE;
        END IF;
        -- Accepted: stamped in order (never before the previous accepted bid), the countdown restarts.
        v_seq := v_lot.bid_count + 1;
        v_placed := GREATEST(v_received, v_lot.last_bid_at);
        v_countdown := v_lot.countdown_ends_at;
        v_next_check := v_lot.next_check_at;
        IF v_lot.status = 'live' THEN
            v_restart := v_placed + make_interval(secs => v_lot.countdown_seconds);
            IF v_countdown IS NULL OR v_restart > v_countdown THEN
                v_countdown := v_restart;
                v_next_check := v_restart + p_settle;
            END IF;
        END IF;
        INSERT INTO auctions_bid (lot_id, registration_id, number, amount, idempotency_key, accepted, seq,
                                  refusal_code, received_at, placed_at, countdown_ends_at, nonce)
        VALUES (p_lot, p_registrations[i], p_numbers[i], p_amounts[i], p_keys[i], true, v_seq, '', v_received,
                v_placed, v_countdown, '')
        ON CONFLICT DO NOTHING
        RETURNING id INTO v_bid;
        IF v_bid IS NULL THEN
            RETURN QUERY SELECT i, 'conflict'::text, NULL::text, NULL::numeric, NULL::integer, p_amounts[i],
                p_numbers[i], NULL::timestamptz, NULL::timestamptz, v_lot.status::text;
            CONTINUE;
        END IF;
        v_lot.bid_count := v_seq;
        v_lot.last_bid_at := v_placed;
        v_lot.current_price := p_amounts[i];
        v_lot.leader_id := p_registrations[i];
        v_lot.countdown_ends_at := v_countdown;
        v_lot.next_check_at := v_next_check;
        v_accepted := true;
        v_payload := '{"amount":' || to_json(p_amounts[i]::text)::text
            || ',"countdown_ends_at":' || coalesce(to_json(auctions_isoformat(v_countdown))::text, 'null')
            || ',"lot":' || p_lot::text
            || ',"number":' || to_json(p_numbers[i])::text
            || ',"seq":' || v_seq::text || '}';
        PERFORM yangguang_event_append(
            p_log_lock, 'auctions.bid.accepted', 'bidder', 'auctions.bid', v_bid::text, v_payload,
            '{"action":"auctions.bid.accepted","actor":"bidder","object":'
                || to_json('auctions.bid:' || v_bid::text)::text || ',"payload":' || v_payload || ',"seq":');
        v_bid := NULL;
        RETURN QUERY SELECT i, 'accepted'::text, NULL::text, NULL::numeric, v_seq, p_amounts[i], p_numbers[i],
            v_placed, v_countdown, v_lot.status::text;
    END LOOP;
    IF v_accepted THEN
        UPDATE auctions_lot SET bid_count = v_lot.bid_count, last_bid_at = v_lot.last_bid_at,
            current_price = v_lot.current_price, leader_id = v_lot.leader_id,
            countdown_ends_at = v_lot.countdown_ends_at, next_check_at = v_lot.next_check_at
        WHERE id = p_lot;
    ELSIF p_defer_refusals THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
END $$;
"""


def create_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ISOFORMAT_FUNCTION, params=None)
        schema_editor.execute(PLACE_FUNCTION, params=None)


def drop_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS auctions_bids_place", params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS auctions_isoformat", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("auctions", "0001_initial"),
        ("core", "0003_event_payload_canonical_text"),
    ]

    operations = [
        migrations.RunPython(create_functions, drop_functions),
    ]
