-- family customers: aggregates per bucket
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= @asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= @pstart AND churned_at < @pend) GROUP BY customer_id),
cu AS (SELECT c.customer_id, c.acquired_at AS a, CASE WHEN c.churned_at <= @asof THEN c.churned_at END AS x FROM customers c WHERE c.acquired_at <= @asof AND (c.churned_at IS NULL OR c.churned_at >= @pstart OR c.churned_at > @asof)),
ev AS (SELECT a AS t, 1 AS da, 1 AS dn FROM cu UNION ALL SELECT greatest(a, x), -1, 0 FROM cu WHERE x IS NOT NULL),
th AS (SELECT DISTINCT t FROM (SELECT s AS t FROM _bk UNION ALL SELECT least(e, @asof) FROM _bk UNION ALL SELECT e FROM _bk) m),
iv AS (SELECT lag(t) OVER (ORDER BY t) AS lo, t AS hi FROM th UNION ALL SELECT max(t), CAST(NULL AS TIMESTAMP) FROM th),
ag AS (SELECT iv.hi, sum(ev.da) AS da, sum(ev.dn) AS dn FROM ev JOIN iv ON (ev.t >= iv.lo OR iv.lo IS NULL) AND (ev.t < iv.hi OR iv.hi IS NULL) GROUP BY iv.hi),
lv AS (SELECT bk.b, sum(da) FILTER (WHERE hi <= bk.s) AS "start", sum(da) FILTER (WHERE hi <= least(bk.e, @asof)) AS "end", sum(dn) FILTER (WHERE hi <= bk.e) AS n FROM ag, _bk bk GROUP BY bk.b),
ch AS (SELECT bk.b, count(*) FILTER (WHERE c.a < bk.s) AS "lost", count(*) AS "churned", sum(coalesce(gp.profit, 0)) AS "realized_sum", stddev_samp(coalesce(gp.profit, 0)) AS "realized_sd" FROM cu c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', c.x) / 900) AS BIGINT) AND c.x >= @pstart AND c.x < @pend WHERE c.a < bk.e GROUP BY bk.b)
SELECT lv.b, CAST(coalesce(lv."start", 0) AS BIGINT) AS "start", CAST(coalesce(lv."end", 0) AS BIGINT) AS "end", coalesce(ch."lost", 0) AS "lost", coalesce(ch."churned", 0) AS "churned", ch."realized_sum", ch."realized_sd" FROM lv LEFT JOIN ch ON ch.b = lv.b WHERE lv.n > 0;

-- family customers: aggregates per bucket, total and by channel
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= @asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= @pstart AND churned_at < @pend) GROUP BY customer_id),
cu AS (SELECT c.customer_id, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.acquired_at AS a, CASE WHEN c.churned_at <= @asof THEN c.churned_at END AS x FROM customers c WHERE c.acquired_at <= @asof AND (c.churned_at IS NULL OR c.churned_at >= @pstart OR c.churned_at > @asof)),
ev AS (SELECT "dim_channel", a AS t, 1 AS da, 1 AS dn FROM cu UNION ALL SELECT "dim_channel", greatest(a, x), -1, 0 FROM cu WHERE x IS NOT NULL),
th AS (SELECT DISTINCT t FROM (SELECT s AS t FROM _bk UNION ALL SELECT least(e, @asof) FROM _bk UNION ALL SELECT e FROM _bk) m),
iv AS (SELECT lag(t) OVER (ORDER BY t) AS lo, t AS hi FROM th UNION ALL SELECT max(t), CAST(NULL AS TIMESTAMP) FROM th),
ag AS (SELECT ev."dim_channel", iv.hi, sum(ev.da) AS da, sum(ev.dn) AS dn FROM ev JOIN iv ON (ev.t >= iv.lo OR iv.lo IS NULL) AND (ev.t < iv.hi OR iv.hi IS NULL) GROUP BY ev."dim_channel", iv.hi),
lv AS (SELECT bk.b, "dim_channel", sum(da) FILTER (WHERE hi <= bk.s) AS "start", sum(da) FILTER (WHERE hi <= least(bk.e, @asof)) AS "end", sum(dn) FILTER (WHERE hi <= bk.e) AS n FROM ag, _bk bk GROUP BY GROUPING SETS ((bk.b), (bk.b, "dim_channel"))),
ch AS (SELECT bk.b, c."dim_channel", count(*) FILTER (WHERE c.a < bk.s) AS "lost", count(*) AS "churned", sum(coalesce(gp.profit, 0)) AS "realized_sum", stddev_samp(coalesce(gp.profit, 0)) AS "realized_sd" FROM cu c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', c.x) / 900) AS BIGINT) AND c.x >= @pstart AND c.x < @pend WHERE c.a < bk.e GROUP BY GROUPING SETS ((bk.b), (bk.b, "dim_channel")))
SELECT lv.b, lv."dim_channel", CAST(coalesce(lv."start", 0) AS BIGINT) AS "start", CAST(coalesce(lv."end", 0) AS BIGINT) AS "end", coalesce(ch."lost", 0) AS "lost", coalesce(ch."churned", 0) AS "churned", ch."realized_sum", ch."realized_sd" FROM lv LEFT JOIN ch ON ch.b = lv.b AND ch."dim_channel" IS NOT DISTINCT FROM lv."dim_channel" WHERE lv.n > 0;

-- family customers: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= @asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= @pstart AND churned_at < @pend) GROUP BY customer_id),
cu AS (SELECT c.customer_id, c.acquired_at AS a, CASE WHEN c.churned_at <= @asof THEN c.churned_at END AS x FROM customers c WHERE c.acquired_at <= @asof AND (c.churned_at IS NULL OR c.churned_at >= @pstart OR c.churned_at > @asof)),
ev AS (SELECT a AS t, 1 AS da, 1 AS dn FROM cu UNION ALL SELECT greatest(a, x), -1, 0 FROM cu WHERE x IS NOT NULL),
th AS (SELECT DISTINCT t FROM (SELECT s AS t FROM _bk UNION ALL SELECT least(e, @asof) FROM _bk UNION ALL SELECT e FROM _bk) m),
iv AS (SELECT lag(t) OVER (ORDER BY t) AS lo, t AS hi FROM th UNION ALL SELECT max(t), CAST(NULL AS TIMESTAMP) FROM th),
ag AS (SELECT iv.hi, sum(ev.da) AS da, sum(ev.dn) AS dn FROM ev JOIN iv ON (ev.t >= iv.lo OR iv.lo IS NULL) AND (ev.t < iv.hi OR iv.hi IS NULL) GROUP BY iv.hi),
lv AS (SELECT bk.b, sum(da) FILTER (WHERE hi <= bk.s) AS "start", sum(da) FILTER (WHERE hi <= least(bk.e, @asof)) AS "end", sum(dn) FILTER (WHERE hi <= bk.e) AS n FROM ag, _bk bk GROUP BY bk.b),
ch AS (SELECT bk.b, count(*) FILTER (WHERE c.a < bk.s) AS "lost", count(*) AS "churned", sum(coalesce(gp.profit, 0)) AS "realized_sum", stddev_samp(coalesce(gp.profit, 0)) AS "realized_sd" FROM cu c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bk bk ON c.x >= bk.s AND c.x < bk.e AND c.x >= @pstart AND c.x < @pend WHERE c.a < bk.e GROUP BY bk.b)
SELECT lv.b, CAST(coalesce(lv."start", 0) AS BIGINT) AS "start", CAST(coalesce(lv."end", 0) AS BIGINT) AS "end", coalesce(ch."lost", 0) AS "lost", coalesce(ch."churned", 0) AS "churned", ch."realized_sum", ch."realized_sd" FROM lv LEFT JOIN ch ON ch.b = lv.b WHERE lv.n > 0;

