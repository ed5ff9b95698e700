namespace SalesKpi.Storage;

/// <summary>
/// Appends many rows to one table in a single bulk operation (DuckDB's Appender; PostgreSQL's binary
/// COPY later). Values are given column by column in table order; <see cref="EndRow"/> closes a row.
/// Rows become visible to SQL on the same connection after <see cref="IDisposable.Dispose"/>, inside
/// whatever transaction is open. Each value must have the column's exact type (an <c>int</c> for
/// <c>INTEGER</c>, a <c>long</c> for <c>BIGINT</c>); a mismatch throws <see cref="InvalidOperationException"/>.
/// </summary>
public interface IBulkWriter : IDisposable
{
    /// <summary>Appends text, or null.</summary>
    void Add(string? value);

    /// <summary>Appends a UTC timestamp, or null.</summary>
    void Add(DateTime? value);

    /// <summary>Appends a calendar date, or null.</summary>
    void Add(DateOnly? value);

    /// <summary>Appends a 32-bit whole number (an <c>INTEGER</c> column), or null.</summary>
    void Add(int? value);

    /// <summary>Appends a 64-bit whole number (a <c>BIGINT</c> column), or null.</summary>
    void Add(long? value);

    /// <summary>Appends a floating-point number, or null.</summary>
    void Add(double? value);

    /// <summary>Appends a decimal, or null.</summary>
    void Add(decimal? value);

    /// <summary>Closes the current row.</summary>
    void EndRow();
}
