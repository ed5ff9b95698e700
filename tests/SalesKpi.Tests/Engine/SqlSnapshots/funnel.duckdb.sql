-- lead steps
WITH opp AS (SELECT lead_id, opportunity_at AS t FROM lead_milestones WHERE opportunity_at <= $asof AND (lead_created_at IS NULL OR (lead_created_at >= $s AND lead_created_at < $e AND lead_created_at <= $asof))),
c AS (
  SELECT l.lead_id, CAST(NULL AS VARCHAR) AS d,
         (l.qualified_at <= $asof AND (epoch(l.qualified_at) - epoch(l.created_at)) <= $w_sql) AS is_sql,
         greatest(0, (epoch(l.qualified_at) - epoch(l.created_at))) / 86400.0 AS sql_days,
         opp.t AS opp_at, l.qualified_at
  FROM leads l LEFT JOIN opp ON opp.lead_id = l.lead_id
  WHERE l.created_at >= $s AND l.created_at < $e AND l.created_at <= $asof),
c2 AS (SELECT *, coalesce(is_sql, false) AND opp_at IS NOT NULL AND (epoch(opp_at) - epoch(qualified_at)) <= $w_opp AS is_opp,
              greatest(0, (epoch(opp_at) - epoch(qualified_at))) / 86400.0 AS opp_days FROM c)
SELECT d, count(*), count(*) FILTER (WHERE is_sql), count(*) FILTER (WHERE is_opp),
       quantile_cont(sql_days, 0.5) FILTER (WHERE is_sql), quantile_cont(sql_days, 0.9) FILTER (WHERE is_sql),
       quantile_cont(opp_days, 0.5) FILTER (WHERE is_opp), quantile_cont(opp_days, 0.9) FILTER (WHERE is_opp)
FROM c2 GROUP BY d;

-- lead steps, total and by channel
WITH opp AS (SELECT lead_id, opportunity_at AS t FROM lead_milestones WHERE opportunity_at <= $asof AND (lead_created_at IS NULL OR (lead_created_at >= $s AND lead_created_at < $e AND lead_created_at <= $asof))),
c AS (
  SELECT l.lead_id, coalesce(CAST(l.channel AS VARCHAR), '(none)') AS d,
         (l.qualified_at <= $asof AND (epoch(l.qualified_at) - epoch(l.created_at)) <= $w_sql) AS is_sql,
         greatest(0, (epoch(l.qualified_at) - epoch(l.created_at))) / 86400.0 AS sql_days,
         opp.t AS opp_at, l.qualified_at
  FROM leads l LEFT JOIN opp ON opp.lead_id = l.lead_id
  WHERE l.created_at >= $s AND l.created_at < $e AND l.created_at <= $asof),
c2 AS (SELECT *, coalesce(is_sql, false) AND opp_at IS NOT NULL AND (epoch(opp_at) - epoch(qualified_at)) <= $w_opp AS is_opp,
              greatest(0, (epoch(opp_at) - epoch(qualified_at))) / 86400.0 AS opp_days FROM c)
SELECT d, count(*), count(*) FILTER (WHERE is_sql), count(*) FILTER (WHERE is_opp),
       quantile_cont(sql_days, 0.5) FILTER (WHERE is_sql), quantile_cont(sql_days, 0.9) FILTER (WHERE is_sql),
       quantile_cont(opp_days, 0.5) FILTER (WHERE is_opp), quantile_cont(opp_days, 0.9) FILTER (WHERE is_opp)
FROM c2 GROUP BY GROUPING SETS ((), (d));

-- stage order from the data
SELECT s.stage FROM (SELECT deal_id, stage, min(entered_at) AS first_at FROM deal_stages WHERE entered_at <= $asof GROUP BY deal_id, stage) s
JOIN deals d USING (deal_id)
GROUP BY s.stage ORDER BY quantile_cont((epoch(s.first_at) - epoch(d.created_at)), 0.5), s.stage;

-- furthest stage and state of the cohort deals
WITH cohort AS (
  SELECT d.deal_id, CAST(NULL AS VARCHAR) AS d, CASE WHEN coalesce(d.currency, $currency) = $currency THEN d.amount END AS amount,
         CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= $asof THEN d.status ELSE 'open' END AS state
  FROM deals d LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= $asof
  WHERE d.created_at >= $s AND d.created_at < $e AND d.created_at <= $asof),
far AS (
  SELECT c.deal_id, c.d, c.state, c.amount, coalesce(max(list_position($stages, s.stage)), 0) AS furthest
  FROM cohort c LEFT JOIN deal_stages s ON s.deal_id = c.deal_id AND s.entered_at <= $asof
  GROUP BY c.deal_id, c.d, c.state, c.amount)
