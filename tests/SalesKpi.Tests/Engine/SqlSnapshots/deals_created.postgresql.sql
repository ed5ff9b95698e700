-- family deals_created: aggregates per bucket
WITH rows AS (SELECT bk.b, d.deal_id AS "deal_id", d.created_at AS "created_at", CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= @asof THEN d.status ELSE 'open' END AS "status_as_of", CASE WHEN d.closed_at <= @asof THEN d.closed_at END AS "closed_at"
FROM deals d JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', d.created_at) / 900) AS BIGINT) AND d.created_at >= @pstart AND d.created_at < @pend AND d.created_at <= @asof LEFT JOIN deal_leads dl ON dl.deal_id = d.deal_id AND dl.lead_created_at <= @asof)
SELECT b, count(*) AS "created", count(*) FILTER (WHERE status_as_of = 'won') AS "won", count(*) FILTER (WHERE status_as_of = 'lost') AS "lost" FROM rows GROUP BY b;

-- family deals_created: aggregates per bucket, total and by channel
WITH rows AS (SELECT bk.b, coalesce(CAST(dl.lead_channel AS VARCHAR), '(none)') AS "dim_channel", d.deal_id AS "deal_id", d.created_at AS "created_at", CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= @asof THEN d.status ELSE 'open' END AS "status_as_of", CASE WHEN d.closed_at <= @asof THEN d.closed_at END AS "closed_at"
FROM deals d JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', d.created_at) / 900) AS BIGINT) AND d.created_at >= @pstart AND d.created_at < @pend AND d.created_at <= @asof LEFT JOIN deal_leads dl ON dl.deal_id = d.deal_id AND dl.lead_created_at <= @asof)
SELECT b, "dim_channel", count(*) AS "created", count(*) FILTER (WHERE status_as_of = 'won') AS "won", count(*) FILTER (WHERE status_as_of = 'lost') AS "lost" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_channel"));

-- family deals_created: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH rows AS (SELECT bk.b, d.deal_id AS "deal_id", d.created_at AS "created_at", CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= @asof THEN d.status ELSE 'open' END AS "status_as_of", CASE WHEN d.closed_at <= @asof THEN d.closed_at END AS "closed_at"
FROM deals d JOIN _bk bk ON d.created_at >= bk.s AND d.created_at < bk.e AND d.created_at >= @pstart AND d.created_at < @pend AND d.created_at <= @asof LEFT JOIN deal_leads dl ON dl.deal_id = d.deal_id AND dl.lead_created_at <= @asof)
SELECT b, count(*) AS "created", count(*) FILTER (WHERE status_as_of = 'won') AS "won", count(*) FILTER (WHERE status_as_of = 'lost') AS "lost" FROM rows GROUP BY b;

-- family deals_created: explain rows of one channel, at most 21
WITH rows AS (SELECT bk.b, coalesce(CAST(dl.lead_channel AS VARCHAR), '(none)') AS "dim_channel", d.deal_id AS "deal_id", d.created_at AS "created_at", CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= @asof THEN d.status ELSE 'open' END AS "status_as_of", CASE WHEN d.closed_at <= @asof THEN d.closed_at END AS "closed_at"
FROM deals d JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', d.created_at) / 900) AS BIGINT) AND d.created_at >= @pstart AND d.created_at < @pend AND d.created_at <= @asof LEFT JOIN deal_leads dl ON dl.deal_id = d.deal_id AND dl.lead_created_at <= @asof)
SELECT * FROM rows WHERE b = 0 AND "dim_channel" = @slice_channel ORDER BY created_at, deal_id LIMIT 21;

-- family deals_created: pruned to what win_rate reads, total and by channel
WITH rows AS (SELECT bk.b, coalesce(CAST(dl.lead_channel AS VARCHAR), '(none)') AS "dim_channel", CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= @asof THEN d.status ELSE 'open' END AS "status_as_of"
FROM deals d JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', d.created_at) / 900) AS BIGINT) AND d.created_at >= @pstart AND d.created_at < @pend AND d.created_at <= @asof LEFT JOIN deal_leads dl ON dl.deal_id = d.deal_id AND dl.lead_created_at <= @asof)
SELECT b, "dim_channel", count(*) FILTER (WHERE status_as_of = 'won') AS "won", count(*) FILTER (WHERE status_as_of = 'lost') AS "lost" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_channel"));

