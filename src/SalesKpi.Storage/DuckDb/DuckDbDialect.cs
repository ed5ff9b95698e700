using System.Globalization;
using SalesKpi.Core;

namespace SalesKpi.Storage.DuckDb;

/// <summary>The DuckDB dialect: DuckDB's spelling of every construct of <see cref="ISqlDialect"/>. Timestamps are stored as <c>TIMESTAMP</c> holding UTC.</summary>
public sealed partial class DuckDbDialect : ISqlDialect
{
    /// <summary>The shared instance; the dialect holds no state.</summary>
    public static DuckDbDialect Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "duckdb";

    /// <inheritdoc />
    public string TypeName(ColumnType type) => type switch
    {
        ColumnType.Text or ColumnType.Enum or ColumnType.Currency => "VARCHAR",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.Date => "DATE",
        ColumnType.Integer => "BIGINT",
        ColumnType.Number => "DOUBLE",
        ColumnType.Money => "DECIMAL(18,4)",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <inheritdoc />
    public string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc />
    public bool TestsDistinctValuesOnce => true;

    /// <inheritdoc />
    public string ContainsAny(string expr, IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0)
        {
            return "false";
        }

        // RE2 alternation of the escaped words; the literal is a standard SQL string, so only ' needs doubling.
        var pattern = SqlPatterns.AnyWord(words);
        return $"regexp_matches(lower(coalesce({expr}, '')), '{pattern.Replace("'", "''", StringComparison.Ordinal)}')";
    }

    /// <inheritdoc />
    public string PercentileCont(double fraction, string expr) =>
        string.Create(CultureInfo.InvariantCulture, $"quantile_cont({expr}, {fraction})");

    /// <inheritdoc />
    public string PercentilesCont(IReadOnlyList<double> fractions, string expr) =>
        $"quantile_cont({expr}, [{string.Join(", ", fractions.Select(f => f.ToString(CultureInfo.InvariantCulture)))}])";

    /// <inheritdoc />
    public string SecondsBetween(string from, string to) => $"(epoch({to}) - epoch({from}))";

    /// <inheritdoc />
    public bool SessionsSideBySide => false;

    /// <inheritdoc />
    public (string Enter, string Leave)? SideBySideSession => null;

    /// <inheritdoc />
    public string Parameter(string name) => "$" + name;

    /// <inheritdoc />
    public string EpochSeconds(string expr) => $"epoch({expr})";

    /// <inheritdoc />
    public string IntegerRange(string start, string stop) => $"range({start}, {stop})";

    /// <inheritdoc />
    public string ArrayPosition(string array, string element) => $"list_position({array}, {element})";

    /// <inheritdoc />
    public string ArrayElement(string array, string index) => $"list_extract({array}, {index})";

    /// <inheritdoc />
    public string ArgMax(string value, string key) => $"arg_max({value}, {key})";

    /// <inheritdoc />
    public string CreateTempTable(string name, string definition) =>
        $"CREATE OR REPLACE TEMP TABLE {name} {definition}";

    /// <inheritdoc />
    public string RowId => "rowid";

    /// <inheritdoc />
    public (string Table, string Filter) RowIdSource(string table) => (table, "true");

    /// <inheritdoc />
    public string Round(string expr, int digits) => string.Create(CultureInfo.InvariantCulture, $"round({expr}, {digits})");

    /// <inheritdoc />
    public string Parameter(int position) => "$" + position.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> values) =>
        // The whole row is given, so replacing it is the same as updating its non-key columns.
        $"INSERT OR REPLACE INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)})";

    /// <inheritdoc />
    public string CreateSequence(string name, long start) =>
        string.Create(CultureInfo.InvariantCulture, $"CREATE SEQUENCE {name} START WITH {start}");

    /// <inheritdoc />
    public string NextValue(string name) => $"nextval('{name}')";

    /// <inheritdoc />
    public string JoinFirst(string expr, string orderBy, int count, string separatorLiteral) =>
        string.Create(CultureInfo.InvariantCulture, $"array_to_string(list_slice(list({expr} ORDER BY {orderBy}), 1, {count}), {separatorLiteral})");
}
