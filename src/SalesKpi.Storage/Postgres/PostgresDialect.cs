using System.Globalization;
using SalesKpi.Core;

namespace SalesKpi.Storage.Postgres;

/// <summary>
/// The PostgreSQL dialect of one open workspace: PostgreSQL's spelling of every construct of <see cref="ISqlDialect"/>.
/// Timestamps are stored as <c>timestamp</c> (without zone) holding UTC, like DuckDB's. The stored tables live in the
/// schema <see cref="PostgresWorkspace.Schema"/> with a leading <c>workspace_id</c>; the statements that name a stored
/// table directly (upserts, <see cref="StoredTable"/>) carry this workspace's id as a literal, so each one is routed
/// to one workspace (and, under Citus, to one shard group) by its text alone.
/// </summary>
public sealed class PostgresDialect : ISqlDialect
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> columns;

    /// <summary>The dialect of workspace <paramref name="workspaceId"/>, whose tenant tables have <paramref name="columns"/> (workspace_id excluded).</summary>
    public PostgresDialect(long workspaceId, IReadOnlyDictionary<string, IReadOnlyList<string>> columns)
    {
        WorkspaceId = workspaceId;
        this.columns = columns;
    }

    /// <summary>The columns of every stored table of the workspace (workspace_id left out), in table order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Columns => columns;

    /// <summary>The id of the workspace whose statements this dialect renders; 0 before a workspace is chosen (migrations).</summary>
    public long WorkspaceId { get; }

    /// <summary>The predicate restricting a stored table (alias <paramref name="alias"/>) to this workspace.</summary>
    public string WorkspacePredicate(string? alias = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{(alias is null ? string.Empty : alias + ".")}workspace_id = {WorkspaceId}");

    /// <inheritdoc />
    public string Name => "postgresql";

    /// <inheritdoc />
    public string TypeName(ColumnType type) => type switch
    {
        ColumnType.Text or ColumnType.Enum or ColumnType.Currency => "VARCHAR",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.Date => "DATE",
        ColumnType.Integer => "BIGINT",
        ColumnType.Number => "DOUBLE PRECISION",
        ColumnType.Money => "NUMERIC(18,4)",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <inheritdoc />
    public string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc />
    public bool TestsDistinctValuesOnce => false;

    /// <inheritdoc />
    public string ContainsAny(string expr, IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0)
        {
            return "false";
        }

        // LIKE ANY over the words rather than one regular expression: PostgreSQL's regex engine is slow on an alternation
        // that mixes Latin and Cyrillic words (2.2 s instead of 0.25 s over the 394,000 leads of a 1 M-lead year,
        // docs/benchmarks.md). LIKE's own special characters (% _ and the escape \) are escaped, so each word is plain text.
        var patterns = words.Select(w => StringLiteral("%" + EscapeLike(w.ToLowerInvariant()) + "%"));
        return $"(lower(coalesce({expr}, '')) LIKE ANY (ARRAY[{string.Join(", ", patterns)}]))";
    }

    private static string EscapeLike(string word)
    {
        var sb = new System.Text.StringBuilder(word.Length);
        foreach (var ch in word)
        {
            if (ch is '\\' or '%' or '_')
            {
                sb.Append('\\');
            }

            sb.Append(ch);
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public string PercentileCont(double fraction, string expr) =>
        string.Create(CultureInfo.InvariantCulture, $"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {expr})");

    /// <inheritdoc />
    public string PercentilesCont(IReadOnlyList<double> fractions, string expr) =>
        $"percentile_cont(ARRAY[{string.Join(", ", fractions.Select(f => f.ToString(CultureInfo.InvariantCulture)))}]::double precision[]) WITHIN GROUP (ORDER BY {expr})";

    /// <inheritdoc />
    public string SecondsBetween(string from, string to) => $"({EpochSeconds(to)} - {EpochSeconds(from)})";

    /// <inheritdoc />
    public bool SessionsSideBySide => true;

    /// <inheritdoc />
    public (string Enter, string Leave)? SideBySideSession => ("SET max_parallel_workers_per_gather = 0", "RESET max_parallel_workers_per_gather");

    /// <inheritdoc />
    public string Parameter(string name) => "@" + name;

    /// <inheritdoc />
    // date_part, not extract: since PostgreSQL 14 extract returns NUMERIC, and its cast to a double goes through text —
    // 0.4 µs a call, several calls per unit of every family (docs/benchmarks.md, PostgreSQL). date_part computes the double
    // directly, and for a timestamp between the years 1715 and 2255 (whole microseconds since 1970 below 2^53) both are the
    // correctly rounded quotient of the same exact microseconds by 10^6, so the values are identical.
    public string EpochSeconds(string expr) => $"date_part('epoch', {expr})";

    /// <inheritdoc />
    public string IntegerRange(string start, string stop) => $"generate_series(CAST({start} AS BIGINT), CAST({stop} AS BIGINT) - 1)";

    /// <inheritdoc />
    public string ArrayPosition(string array, string element) => $"array_position({array}, {element})";

    /// <inheritdoc />
    public string ArrayElement(string array, string index) => $"({array})[{index}]";

    /// <inheritdoc />
    public string ArgMax(string value, string key) => $"(array_agg({value} ORDER BY {key} DESC) FILTER (WHERE {key} IS NOT NULL))[1]";

    /// <inheritdoc />
    public string CreateTempTable(string name, string definition) =>
        $"DROP TABLE IF EXISTS pg_temp.{name}; CREATE TEMP TABLE {name} {definition}";

    /// <inheritdoc />
    public string RowId => "ctid";

    /// <inheritdoc />
    // A session view has no ctid: the stored table, with this workspace's predicate.
    public (string Table, string Filter) RowIdSource(string table) => ($"{PostgresWorkspace.Schema}.{table}", WorkspacePredicate());

    /// <inheritdoc />
    // PostgreSQL rounds only NUMERIC to a number of digits; the exact decimal of a double rounds as DuckDB's double does.
    public string Round(string expr, int digits) =>
        string.Create(CultureInfo.InvariantCulture, $"CAST(round(CAST({expr} AS NUMERIC), {digits}) AS DOUBLE PRECISION)");

    /// <inheritdoc />
    public string Parameter(int position) => "$" + position.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);

        // Written to the stored table, not the session view: the conflict target is the key with its workspace_id.
        var others = columns.Where(c => !keyColumns.Contains(c, StringComparer.Ordinal)).ToList();
        var action = others.Count == 0 ? "DO NOTHING" : "DO UPDATE SET " + string.Join(", ", others.Select(c => $"{c} = EXCLUDED.{c}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"INSERT INTO {PostgresWorkspace.Schema}.{table} (workspace_id, {string.Join(", ", columns)}) VALUES ({WorkspaceId}, {string.Join(", ", values)}) ON CONFLICT (workspace_id, {string.Join(", ", keyColumns)}) {action}");
    }

    /// <inheritdoc />
    public string CreateSequence(string name, long start) =>
        string.Create(CultureInfo.InvariantCulture, $"CREATE SEQUENCE IF NOT EXISTS {PostgresWorkspace.Schema}.{name} START WITH {start}");

    /// <inheritdoc />
    public string NextValue(string name) => $"nextval('{PostgresWorkspace.Schema}.{SequenceOf(name, WorkspaceId)}')";

    /// <summary>The name of workspace <paramref name="workspaceId"/>'s own copy of the id sequence <paramref name="name"/>.</summary>
    public static string SequenceOf(string name, long workspaceId) => string.Create(CultureInfo.InvariantCulture, $"{name}_w{workspaceId}");

    /// <inheritdoc />
    public string JoinFirst(string expr, string orderBy, int count, string separatorLiteral) =>
        string.Create(CultureInfo.InvariantCulture, $"array_to_string((array_agg({expr} ORDER BY {orderBy}))[1:{count}], {separatorLiteral})");

    /// <inheritdoc />
    public string CreateTempView(string name, string query) => $"CREATE OR REPLACE TEMP VIEW {name} AS {query}";

    /// <inheritdoc />
    public string StoredTable(string catalog, string table)
    {
        // The stored table restricted to this workspace, with the columns the session view of that name shows.
        var name = table.Trim('"');
        var cols = columns.TryGetValue(name, out var c) ? string.Join(", ", c.Select(Quote)) : "*";
        return $"(SELECT {cols} FROM {PostgresWorkspace.Schema}.{Quote(name)} WHERE {WorkspacePredicate()}) AS {Quote(name)}";
    }

    /// <inheritdoc />
    // With standard_conforming_strings (on since PostgreSQL 9.1) a backslash is an ordinary character.
    public string StringLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
