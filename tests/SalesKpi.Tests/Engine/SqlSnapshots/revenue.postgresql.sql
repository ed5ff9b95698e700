-- family revenue: aggregates per bucket
WITH rows AS (SELECT bk.b, r.invoice_id AS "invoice_id", r.customer_id AS "customer_id", r.date AS "date", r.amount AS "amount", coalesce(r.cost, 0) AS "cost", r.amount - coalesce(r.cost, 0) AS "profit"
FROM revenue r LEFT JOIN customers c ON c.customer_id = r.customer_id AND c.acquired_at <= @asof JOIN _bd bk ON bk.d = r.date AND r.date <= @asof_date)
SELECT b, sum(profit) AS "gross_profit", count(*) AS "invoices" FROM rows GROUP BY b;

-- family revenue: aggregates per bucket, total and by channel
WITH rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", r.invoice_id AS "invoice_id", r.customer_id AS "customer_id", r.date AS "date", r.amount AS "amount", coalesce(r.cost, 0) AS "cost", r.amount - coalesce(r.cost, 0) AS "profit"
FROM revenue r LEFT JOIN customers c ON c.customer_id = r.customer_id AND c.acquired_at <= @asof JOIN _bd bk ON bk.d = r.date AND r.date <= @asof_date)
SELECT b, "dim_channel", sum(profit) AS "gross_profit", count(*) AS "invoices" FROM rows GROUP BY GROUPING SETS ((b), (b, "dim_channel"));

-- family revenue: aggregates per bucket, buckets off the quarter-hour grid (range join)
WITH rows AS (SELECT bk.b, r.invoice_id AS "invoice_id", r.customer_id AS "customer_id", r.date AS "date", r.amount AS "amount", coalesce(r.cost, 0) AS "cost", r.amount - coalesce(r.cost, 0) AS "profit"
FROM revenue r LEFT JOIN customers c ON c.customer_id = r.customer_id AND c.acquired_at <= @asof JOIN _bd bk ON bk.d = r.date AND r.date <= @asof_date)
SELECT b, sum(profit) AS "gross_profit", count(*) AS "invoices" FROM rows GROUP BY b;

-- family revenue: explain rows of one channel, at most 21
WITH rows AS (SELECT bk.b, coalesce(CAST(c.channel AS VARCHAR), '(none)') AS "dim_channel", r.invoice_id AS "invoice_id", r.customer_id AS "customer_id", r.date AS "date", r.amount AS "amount", coalesce(r.cost, 0) AS "cost", r.amount - coalesce(r.cost, 0) AS "profit"
FROM revenue r LEFT JOIN customers c ON c.customer_id = r.customer_id AND c.acquired_at <= @asof JOIN _bd bk ON bk.d = r.date AND r.date <= @asof_date)
SELECT * FROM rows WHERE b = 0 AND "dim_channel" = @slice_channel ORDER BY date, invoice_id LIMIT 21;

