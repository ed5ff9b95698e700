-- rejects table
CREATE OR REPLACE TEMP TABLE _rej_7 (_line BIGINT NOT NULL, _column VARCHAR, _reason VARCHAR NOT NULL);

-- rejected rows
SELECT _line, _column, _reason FROM _rej_7 ORDER BY _line;

-- table layout
SELECT * FROM "spend" WHERE 1 = 0;

-- spend: repeated keys
SELECT count(*) FROM (SELECT "date", "channel", "campaign" FROM "spend" WHERE file_id = 7 GROUP BY "date", "channel", "campaign" HAVING count(*) > 1) AS k;

-- spend: sums of repeated keys
CREATE OR REPLACE TEMP TABLE _sum_7 AS SELECT "date", sum("amount") AS "amount", "channel", "campaign", 7 AS file_id, min(source_line) AS source_line FROM "spend" WHERE file_id = 7 GROUP BY "date", "channel", "campaign" HAVING count(*) > 1;

-- spend: reject sums too large to store
INSERT INTO _rej_7 SELECT t.source_line, $1, replace($2, '<sum>', CAST(g."amount" AS VARCHAR)) FROM "spend" t JOIN _sum_7 g ON t."date" = g."date" AND t."channel" IS NOT DISTINCT FROM g."channel" AND t."campaign" IS NOT DISTINCT FROM g."campaign" WHERE t.file_id = 7 AND abs(g."amount") > 99999999999999.9999;

-- spend: delete rows of sums too large
DELETE FROM "spend" t USING _sum_7 g WHERE t.file_id = 7 AND t."date" = g."date" AND t."channel" IS NOT DISTINCT FROM g."channel" AND t."campaign" IS NOT DISTINCT FROM g."campaign" AND abs(g."amount") > 99999999999999.9999;

-- spend: drop sums too large
DELETE FROM _sum_7 WHERE abs("amount") > 99999999999999.9999;

-- spend: delete summed rows
DELETE FROM "spend" t USING _sum_7 g WHERE t.file_id = 7 AND t."date" = g."date" AND t."channel" IS NOT DISTINCT FROM g."channel" AND t."campaign" IS NOT DISTINCT FROM g."campaign";

-- spend: store the sums
INSERT INTO "spend" SELECT * FROM _sum_7;

-- spend: drop the sums
DROP TABLE _sum_7;

-- spend: replace rows stored earlier
DELETE FROM "spend" t USING (SELECT DISTINCT "date", "channel", "campaign" FROM "spend" WHERE file_id = 7) g WHERE t.file_id <> 7 AND t."date" = g."date" AND t."channel" IS NOT DISTINCT FROM g."channel" AND t."campaign" IS NOT DISTINCT FROM g."campaign";

-- deals: keys with conflicting content
CREATE OR REPLACE TEMP TABLE _conf_7 AS
SELECT "deal_id", array_to_string(list_slice(list(source_line ORDER BY source_line), 1, 6), ', ') AS lines
FROM "deals" WHERE file_id = 7 GROUP BY "deal_id" HAVING count(DISTINCT row("created_at", "status", "closed_at", "amount", "currency", "lead_id", "customer_id", "owner", "service_line", "segment", "region", "stage", "lost_reason")) > 1;

-- deals: reject conflicting rows
INSERT INTO _rej_7 SELECT t.source_line, $1, replace(replace($2, '<key>', g."deal_id"), '<lines>', g.lines) FROM "deals" t JOIN _conf_7 g ON t."deal_id" = g."deal_id" WHERE t.file_id = 7;

-- deals: delete conflicting rows
DELETE FROM "deals" t USING _conf_7 g WHERE t.file_id = 7 AND t."deal_id" = g."deal_id";

-- deals: drop conflicts
DROP TABLE _conf_7;

-- deals: merge identical copies
DELETE FROM "deals" WHERE true AND file_id = 7 AND rowid NOT IN (SELECT min(rowid) FROM "deals" WHERE true AND file_id = 7 GROUP BY "deal_id");

-- deals: rows of other files exist
SELECT count(*) FROM (SELECT 1 FROM "deals" WHERE file_id <> 7 LIMIT 1) AS o;

-- deals: replace rows stored earlier
DELETE FROM "deals" t USING (SELECT DISTINCT "deal_id" FROM "deals" WHERE file_id = 7) g WHERE t.file_id <> 7 AND t."deal_id" = g."deal_id";

-- deals: warned rows
INSERT INTO _wrn_3 SELECT $1, s.source_line, $2, $3 FROM "deals" s WHERE s.file_id = 7 AND "closed_at" < "created_at";

-- deals: first warned lines
SELECT line FROM _wrn_3 WHERE file = $1 AND column_name = $2 AND warning = $3 ORDER BY line LIMIT 5;

-- deals: dry-run preview
SELECT "deal_id", "created_at", "status", "closed_at", "amount", "currency", "lead_id", "customer_id", "owner", "service_line", "segment", "region", "stage", "lost_reason" FROM "deals" WHERE file_id = 7 ORDER BY source_line LIMIT 5;

-- deal_stages: merge identical copies
DELETE FROM "deal_stages" WHERE true AND file_id = 7 AND rowid NOT IN (SELECT min(rowid) FROM "deal_stages" WHERE true AND file_id = 7 GROUP BY "deal_id", "stage", "entered_at");

-- deal_stages: replace rows stored earlier
DELETE FROM "deal_stages" t USING (SELECT DISTINCT "deal_id", "stage", "entered_at" FROM "deal_stages" WHERE file_id = 7) g WHERE t.file_id <> 7 AND t."deal_id" = g."deal_id" AND t."stage" = g."stage" AND t."entered_at" = g."entered_at";

-- warnings table
CREATE OR REPLACE TEMP TABLE _wrn_3 (file VARCHAR, line BIGINT, column_name VARCHAR, warning VARCHAR);

-- warnings file
SELECT file, line, column_name AS column, warning FROM _wrn_3 ORDER BY file, line;

-- import id
SELECT nextval('import_ids');

-- file id
SELECT nextval('import_file_ids');

-- log the import
INSERT INTO imports VALUES ($1, $2, $3, $4, $5, $6, $7);

-- log a file
INSERT INTO import_files VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- is an import committed
SELECT count(*) FROM imports WHERE import_id = $1;

-- status: last imports
SELECT i.import_id, i.finished_at, i.rows_read, i.rows_stored, i.rows_rejected, string_agg(f.path, '
' ORDER BY f.path) FROM imports i LEFT JOIN import_files f ON f.import_id = i.import_id GROUP BY i.import_id, i.finished_at, i.rows_read, i.rows_stored, i.rows_rejected ORDER BY i.import_id DESC LIMIT $1;

