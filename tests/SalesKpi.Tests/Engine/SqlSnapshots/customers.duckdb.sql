-- family customers: aggregates per bucket
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= $asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= $pstart AND churned_at < $pend) GROUP BY customer_id),
rows AS (SELECT bk.b, c.customer_id AS "customer_id", c.acquired_at AS "acquired_at", CASE WHEN c.churned_at <= $asof THEN c.churned_at END AS "churned_at", c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= bk.s) AS "active_at_start", c.acquired_at < least(bk.e, $asof) AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= least(bk.e, $asof)) AS "active_at_end", coalesce(c.churned_at <= $asof AND c.churned_at >= bk.s AND c.churned_at < bk.e, false) AS "churned_in_period", coalesce(gp.profit, 0) AS "lifetime_profit"
FROM customers c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bk bk ON (c.acquired_at < bk.e OR bk.e IS NULL) AND c.acquired_at <= $asof
WHERE (c.churned_at IS NULL OR c.churned_at >= $pstart OR c.churned_at > $asof))
SELECT b, count(*) FILTER (WHERE active_at_start) AS "start", count(*) FILTER (WHERE active_at_end) AS "end", count(*) FILTER (WHERE active_at_start AND churned_in_period) AS "lost", count(*) FILTER (WHERE churned_in_period) AS "churned", sum(lifetime_profit) FILTER (WHERE churned_in_period) AS "realized_sum", stddev_samp(lifetime_profit) FILTER (WHERE churned_in_period) AS "realized_sd" FROM rows GROUP BY b;

-- family customers: aggregates per bucket, total and by channel
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= $asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= $pstart AND churned_at < $pend) GROUP BY customer_id),
rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.customer_id AS "customer_id", c.acquired_at AS "acquired_at", CASE WHEN c.churned_at <= $asof THEN c.churned_at END AS "churned_at", c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= bk.s) AS "active_at_start", c.acquired_at < least(bk.e, $asof) AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= least(bk.e, $asof)) AS "active_at_end", coalesce(c.churned_at <= $asof AND c.churned_at >= bk.s AND c.churned_at < bk.e, false) AS "churned_in_period", coalesce(gp.profit, 0) AS "lifetime_profit"
FROM customers c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bk bk ON (c.acquired_at < bk.e OR bk.e IS NULL) AND c.acquired_at <= $asof
WHERE (c.churned_at IS NULL OR c.churned_at >= $pstart OR c.churned_at > $asof))
SELECT b, "dim_channel", count(*) FILTER (WHERE active_at_start) AS "start", count(*) FILTER (WHERE active_at_end) AS "end", count(*) FILTER (WHERE active_at_start AND churned_in_period) AS "lost", count(*) FILTER (WHERE churned_in_period) AS "churned", sum(lifetime_profit) FILTER (WHERE churned_in_period) AS "realized_sum", stddev_samp(lifetime_profit) FILTER (WHERE churned_in_period) AS "realized_sd" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_channel"));

-- family customers: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= $asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= $pstart AND churned_at < $pend) GROUP BY customer_id),
rows AS (SELECT bk.b, c.customer_id AS "customer_id", c.acquired_at AS "acquired_at", CASE WHEN c.churned_at <= $asof THEN c.churned_at END AS "churned_at", c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= bk.s) AS "active_at_start", c.acquired_at < least(bk.e, $asof) AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= least(bk.e, $asof)) AS "active_at_end", coalesce(c.churned_at <= $asof AND c.churned_at >= bk.s AND c.churned_at < bk.e, false) AS "churned_in_period", coalesce(gp.profit, 0) AS "lifetime_profit"
FROM customers c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bk bk ON (c.acquired_at < bk.e OR bk.e IS NULL) AND c.acquired_at <= $asof
WHERE (c.churned_at IS NULL OR c.churned_at >= $pstart OR c.churned_at > $asof))
SELECT b, count(*) FILTER (WHERE active_at_start) AS "start", count(*) FILTER (WHERE active_at_end) AS "end", count(*) FILTER (WHERE active_at_start AND churned_in_period) AS "lost", count(*) FILTER (WHERE churned_in_period) AS "churned", sum(lifetime_profit) FILTER (WHERE churned_in_period) AS "realized_sum", stddev_samp(lifetime_profit) FILTER (WHERE churned_in_period) AS "realized_sd" FROM rows GROUP BY b;

-- family customers: explain rows of one channel, at most 21
WITH gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= $asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= $pstart AND churned_at < $pend) GROUP BY customer_id),
rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.customer_id AS "customer_id", c.acquired_at AS "acquired_at", CASE WHEN c.churned_at <= $asof THEN c.churned_at END AS "churned_at", c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= bk.s) AS "active_at_start", c.acquired_at < least(bk.e, $asof) AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= least(bk.e, $asof)) AS "active_at_end", coalesce(c.churned_at <= $asof AND c.churned_at >= bk.s AND c.churned_at < bk.e, false) AS "churned_in_period", coalesce(gp.profit, 0) AS "lifetime_profit"
FROM customers c LEFT JOIN gp ON gp.customer_id = c.customer_id JOIN _bk bk ON (c.acquired_at < bk.e OR bk.e IS NULL) AND c.acquired_at <= $asof
WHERE (c.churned_at IS NULL OR c.churned_at >= $pstart OR c.churned_at > $asof))
SELECT * FROM rows WHERE b = 0 AND "dim_channel" = $slice_channel ORDER BY customer_id LIMIT 21;

-- family customers: pruned to what retention_rate reads, total and by channel
WITH rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= bk.s) AS "active_at_start", coalesce(c.churned_at <= $asof AND c.churned_at >= bk.s AND c.churned_at < bk.e, false) AS "churned_in_period"
FROM customers c JOIN _bk bk ON (c.acquired_at < bk.e OR bk.e IS NULL) AND c.acquired_at <= $asof
WHERE (c.churned_at IS NULL OR c.churned_at >= $pstart OR c.churned_at > $asof))
SELECT b, "dim_channel", count(*) FILTER (WHERE active_at_start) AS "start", count(*) FILTER (WHERE active_at_start AND churned_in_period) AS "lost" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_channel"));

