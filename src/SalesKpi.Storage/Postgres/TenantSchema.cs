using System.Text;
using System.Text.RegularExpressions;

namespace SalesKpi.Storage.Postgres;

/// <summary>
/// Turns the engine-neutral schema of <see cref="Migrations"/> into PostgreSQL's many-workspace schema. Every table a
/// migration creates gets a leading <c>workspace_id BIGINT NOT NULL</c> (defaulting to the session's workspace), its
/// primary key becomes <c>(workspace_id, key…)</c>, a table without a key gets an index on <c>workspace_id</c>, and
/// row-level security admits only the rows of the session's workspace (<c>saleskpi.workspace_id</c>), also for the
/// table's owner. Other statements (sequences, data changes) pass through unchanged.
/// <para>
/// The data version: every such table also gets a statement-level trigger (<see cref="DataVersionTrigger"/>) that notes
/// the writing transaction in <see cref="ChangesTable"/> — one row per transaction and workspace, <c>ON CONFLICT DO
/// NOTHING</c> — so the number of committed changes of a workspace is a version that several server processes read to
/// tell whether a cached answer is stale. A row per transaction instead of a counter bumped in <c>workspaces</c>: a
/// counter's row lock would be held by an import for its whole transaction and make every other writer of the
/// workspace (a failed sign-in counting, a target set in another process) wait for it. Added while the PostgreSQL
/// schema was unreleased; a database made before gets it on its next open (<see cref="PostgresWorkspace"/>).
/// </para>
/// </summary>
public static partial class TenantSchema
{
    /// <summary>The session setting that names the workspace a connection works on (its id, as text).</summary>
    public const string Setting = "saleskpi.workspace_id";

    /// <summary>The session's workspace id as SQL: NULL when the setting is absent or empty, so no row matches.</summary>
    public static string CurrentWorkspace => $"nullif(current_setting('{Setting}', true), '')::bigint";

