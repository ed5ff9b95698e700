-- buckets
CREATE OR REPLACE TEMP TABLE _bk (b INTEGER, s TIMESTAMP, e TIMESTAMP, sd DATE, ed DATE);

-- days of the buckets
CREATE OR REPLACE TEMP TABLE _bd AS SELECT CAST(sd + CAST(t.i AS INTEGER) AS DATE) AS d, b, s, e, sd, ed FROM _bk, range(0, CAST(ed - sd AS BIGINT)) t(i);

-- quarter-hours of the buckets
CREATE OR REPLACE TEMP TABLE _bq AS SELECT k, b, s, e, sd, ed FROM _bk, range(CAST(floor(epoch(s) / 900) AS BIGINT), CAST(floor(epoch(e) / 900) AS BIGINT)) t(k);

-- quarter-hours of the buckets, a boundary off the grid
CREATE OR REPLACE TEMP TABLE _bq AS SELECT CAST(0 AS BIGINT) AS k, b, s, e, sd, ed FROM _bk WHERE false;

-- working time per quarter-hour (business calendar)
CREATE OR REPLACE TEMP TABLE _wh AS
WITH q AS (SELECT k, k * 900.0 AS bs FROM range($qfrom, $qto) t(k)),
part AS (SELECT q.k,
                CASE WHEN s.o IS NULL THEN q.bs ELSE greatest(q.bs, s.o) END AS o,
                CASE WHEN s.o IS NULL THEN q.bs ELSE least(q.bs + 900, s.c) END AS c
         FROM q LEFT JOIN _ws s ON s.o < q.bs + 900 AND s.c > q.bs)
SELECT k, coalesce(sum(c - o) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum, o, c FROM part;

-- rows per entity known at as-of
SELECT (SELECT count(*) FROM (SELECT 1 FROM "leads" WHERE "created_at" <= $asof LIMIT 1) AS "any_leads"), (SELECT count(*) FROM (SELECT 1 FROM "customers" WHERE "acquired_at" <= $asof LIMIT 1) AS "any_customers"), (SELECT count(*) FROM (SELECT 1 FROM "deals" WHERE "created_at" <= $asof LIMIT 1) AS "any_deals"), (SELECT count(*) FROM (SELECT 1 FROM "deal_stages" WHERE "entered_at" <= $asof LIMIT 1) AS "any_deal_stages"), (SELECT count(*) FROM (SELECT 1 FROM "activities" WHERE "occurred_at" <= $asof LIMIT 1) AS "any_activities"), (SELECT count(*) FROM (SELECT 1 FROM "spend" WHERE "date" <= $asof_date LIMIT 1) AS "any_spend"), (SELECT count(*) FROM (SELECT 1 FROM "revenue" WHERE "date" <= $asof_date LIMIT 1) AS "any_revenue"), (SELECT count(*) FROM (SELECT 1 FROM "nps" WHERE "responded_at" <= $asof LIMIT 1) AS "any_nps");

