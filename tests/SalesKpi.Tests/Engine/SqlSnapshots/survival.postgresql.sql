-- durations by state
WITH c AS (
  SELECT CASE WHEN status IN ('won', 'lost') AND closed_at <= @asof THEN status ELSE 'open' END AS state, created_at, closed_at
  FROM deals WHERE created_at >= @s AND created_at < @e AND created_at <= @asof)
SELECT state,
       CAST(round(CAST(greatest(0, (date_part('epoch', CASE WHEN state = 'won' THEN closed_at ELSE @asof END) - date_part('epoch', created_at))) / 86400.0 AS NUMERIC), 1) AS DOUBLE PRECISION) AS days,
       count(*)
FROM c GROUP BY state, days;

-- plain mean and median of the won deals
SELECT avg(t.d), percentile_cont(0.5) WITHIN GROUP (ORDER BY t.d) FROM (
  SELECT greatest(0, (date_part('epoch', closed_at) - date_part('epoch', created_at))) / 86400.0 AS d FROM deals
  WHERE created_at >= @s AND created_at < @e AND created_at <= @asof AND status = 'won' AND closed_at <= @asof) t;

