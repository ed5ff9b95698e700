-- durations by state
WITH c AS (
  SELECT CASE WHEN status IN ('won', 'lost') AND closed_at <= $asof THEN status ELSE 'open' END AS state, created_at, closed_at
  FROM deals WHERE created_at >= $s AND created_at < $e AND created_at <= $asof)
SELECT state,
       round(greatest(0, (epoch(CASE WHEN state = 'won' THEN closed_at ELSE $asof END) - epoch(created_at))) / 86400.0, 1) AS days,
       count(*)
FROM c GROUP BY state, days;

-- plain mean and median of the won deals
SELECT avg(t.d), quantile_cont(t.d, 0.5) FROM (
  SELECT greatest(0, (epoch(closed_at) - epoch(created_at))) / 86400.0 AS d FROM deals
  WHERE created_at >= $s AND created_at < $e AND created_at <= $asof AND status = 'won' AND closed_at <= $asof) t;