-- family customers: explain rows of one channel, at most 21
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= @asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= @pstart AND churned_at < @pend) GROUP BY customer_id),
rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.customer_id AS "customer_id", c.acquired_at AS "acquired_at", CASE WHEN c.churned_at <= @asof THEN c.churned_at END AS "churned_at", c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > @asof OR c.churned_at >= bk.s) AS "active_at_start", c.acquired_at < least(bk.e, @asof) AND (c.churned_at IS NULL OR c.churned_at > @asof OR c.churned_at >= least(bk.e, @asof)) AS "active_at_end", coalesce(c.churned_at <= @asof AND c.churned_at >= bk.s AND c.churned_at < bk.e, false) AS "churned_in_period", coalesce(gp.profit, 0) AS "lifetime_profit"
FROM customers c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bk bk ON (c.acquired_at < bk.e OR bk.e IS NULL) AND c.acquired_at <= @asof
WHERE (c.churned_at IS NULL OR c.churned_at >= @pstart OR c.churned_at > @asof))
SELECT * FROM rows WHERE b = 0 AND "dim_channel" = @slice_channel ORDER BY customer_id LIMIT 21;

-- family customers: pruned to what retention_rate reads, total and by channel
WITH cu AS (SELECT c.customer_id, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.acquired_at AS a, CASE WHEN c.churned_at <= @asof THEN c.churned_at END AS x FROM customers c WHERE c.acquired_at <= @asof AND (c.churned_at IS NULL OR c.churned_at >= @pstart OR c.churned_at > @asof)),
ev AS (SELECT "dim_channel", a AS t, 1 AS da, 1 AS dn FROM cu UNION ALL SELECT "dim_channel", greatest(a, x), -1, 0 FROM cu WHERE x IS NOT NULL),
th AS (SELECT DISTINCT t FROM (SELECT s AS t FROM _bk UNION ALL SELECT least(e, @asof) FROM _bk UNION ALL SELECT e FROM _bk) m),
iv AS (SELECT lag(t) OVER (ORDER BY t) AS lo, t AS hi FROM th UNION ALL SELECT max(t), CAST(NULL AS TIMESTAMP) FROM th),
ag AS (SELECT ev."dim_channel", iv.hi, sum(ev.da) AS da, sum(ev.dn) AS dn FROM ev JOIN iv ON (ev.t >= iv.lo OR iv.lo IS NULL) AND (ev.t < iv.hi OR iv.hi IS NULL) GROUP BY ev."dim_channel", iv.hi),
lv AS (SELECT bk.b, "dim_channel", sum(da) FILTER (WHERE hi <= bk.s) AS "start", sum(da) FILTER (WHERE hi <= least(bk.e, @asof)) AS "end", sum(dn) FILTER (WHERE hi <= bk.e) AS n FROM ag, _bk bk GROUP BY GROUPING SETS ((bk.b), (bk.b, "dim_channel"))),
ch AS (SELECT bk.b, c."dim_channel", count(*) FILTER (WHERE c.a < bk.s) AS "lost", count(*) AS "churned", sum(0) AS "realized_sum", stddev_samp(0) AS "realized_sd" FROM cu c JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', c.x) / 900) AS BIGINT) AND c.x >= @pstart AND c.x < @pend WHERE c.a < bk.e GROUP BY GROUPING SETS ((bk.b), (bk.b, "dim_channel")))
SELECT lv.b, lv."dim_channel", CAST(coalesce(lv."start", 0) AS BIGINT) AS "start", coalesce(ch."lost", 0) AS "lost" FROM lv LEFT JOIN ch ON ch.b = lv.b AND ch."dim_channel" IS NOT DISTINCT FROM lv."dim_channel" WHERE lv.n > 0;

