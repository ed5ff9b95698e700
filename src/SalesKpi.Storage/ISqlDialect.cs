using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>
/// What differs between the SQL engines a workspace can live in (DuckDB now, PostgreSQL later):
/// type names and the few functions whose spelling is not standard. Everything else the product
/// writes is plain SQL that both engines accept.
/// </summary>
public partial interface ISqlDialect
{
    /// <summary>Short engine name for messages, e.g. <c>duckdb</c>.</summary>
    string Name { get; }

    /// <summary>The column type that stores values of <paramref name="type"/>.</summary>
    string TypeName(ColumnType type);

    /// <summary>Quotes an identifier; identifiers come only from the catalogue, never from user input.</summary>
    string Quote(string identifier);

    /// <summary>Expression for the continuous percentile <paramref name="fraction"/> of <paramref name="expr"/> (as SQL <c>percentile_cont</c>).</summary>
    string PercentileCont(double fraction, string expr);

    /// <summary>Expression for the seconds between two timestamps (<paramref name="to"/> − <paramref name="from"/>), fractional.</summary>
    string SecondsBetween(string from, string to);
}

/// <summary>The DuckDB dialect. Timestamps are stored as <c>TIMESTAMP</c> holding UTC.</summary>
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
    public string PercentileCont(double fraction, string expr) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"quantile_cont({expr}, {fraction})");

    /// <inheritdoc />
    public string SecondsBetween(string from, string to) => $"(epoch({to}) - epoch({from}))";
}
