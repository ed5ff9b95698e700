using System.Collections.Immutable;
using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>One numbered schema change; <see cref="Statements"/> run in order inside one transaction.</summary>
/// <param name="Version">The schema version the workspace has after this migration.</param>
/// <param name="Description">What the migration does, for the log.</param>
/// <param name="Statements">
/// Builds the SQL statements for a workspace; each is run before the next is asked for, so a statement may
/// depend on data an earlier one (or an earlier migration) left, read through <see cref="MigrationContext.Scalar"/>.
/// </param>
public sealed record Migration(int Version, string Description, Func<MigrationContext, IEnumerable<string>> Statements);

/// <summary>What a migration sees of the workspace it changes.</summary>
/// <param name="Dialect">The engine's dialect.</param>
/// <param name="Scalar">Runs a query inside the migration's transaction and returns its first value (null for none).</param>
public sealed record MigrationContext(ISqlDialect Dialect, Func<string, object?> Scalar);

/// <summary>
/// The id sequences (migration 3). Internal ids come from them, never from <c>max(id) + 1</c>: a sequence hands
/// out each value once even to two writers, while <c>max + 1</c> reuses the id of a deleted or rolled-back row.
/// Ids are increasing but may have gaps.
/// </summary>
public static class IdSequences
{
    /// <summary>Ids of the import log (<c>imports.import_id</c>).</summary>
    public const string Imports = "import_ids";

    /// <summary>Ids of imported files (<c>import_files.file_id</c>, the <c>file_id</c> of every stored row).</summary>
    public const string ImportFiles = "import_file_ids";

    /// <summary>Ids of stored scorecards (<c>kpi_snapshots.snapshot_id</c>).</summary>
    public const string Snapshots = "snapshot_ids";

    /// <summary>Ids of the audit log (<c>audit.id</c>).</summary>
    public const string Audit = "audit_ids";

    /// <summary>Ids of digest subscriptions (<c>digest_subscriptions.id</c>).</summary>
    public const string DigestSubscriptions = "digest_subscription_ids";

    /// <summary>Ids of digest delivery attempts (<c>digest_deliveries.id</c>).</summary>
    public const string DigestDeliveries = "digest_delivery_ids";
}

/// <summary>
/// The ordered schema migrations. A released migration is never edited: a later schema change is a
/// new migration with the next number, so every workspace reaches the same schema by the same steps.
/// </summary>
public static class Migrations
{
    /// <summary>All migrations, in version order starting at 1.</summary>
    public static ImmutableArray<Migration> All { get; } =
    [
        new(1, "canonical entities, import log", V1),
        new(2, "KPI system versions and scorecard snapshots", V2),
        new(3, "id sequences for imports, imported files and snapshots", V3),
        new(4, "server users and personal API tokens", V4),
        new(5, "audit log of changes", V5),
        new(6, "each lead's first outbound touch, derived from leads and activities", V6),
        new(7, "digest subscriptions and delivery attempts", V7),
        new(8, "claims of scheduled digest slots, sign-in attempt windows shared by server processes", V8),
        new(9, "each lead's first touch, first opportunity and first won deal, derived from leads, activities and deals", V9),
        new(10, "each lead's creation beside its milestones, so a period's leads read only their own", V10),
        new(11, "each deal's lead creation and channel, derived from deals and leads", V11),
    ];

    /// <summary>The schema version this build creates and understands.</summary>
    public static int Latest => All[^1].Version;

    // Version 1 is frozen: it spells out the entity columns as they were when it was released, so a
    // later change to EntityCatalog needs its own migration (ALTER TABLE) rather than an edit here.
    private static readonly ImmutableDictionary<string, string> V1Columns = new Dictionary<string, string>
    {
        ["leads"] = "lead_id,created_at,channel,campaign,owner,segment,region,industry,company,company_size,job_title,need,quality_score,first_response_at,qualified_at,disqualified_at,disqualification_reason",
        ["customers"] = "customer_id,acquired_at,churned_at,name,segment,region,channel",
        ["deals"] = "deal_id,created_at,status,closed_at,amount,currency,lead_id,customer_id,owner,service_line,segment,region,stage,lost_reason",
        ["deal_stages"] = "deal_id,stage,entered_at",
        ["activities"] = "activity_id,occurred_at,type,lead_id,deal_id,owner,direction,duration_minutes",
        ["spend"] = "date,amount,channel,campaign",
        ["revenue"] = "invoice_id,customer_id,date,amount,cost",
        ["nps"] = "response_id,responded_at,score,customer_id,comment",
    }.ToImmutableDictionary();

