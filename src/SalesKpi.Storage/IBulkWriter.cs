namespace SalesKpi.Storage;

/// <summary>
/// Appends many rows to one table in a single bulk operation (DuckDB's Appender; PostgreSQL's binary
/// COPY later). Values are given column by column in table order; <see cref="EndRow"/> closes a row.
/// Rows become visible to SQL on the same connection after <see cref="IDisposable.Dispose"/>, inside
/// whatever transaction is open.
/// </summary>
public interface IBulkWriter : IDisposable
{
    /// <summary>Appends text, or null.</summary>
    void Add(string? value);

    /// <summary>Appends a UTC timestamp, or null.</summary>
    void Add(DateTime? value);

    /// <summary>Appends a calendar date, or null.</summary>
    void Add(DateOnly? value);

    /// <summary>Appends a whole number, or null.</summary>
    void Add(long? value);

    /// <summary>Appends a floating-point number, or null.</summary>
    void Add(double? value);

    /// <summary>Appends a decimal, or null.</summary>
    void Add(decimal? value);

    /// <summary>Closes the current row.</summary>
    void EndRow();
}
