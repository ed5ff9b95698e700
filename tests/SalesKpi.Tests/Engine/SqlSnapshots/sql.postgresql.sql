-- family sql: aggregates per bucket
WITH opp AS (SELECT lead_id, opportunity_at AS t FROM lead_milestones WHERE opportunity_at <= @asof),
rows AS (SELECT bk.b, l.lead_id AS "lead_id", l.qualified_at AS "qualified_at", opp.t AS "first_deal_at", coalesce((date_part('epoch', opp.t) - date_part('epoch', l.qualified_at)) <= @w_opp, false) AS "to_opportunity"
FROM leads l JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', l.qualified_at) / 900) AS BIGINT) AND l.qualified_at >= @pstart AND l.qualified_at < @pend AND l.qualified_at <= @asof LEFT JOIN opp ON opp.lead_id = l.lead_id)
SELECT b, count(*) AS "n", count(*) FILTER (WHERE to_opportunity) AS "converted" FROM rows GROUP BY b;

-- family sql: aggregates per bucket, total and by campaign
WITH opp AS (SELECT lead_id, opportunity_at AS t FROM lead_milestones WHERE opportunity_at <= @asof),
rows AS (SELECT bk.b, coalesce(CAST(l.campaign AS VARCHAR), '(none)') AS "dim_campaign", l.lead_id AS "lead_id", l.qualified_at AS "qualified_at", opp.t AS "first_deal_at", coalesce((date_part('epoch', opp.t) - date_part('epoch', l.qualified_at)) <= @w_opp, false) AS "to_opportunity"
FROM leads l JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', l.qualified_at) / 900) AS BIGINT) AND l.qualified_at >= @pstart AND l.qualified_at < @pend AND l.qualified_at <= @asof LEFT JOIN opp ON opp.lead_id = l.lead_id)
SELECT b, "dim_campaign", count(*) AS "n", count(*) FILTER (WHERE to_opportunity) AS "converted" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_campaign"));

-- family sql: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH opp AS (SELECT lead_id, opportunity_at AS t FROM lead_milestones WHERE opportunity_at <= @asof),
rows AS (SELECT bk.b, l.lead_id AS "lead_id", l.qualified_at AS "qualified_at", opp.t AS "first_deal_at", coalesce((date_part('epoch', opp.t) - date_part('epoch', l.qualified_at)) <= @w_opp, false) AS "to_opportunity"
FROM leads l JOIN _bk bk ON l.qualified_at >= bk.s AND l.qualified_at < bk.e AND l.qualified_at >= @pstart AND l.qualified_at < @pend AND l.qualified_at <= @asof LEFT JOIN opp ON opp.lead_id = l.lead_id)
SELECT b, count(*) AS "n", count(*) FILTER (WHERE to_opportunity) AS "converted" FROM rows GROUP BY b;

-- family sql: explain rows of one campaign, at most 21
WITH opp AS (SELECT lead_id, opportunity_at AS t FROM lead_milestones WHERE opportunity_at <= @asof),
rows AS (SELECT bk.b, coalesce(CAST(l.campaign AS VARCHAR), '(none)') AS "dim_campaign", l.lead_id AS "lead_id", l.qualified_at AS "qualified_at", opp.t AS "first_deal_at", coalesce((date_part('epoch', opp.t) - date_part('epoch', l.qualified_at)) <= @w_opp, false) AS "to_opportunity"
FROM leads l JOIN _bq bk ON bk.k = CAST(floor(date_part('epoch', l.qualified_at) / 900) AS BIGINT) AND l.qualified_at >= @pstart AND l.qualified_at < @pend AND l.qualified_at <= @asof LEFT JOIN opp ON opp.lead_id = l.lead_id)
SELECT * FROM rows WHERE b = 0 AND "dim_campaign" = @slice_campaign ORDER BY qualified_at, lead_id LIMIT 21;

