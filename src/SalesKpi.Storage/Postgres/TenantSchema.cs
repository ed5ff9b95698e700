using System.Text;
using System.Text.RegularExpressions;

namespace SalesKpi.Storage.Postgres;

/// <summary>
/// Turns the engine-neutral schema of <see cref="Migrations"/> into PostgreSQL's many-workspace schema. Every table a
/// migration creates gets a leading <c>workspace_id BIGINT NOT NULL</c> (defaulting to the session's workspace), its
/// primary key becomes <c>(workspace_id, key…)</c>, a table without a key gets an index on <c>workspace_id</c>, and
/// row-level security admits only the rows of the session's workspace (<c>saleskpi.workspace_id</c>), also for the
/// table's owner. Other statements (sequences, data changes) pass through unchanged.
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
        return result;
    }

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

    [GeneratedRegex(@"\s+PRIMARY\s+KEY\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex InlineKey();
}
