-- family acquired: aggregates per bucket
WITH rows AS (SELECT bk.b, c.customer_id AS "customer_id", c.acquired_at AS "acquired_at"
FROM customers c JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', c.acquired_at) / 900) AS BIGINT) AND c.acquired_at >= @pstart AND c.acquired_at < @pend AND c.acquired_at <= @asof)
SELECT b, count(*) AS "acquired" FROM rows GROUP BY b;

-- family acquired: aggregates per bucket, total and by channel
WITH rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.customer_id AS "customer_id", c.acquired_at AS "acquired_at"
FROM customers c JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', c.acquired_at) / 900) AS BIGINT) AND c.acquired_at >= @pstart AND c.acquired_at < @pend AND c.acquired_at <= @asof)
SELECT b, "dim_channel", count(*) AS "acquired" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_channel"));

-- family acquired: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH rows AS (SELECT bk.b, c.customer_id AS "customer_id", c.acquired_at AS "acquired_at"
FROM customers c JOIN _bk bk ON c.acquired_at >= bk.s AND c.acquired_at < bk.e AND c.acquired_at >= @pstart AND c.acquired_at < @pend AND c.acquired_at <= @asof)
SELECT b, count(*) AS "acquired" FROM rows GROUP BY b;

-- family acquired: explain rows of one channel, at most 21
WITH rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", c.customer_id AS "customer_id", c.acquired_at AS "acquired_at"
FROM customers c JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', c.acquired_at) / 900) AS BIGINT) AND c.acquired_at >= @pstart AND c.acquired_at < @pend AND c.acquired_at <= @asof)
SELECT * FROM rows WHERE b = 0 AND "dim_channel" = @slice_channel ORDER BY acquired_at, customer_id LIMIT 21;

