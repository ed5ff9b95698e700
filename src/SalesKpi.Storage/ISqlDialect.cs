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
