-- family nps: aggregates per bucket
WITH rows AS (SELECT bk.b, n.response_id AS "response_id", n.responded_at AS "responded_at", n.score AS "score", n.customer_id AS "customer_id"
FROM nps n LEFT JOIN customers c ON c.customer_id = n.customer_id AND c.acquired_at <= @asof JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', n.responded_at) / 900) AS BIGINT) AND n.responded_at >= @pstart AND n.responded_at < @pend AND n.responded_at <= @asof)
SELECT b, count(*) AS "answers", count(*) FILTER (WHERE score >= 9) AS "promoters", count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS "passives", count(*) FILTER (WHERE score <= 6) AS "detractors" FROM rows GROUP BY b;

-- family nps: aggregates per bucket, total and by channel
WITH rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", n.response_id AS "response_id", n.responded_at AS "responded_at", n.score AS "score", n.customer_id AS "customer_id"
FROM nps n LEFT JOIN customers c ON c.customer_id = n.customer_id AND c.acquired_at <= @asof JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', n.responded_at) / 900) AS BIGINT) AND n.responded_at >= @pstart AND n.responded_at < @pend AND n.responded_at <= @asof)
SELECT b, "dim_channel", count(*) AS "answers", count(*) FILTER (WHERE score >= 9) AS "promoters", count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS "passives", count(*) FILTER (WHERE score <= 6) AS "detractors" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_channel"));

-- family nps: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH rows AS (SELECT bk.b, n.response_id AS "response_id", n.responded_at AS "responded_at", n.score AS "score", n.customer_id AS "customer_id"
FROM nps n LEFT JOIN customers c ON c.customer_id = n.customer_id AND c.acquired_at <= @asof JOIN _bk bk ON n.responded_at >= bk.s AND n.responded_at < bk.e AND n.responded_at >= @pstart AND n.responded_at < @pend AND n.responded_at <= @asof)
SELECT b, count(*) AS "answers", count(*) FILTER (WHERE score >= 9) AS "promoters", count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS "passives", count(*) FILTER (WHERE score <= 6) AS "detractors" FROM rows GROUP BY b;

-- family nps: explain rows of one channel, at most 21
WITH rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", n.response_id AS "response_id", n.responded_at AS "responded_at", n.score AS "score", n.customer_id AS "customer_id"
FROM nps n LEFT JOIN customers c ON c.customer_id = n.customer_id AND c.acquired_at <= @asof JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', n.responded_at) / 900) AS BIGINT) AND n.responded_at >= @pstart AND n.responded_at < @pend AND n.responded_at <= @asof)
SELECT * FROM rows WHERE b = 0 AND "dim_channel" = @slice_channel ORDER BY responded_at, response_id LIMIT 21;

