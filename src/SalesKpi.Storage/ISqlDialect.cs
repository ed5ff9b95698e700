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

    /// <summary>
    /// Expression for the continuous percentiles <paramref name="fractions"/> of <paramref name="expr"/> from one ordering of
    /// the values (one sort where <see cref="PercentileCont"/> per fraction sorts once each): an array whose element
    /// <c>[i]</c> (from 1, in the order of <paramref name="fractions"/>) equals <see cref="PercentileCont"/> of the i-th
    /// fraction. NULL when the group has no non-null value, so every element read from it is NULL too.
    /// </summary>
    string PercentilesCont(IReadOnlyList<double> fractions, string expr);

    /// <summary>Expression for the seconds between two timestamps (<paramref name="to"/> − <paramref name="from"/>), fractional.</summary>
    string SecondsBetween(string from, string to);
}
