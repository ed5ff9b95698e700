-- family spend: aggregates per bucket
WITH rows AS (SELECT bk.b, s.date AS "date", s.channel AS "channel", s.campaign AS "campaign", s.amount AS "amount"
FROM spend s JOIN _bd bk ON bk.d = s.date AND s.date <= @asof_date)
SELECT b, sum(amount) AS "spend", count(*) AS "rows" FROM rows GROUP BY b;

-- family spend: aggregates per bucket, total and by campaign
WITH rows AS (SELECT bk.b, coalesce(CAST(s.campaign AS VARCHAR), '(none)') AS "dim_campaign", s.date AS "date", s.channel AS "channel", s.campaign AS "campaign", s.amount AS "amount"
FROM spend s JOIN _bd bk ON bk.d = s.date AND s.date <= @asof_date)
SELECT b, "dim_campaign", sum(amount) AS "spend", count(*) AS "rows" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_campaign"));

-- family spend: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH rows AS (SELECT bk.b, s.date AS "date", s.channel AS "channel", s.campaign AS "campaign", s.amount AS "amount"
FROM spend s JOIN _bd bk ON bk.d = s.date AND s.date <= @asof_date)
SELECT b, sum(amount) AS "spend", count(*) AS "rows" FROM rows GROUP BY b;

-- family spend: explain rows of one campaign, at most 21
WITH rows AS (SELECT bk.b, coalesce(CAST(s.campaign AS VARCHAR), '(none)') AS "dim_campaign", s.date AS "date", s.channel AS "channel", s.campaign AS "campaign", s.amount AS "amount"
FROM spend s JOIN _bd bk ON bk.d = s.date AND s.date <= @asof_date)
SELECT * FROM rows WHERE b = 0 AND "dim_campaign" = @slice_campaign ORDER BY date, channel, campaign LIMIT 21;

