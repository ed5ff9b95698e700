-- write a setting, replacing its earlier value
INSERT INTO saleskpi.saleskpi_meta (workspace_id, key, value) VALUES (1, $1, $2) ON CONFLICT (workspace_id, key) DO UPDATE SET value = EXCLUDED.value;

-- read a setting
SELECT value FROM saleskpi_meta WHERE key = $1;

-- store a KPI-system version
INSERT INTO kpi_config_versions (version, applied_at, effective_from, author, reason, document) VALUES ($1, $2, $3, $4, $5, $6);

-- snapshot id
SELECT nextval('saleskpi.snapshot_ids_w1');

-- store a snapshot
INSERT INTO kpi_snapshots (snapshot_id, taken_at, period, period_start, as_of, config_version, by_dims, document, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- history of totals
SELECT snapshot_id, taken_at, period, period_start, slice, value, target, status, config_version FROM (
  SELECT s.snapshot_id, s.taken_at, s.period, s.period_start, v.slice, v.value, v.target, v.status, s.config_version,
         row_number() OVER (PARTITION BY s.period, v.slice ORDER BY s.snapshot_id DESC) AS latest
  FROM kpi_snapshot_values v JOIN kpi_snapshots s ON s.snapshot_id = v.snapshot_id
  WHERE v.kpi = $1 AND v.slice = '') t
WHERE latest = 1
ORDER BY period_start, length(period), slice;

-- history by one dimension
SELECT snapshot_id, taken_at, period, period_start, slice, value, target, status, config_version FROM (
  SELECT s.snapshot_id, s.taken_at, s.period, s.period_start, v.slice, v.value, v.target, v.status, s.config_version,
         row_number() OVER (PARTITION BY s.period, v.slice ORDER BY s.snapshot_id DESC) AS latest
  FROM kpi_snapshot_values v JOIN kpi_snapshots s ON s.snapshot_id = v.snapshot_id
  WHERE v.kpi = $1 AND v.slice LIKE $2 AND v.slice NOT LIKE '%,channel=%' AND v.slice NOT LIKE '%,campaign=%' AND v.slice NOT LIKE '%,owner=%' AND v.slice NOT LIKE '%,segment=%' AND v.slice NOT LIKE '%,region=%' AND v.slice NOT LIKE '%,industry=%' AND v.slice NOT LIKE '%,service_line=%') t
WHERE latest = 1
ORDER BY period_start, length(period), slice;

-- migration 3: sequence import_ids on a new workspace
CREATE SEQUENCE IF NOT EXISTS saleskpi.import_ids START WITH 1;

-- migration 3: sequence import_file_ids on a new workspace
CREATE SEQUENCE IF NOT EXISTS saleskpi.import_file_ids START WITH 1;

-- migration 3: sequence snapshot_ids on a new workspace
CREATE SEQUENCE IF NOT EXISTS saleskpi.snapshot_ids START WITH 1;