    private static IEnumerable<string> V1(MigrationContext m)
    {
        var d = m.Dialect;
        yield return "CREATE TABLE saleskpi_meta (key VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL)";
        foreach (var entity in EntityCatalog.All)
        {
            var cols = V1Columns[entity.Name].Split(',').Select(name =>
            {
                var c = entity[name];
                return $"{d.Quote(c.Name)} {d.TypeName(c.Type)}{(c.Required ? " NOT NULL" : string.Empty)}";
            });
            // file_id and source_line record where each stored row came from (import_files, line).
            yield return $"CREATE TABLE {d.Quote(entity.Name)} ({string.Join(", ", cols)}, file_id INTEGER NOT NULL, source_line BIGINT NOT NULL)";
        }

        yield return """
            CREATE TABLE imports (
              import_id INTEGER NOT NULL PRIMARY KEY,
              started_at TIMESTAMP NOT NULL,
              finished_at TIMESTAMP NOT NULL,
              strict BOOLEAN NOT NULL,
              rows_read BIGINT NOT NULL,
              rows_stored BIGINT NOT NULL,
              rows_rejected BIGINT NOT NULL)
            """;
        yield return """
            CREATE TABLE import_files (
              file_id INTEGER NOT NULL PRIMARY KEY,
              import_id INTEGER NOT NULL,
              path VARCHAR NOT NULL,
              entity VARCHAR,
              rows_read BIGINT NOT NULL,
              rows_stored BIGINT NOT NULL,
              rows_rejected BIGINT NOT NULL,
              warnings BIGINT NOT NULL,
              rejects_path VARCHAR,
              error VARCHAR)
            """;
    }

    // KPI values are stored as invariant decimal text: exact, and the same in every dialect.
    private static IEnumerable<string> V2(MigrationContext m)
    {
        yield return """
            CREATE TABLE kpi_config_versions (
              version INTEGER NOT NULL PRIMARY KEY,
              applied_at TIMESTAMP NOT NULL,
              effective_from DATE NOT NULL,
              author VARCHAR NOT NULL,
              reason VARCHAR NOT NULL,
              document VARCHAR NOT NULL)
            """;
        yield return """
            CREATE TABLE kpi_snapshots (
              snapshot_id INTEGER NOT NULL PRIMARY KEY,
              taken_at TIMESTAMP NOT NULL,
              period VARCHAR NOT NULL,
              period_start DATE NOT NULL,
              as_of TIMESTAMP NOT NULL,
              config_version INTEGER,
              by_dims VARCHAR NOT NULL,
              document VARCHAR NOT NULL,
              payload VARCHAR NOT NULL)
            """;
        yield return """
            CREATE TABLE kpi_snapshot_values (
              snapshot_id INTEGER NOT NULL,
              kpi VARCHAR NOT NULL,
              slice VARCHAR NOT NULL,
              value VARCHAR,
              target VARCHAR,
              status VARCHAR NOT NULL,
              n BIGINT NOT NULL)
            """;
    }