SELECT d, furthest, state, count(*), coalesce(sum(amount), 0), count(amount) FROM far GROUP BY furthest, state, d;

-- furthest stage and state, total and by owner
WITH cohort AS (
  SELECT d.deal_id, coalesce(CAST(d.owner AS VARCHAR), '(none)') AS d, CASE WHEN coalesce(d.currency, $currency) = $currency THEN d.amount END AS amount,
         CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= $asof THEN d.status ELSE 'open' END AS state
  FROM deals d LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= $asof
  WHERE d.created_at >= $s AND d.created_at < $e AND d.created_at <= $asof),
far AS (
  SELECT c.deal_id, c.d, c.state, c.amount, coalesce(max(list_position($stages, s.stage)), 0) AS furthest
  FROM cohort c LEFT JOIN deal_stages s ON s.deal_id = c.deal_id AND s.entered_at <= $asof
  GROUP BY c.deal_id, c.d, c.state, c.amount)
SELECT d, furthest, state, count(*), coalesce(sum(amount), 0), count(amount) FROM far GROUP BY GROUPING SETS ((furthest, state), (furthest, state, d));

-- stalled open deals
WITH open_deals AS (
  SELECT deal_id, owner, amount FROM deals
  WHERE created_at <= $asof AND NOT (status IN ('won', 'lost') AND closed_at <= $asof)),
cur AS (
  SELECT s.deal_id, arg_max(s.stage, s.entered_at) AS stage, max(s.entered_at) AS since
  FROM deal_stages s JOIN open_deals o ON o.deal_id = s.deal_id WHERE s.entered_at <= $asof GROUP BY s.deal_id),
late AS (
  SELECT c.deal_id, o.owner, c.stage, (epoch($asof) - epoch(c.since)) / 86400.0 AS days, o.amount,
         list_extract($p90, list_position($stages, c.stage)) AS p90
  FROM cur c JOIN open_deals o ON o.deal_id = c.deal_id
  WHERE list_position($stages, c.stage) IS NOT NULL)
SELECT deal_id, owner, stage, days, p90, amount, count(*) OVER (PARTITION BY stage) AS in_stage
FROM late WHERE days > p90 ORDER BY days / p90 DESC, deal_id;

-- time in each stage
WITH cohort AS (
  SELECT d.deal_id, CAST(NULL AS VARCHAR) AS d, CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= $asof THEN d.closed_at END AS closed
  FROM deals d LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= $asof
  WHERE d.created_at >= $s AND d.created_at < $e AND d.created_at <= $asof),
e AS (
  SELECT s.deal_id, c.d, list_position($stages, s.stage) AS idx, s.entered_at, c.closed,
         lead(s.entered_at) OVER (PARTITION BY s.deal_id ORDER BY s.entered_at) AS next_at
  FROM deal_stages s JOIN cohort c USING (deal_id) WHERE s.entered_at <= $asof),
t AS (
  SELECT d, idx, coalesce(next_at, closed) IS NULL AS censored,
         round(greatest(0, (epoch(coalesce(next_at, closed, $asof)) - epoch(entered_at))) / 3600.0, 1) AS hours
  FROM e WHERE idx IS NOT NULL)
SELECT d, idx, hours, count(*) FILTER (WHERE NOT censored), count(*) FILTER (WHERE censored) FROM t GROUP BY idx, hours, d;

-- time in each stage, total and by channel
WITH cohort AS (
  SELECT d.deal_id, coalesce(CAST(l.channel AS VARCHAR), '(none)') AS d, CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= $asof THEN d.closed_at END AS closed
  FROM deals d LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= $asof
  WHERE d.created_at >= $s AND d.created_at < $e AND d.created_at <= $asof),
e AS (
  SELECT s.deal_id, c.d, list_position($stages, s.stage) AS idx, s.entered_at, c.closed,
         lead(s.entered_at) OVER (PARTITION BY s.deal_id ORDER BY s.entered_at) AS next_at
  FROM deal_stages s JOIN cohort c USING (deal_id) WHERE s.entered_at <= $asof),
t AS (
  SELECT d, idx, coalesce(next_at, closed) IS NULL AS censored,
         round(greatest(0, (epoch(coalesce(next_at, closed, $asof)) - epoch(entered_at))) / 3600.0, 1) AS hours
  FROM e WHERE idx IS NOT NULL)
SELECT d, idx, hours, count(*) FILTER (WHERE NOT censored), count(*) FILTER (WHERE censored) FROM t GROUP BY GROUPING SETS ((idx, hours), (idx, hours, d));