    /// <summary>
    /// The PostgreSQL statements for one migration statement: for <c>CREATE TABLE name (…)</c> the table with its
    /// workspace column, key, index and row-level security; any other statement as it is.
    /// </summary>
    public static IReadOnlyList<string> Rewrite(string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var m = CreateTable().Match(statement);
        if (!m.Success)
        {
            return [statement];
        }

        var table = m.Groups["name"].Value.Trim('"');
        var defs = SplitTopLevel(m.Groups["body"].Value);
        var key = new List<string>();
        var columns = new List<string>();
        foreach (var def in defs)
        {
            var d = def.Trim();
            var tableKey = TableKey().Match(d);
            if (tableKey.Success)
            {
                key.AddRange(tableKey.Groups["cols"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                continue;
            }

            var pk = InlineKey().Match(d);
            if (pk.Success)
            {
                key.Add(d.Split(' ', 2)[0]);
                d = d[..pk.Index].TrimEnd();
            }

            columns.Add(d);
        }

        var qualified = $"{PostgresWorkspace.Schema}.{table}";
        var sb = new StringBuilder();
        sb.Append("CREATE TABLE ").Append(qualified).Append(" (workspace_id BIGINT NOT NULL DEFAULT ").Append(CurrentWorkspace);
        foreach (var c in columns)
        {
            sb.Append(", ").Append(c);
        }

        if (key.Count > 0)
        {
            sb.Append(", PRIMARY KEY (workspace_id, ").Append(string.Join(", ", key)).Append(')');
        }

        sb.Append(')');
        List<string> result = [sb.ToString()];
        if (key.Count == 0)
        {
            result.Add($"CREATE INDEX {table}_workspace ON {qualified} (workspace_id)");
        }

        result.Add($"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY");
        result.Add($"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY");
        result.Add($"CREATE POLICY workspace_isolation ON {qualified} USING (workspace_id = {CurrentWorkspace}) WITH CHECK (workspace_id = {CurrentWorkspace})");
        if (!Unversioned.Contains(table))
        {
            result.Add(DataVersionTrigger(qualified));
        }

        return result;
    }

    /// <summary>
    /// Tables whose rows no answer is computed from (the claims of digest slots, the sign-in attempt windows): writing
    /// them is no change of the data version, so a sign-in attempt does not make every process's cached answers stale.
    /// </summary>
    public static IReadOnlySet<string> Unversioned { get; } = new HashSet<string>(StringComparer.Ordinal) { "digest_claims", "sign_in_windows" };

    /// <summary>The table where each transaction that changed a workspace leaves one row (workspace, transaction id).</summary>
    public const string ChangesTable = "data_changes";

    private const string NoteChange = "note_data_change";

    /// <summary>
    /// The objects the data version needs, created with the schema before any workspace table: the folded count in
    /// <c>workspaces</c>, <see cref="ChangesTable"/> (under the same row-level security as every workspace table) and
    /// the trigger function that adds a transaction's row once. A statement with no session workspace notes nothing.
    /// </summary>
    public static IReadOnlyList<string> DataVersionObjects()
    {
        var schema = PostgresWorkspace.Schema;
        return
        [
            $"ALTER TABLE {schema}.workspaces ADD COLUMN IF NOT EXISTS changes_folded BIGINT NOT NULL DEFAULT 0",
            $"CREATE TABLE {schema}.{ChangesTable} (workspace_id BIGINT NOT NULL DEFAULT {CurrentWorkspace}, xact XID8 NOT NULL, PRIMARY KEY (workspace_id, xact))",
            $"ALTER TABLE {schema}.{ChangesTable} ENABLE ROW LEVEL SECURITY",
            $"ALTER TABLE {schema}.{ChangesTable} FORCE ROW LEVEL SECURITY",
            $"CREATE POLICY workspace_isolation ON {schema}.{ChangesTable} USING (workspace_id = {CurrentWorkspace}) WITH CHECK (workspace_id = {CurrentWorkspace})",
            $"""
            CREATE OR REPLACE FUNCTION {schema}.{NoteChange}() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                IF {CurrentWorkspace} IS NOT NULL THEN
                    INSERT INTO {schema}.{ChangesTable} (workspace_id, xact) VALUES ({CurrentWorkspace}, pg_current_xact_id()) ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END
            $body$
            """,
        ];
    }

    /// <summary>The statement-level trigger that notes every change of <paramref name="qualifiedTable"/> in <see cref="ChangesTable"/>.</summary>
    public static string DataVersionTrigger(string qualifiedTable) =>
        $"CREATE TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {qualifiedTable} FOR EACH STATEMENT EXECUTE FUNCTION {PostgresWorkspace.Schema}.{NoteChange}()";

    /// <summary>True for a statement that changes rows (INSERT, UPDATE, DELETE) rather than the schema.</summary>
    public static bool ChangesData(string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var first = statement.TrimStart().Split((char[])[' ', '\n', '\t'], 2)[0];
        return first.Equals("INSERT", StringComparison.OrdinalIgnoreCase)
            || first.Equals("UPDATE", StringComparison.OrdinalIgnoreCase)
            || first.Equals("DELETE", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The name of the sequence a <c>CREATE SEQUENCE</c> statement creates (schema removed); null for any other statement.</summary>
    public static string? CreatedSequence(string statement)
    {
        var m = CreateSequence().Match(statement);
        return m.Success ? m.Groups["name"].Value.Split('.')[^1] : null;
    }

    [GeneratedRegex(@"^\s*CREATE\s+SEQUENCE\s+(IF\s+NOT\s+EXISTS\s+)?(?<name>[\w.]+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateSequence();

    // Commas inside parentheses (DECIMAL(18,4)) do not separate column definitions.
    private static List<string> SplitTopLevel(string body)
    {
        List<string> parts = [];
        var depth = 0;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            switch (body[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(body[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(body[start..]);
        return parts;
    }

    [GeneratedRegex(@"^\s*CREATE\s+TABLE\s+(?<name>[\w""]+)\s*\((?<body>.*)\)\s*$", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"^PRIMARY\s+KEY\s*\((?<cols>[^)]*)\)$", RegexOptions.IgnoreCase)]
    private static partial Regex TableKey();

    [GeneratedRegex(@"\s+PRIMARY\s+KEY\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex InlineKey();
}