    // Each sequence starts after the largest id already stored, so a workspace migrated from schema 2 never
    // hands out an id its log or snapshots already hold.
    private static IEnumerable<string> V3(MigrationContext m)
    {
        foreach (var (sequence, table, column) in new[]
        {
            (IdSequences.Imports, "imports", "import_id"),
            (IdSequences.ImportFiles, "import_files", "file_id"),
            (IdSequences.Snapshots, "kpi_snapshots", "snapshot_id"),
        })
        {
            var max = Convert.ToInt64(m.Scalar($"SELECT coalesce(max({column}), 0) FROM {table}") ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
            yield return m.Dialect.CreateSequence(sequence, max + 1);
        }
    }

    // Users of 'saleskpi serve' and their API tokens. Only hashes are stored: the password as ASP.NET Core
    // Identity's hash string, a token as the SHA-256 of its secret, so the file never holds a usable credential.
    private static IEnumerable<string> V4(MigrationContext m)
    {
        yield return """
            CREATE TABLE users (
              name VARCHAR NOT NULL PRIMARY KEY,
              role VARCHAR NOT NULL,
              crm_owner VARCHAR,
              disabled BOOLEAN NOT NULL,
              password_hash VARCHAR,
              failed_attempts INTEGER NOT NULL,
              locked_until TIMESTAMP,
              created_at TIMESTAMP NOT NULL,
              changed_at TIMESTAMP NOT NULL)
            """;
        yield return """
            CREATE TABLE api_tokens (
              prefix VARCHAR NOT NULL PRIMARY KEY,
              user_name VARCHAR NOT NULL,
              secret_hash VARCHAR NOT NULL,
              created_at TIMESTAMP NOT NULL,
              expires_at TIMESTAMP,
              revoked_at TIMESTAMP)
            """;
    }

    // Who changed what, when: one row per change (targets, KPI system, parameters, imports, snapshots, users).
    // details is a JSON object of the change's arguments, kept as text so every dialect stores it alike.
    private static IEnumerable<string> V5(MigrationContext m)
    {
        yield return """
            CREATE TABLE audit (
              id BIGINT NOT NULL PRIMARY KEY,
              at_utc TIMESTAMP NOT NULL,
              user_name VARCHAR NOT NULL,
              action VARCHAR NOT NULL,
              target VARCHAR NOT NULL,
              details VARCHAR NOT NULL)
            """;
        yield return m.Dialect.CreateSequence(IdSequences.Audit, 1);
    }

    // The first touch of each lead, kept by every import instead of being searched for in all activities by each
    // response-time query; filled here from the data already stored. Frozen as released; migration 9 replaces the
    // table by lead_milestones.
    private static IEnumerable<string> V6(MigrationContext m)
    {
        yield return "CREATE TABLE lead_first_touch (lead_id VARCHAR NOT NULL PRIMARY KEY, t TIMESTAMP NOT NULL)";
        yield return "DELETE FROM lead_first_touch";
        yield return """
            INSERT INTO lead_first_touch SELECT a.lead_id, min(a.occurred_at) AS t FROM activities a JOIN leads l ON l.lead_id = a.lead_id
            WHERE a.occurred_at >= l.created_at AND (a.direction IS NULL OR a.direction <> 'inbound')
            GROUP BY a.lead_id
            """;
    }

    // Scheduled digests: who gets which digest on which schedule, and every attempt to deliver one. A delivery's
    // slot_utc is the scheduled moment it answers (null for a digest sent by hand), so a restarted server finds the
    // slots already served; the UNIQUE-free design keeps every attempt, retries included.
    private static IEnumerable<string> V7(MigrationContext m)
    {
        yield return """
            CREATE TABLE digest_subscriptions (
              id BIGINT NOT NULL PRIMARY KEY,
              user_name VARCHAR NOT NULL,
              schedule VARCHAR NOT NULL,
              grain VARCHAR NOT NULL,
              channel VARCHAR NOT NULL,
              recipient VARCHAR NOT NULL,
              lang VARCHAR NOT NULL,
              created_at TIMESTAMP NOT NULL,
              created_by VARCHAR NOT NULL)
            """;
        yield return """
            CREATE TABLE digest_deliveries (
              id BIGINT NOT NULL PRIMARY KEY,
              subscription_id BIGINT,
              slot_utc TIMESTAMP,
              at_utc TIMESTAMP NOT NULL,
              user_name VARCHAR NOT NULL,
              period VARCHAR NOT NULL,
              channel VARCHAR NOT NULL,
              recipient VARCHAR NOT NULL,
              attempt INTEGER NOT NULL,
              status VARCHAR NOT NULL,
              error VARCHAR)
            """;
        yield return m.Dialect.CreateSequence(IdSequences.DigestSubscriptions, 1);
        yield return m.Dialect.CreateSequence(IdSequences.DigestDeliveries, 1);
    }

    // Several server processes on one workspace: a scheduled slot is delivered by the process whose claim row went in
    // first (the key refuses the others), and the sign-in limit counts attempts per client and window in one row that
    // every process adds to.
    private static IEnumerable<string> V8(MigrationContext m)
    {
        yield return """
            CREATE TABLE digest_claims (
              subscription_id BIGINT NOT NULL,
              slot_utc TIMESTAMP NOT NULL,
              claimed_at TIMESTAMP NOT NULL,
              claimed_by VARCHAR NOT NULL,
              PRIMARY KEY (subscription_id, slot_utc))
            """;
        yield return """
            CREATE TABLE sign_in_windows (
              client VARCHAR NOT NULL,
              window_start TIMESTAMP NOT NULL,
              attempts INTEGER NOT NULL,
              PRIMARY KEY (client, window_start))
            """;
    }

    // The first opportunity and the first won deal of each lead join the first touch in one derived table, so the leads
    // family joins one kept table instead of a kept table and a per-query grouping of all won deals, and the SQL cohort
    // and the funnel no longer group all deals per query (docs/benchmarks.md, "Interactive speed, sixth step"). Filled
    // from the data already stored; frozen as released (LeadMilestones.Derived is the import's, and may change later).
    // No key: the rebuild's grouping makes lead_id unique, nothing looks a row up by it, and DuckDB deletes the rows of
    // a keyed table one index entry at a time — a 1 M-lead workspace's import of a single activity spent 20 s there.
    // On PostgreSQL the drop waits for no one: a session of another (older) process still holding its views over
    // lead_first_touch makes it fail, and the whole upgrade with it (PostgresWorkspace says so in the user's words).
    private static IEnumerable<string> V9(MigrationContext m)
    {
        yield return "CREATE TABLE lead_milestones (lead_id VARCHAR NOT NULL, touched_at TIMESTAMP, opportunity_at TIMESTAMP, won_at TIMESTAMP)";
        yield return "DELETE FROM lead_milestones";
        yield return """
            INSERT INTO lead_milestones (lead_id, touched_at, opportunity_at, won_at)
            SELECT coalesce(t.lead_id, d.lead_id) AS lead_id, t.t AS touched_at, d.opp AS opportunity_at, d.won AS won_at
            FROM (SELECT a.lead_id, min(a.occurred_at) AS t FROM activities a JOIN leads l ON l.lead_id = a.lead_id
                  WHERE a.occurred_at >= l.created_at AND (a.direction IS NULL OR a.direction <> 'inbound')
                  GROUP BY a.lead_id) t
            FULL JOIN (SELECT lead_id, min(created_at) AS opp, min(closed_at) FILTER (WHERE status = 'won') AS won
                       FROM deals dl WHERE lead_id IS NOT NULL GROUP BY lead_id) d ON d.lead_id = t.lead_id
            """;
        yield return "DROP TABLE lead_first_touch";
    }

    // The lead's creation beside its milestones: the leads family filters the milestones to the period's leads, and
    // DuckDB then builds its join on them instead of on the period's leads — it had misjudged the leads' side as the
    // smaller one and hashed half a million rows per query (docs/benchmarks.md, "Interactive speed, seventh step").
    // Rows of leads that were never imported go: every query reaches the table from a stored lead. Refilled from the
    // data already stored; frozen as released (LeadMilestones.Derived is the import's, and may change later). Adding
    // a column keeps other processes' session views over the table valid, so unlike migration 9 nothing waits for
    // them to stop.
    private static IEnumerable<string> V10(MigrationContext m)
    {
        yield return "ALTER TABLE lead_milestones ADD COLUMN lead_created_at TIMESTAMP";
        yield return "DELETE FROM lead_milestones";
        yield return """
            INSERT INTO lead_milestones (lead_id, touched_at, opportunity_at, won_at, lead_created_at)
            SELECT l.lead_id, x.touched_at, x.opportunity_at, x.won_at, l.created_at AS lead_created_at
            FROM (SELECT coalesce(t.lead_id, d.lead_id) AS lead_id, t.t AS touched_at, d.opp AS opportunity_at, d.won AS won_at
                  FROM (SELECT a.lead_id, min(a.occurred_at) AS t FROM activities a JOIN leads l ON l.lead_id = a.lead_id
                        WHERE a.occurred_at >= l.created_at AND (a.direction IS NULL OR a.direction <> 'inbound')
                        GROUP BY a.lead_id) t
                  FULL JOIN (SELECT lead_id, min(created_at) AS opp, min(closed_at) FILTER (WHERE status = 'won') AS won
                             FROM deals dl WHERE lead_id IS NOT NULL GROUP BY lead_id) d ON d.lead_id = t.lead_id) x
            JOIN leads l ON l.lead_id = x.lead_id
            """;
    }

    // What the deal families read of a deal's lead, kept per deal: a period's deals join their own rows instead of
    // probing every stored lead by its id (docs/benchmarks.md, "Interactive speed, eighth step"). Filled from the data
    // already stored; frozen as released (DealLeads.Derived is the import's, and may change later). No key, as for the
    // milestones: the rebuild deletes every row.
    private static IEnumerable<string> V11(MigrationContext m)
    {
        yield return "CREATE TABLE deal_leads (deal_id VARCHAR NOT NULL, lead_created_at TIMESTAMP, lead_channel VARCHAR)";
        yield return "DELETE FROM deal_leads";
        yield return """
            INSERT INTO deal_leads (deal_id, lead_created_at, lead_channel)
            SELECT d.deal_id, l.created_at AS lead_created_at, l.channel AS lead_channel FROM deals d JOIN leads l ON l.lead_id = d.lead_id
            """;
    }
}
