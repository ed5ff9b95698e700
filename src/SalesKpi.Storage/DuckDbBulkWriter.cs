using DuckDB.NET.Native;

namespace SalesKpi.Storage;

/// <summary>
/// An <see cref="IBulkWriter"/> over DuckDB's Appender. The Appender writes values into native
/// vectors without checking that the value's width matches the column's, so a mismatch corrupts
/// memory instead of failing; this writer checks every value against the column type first.
/// </summary>
internal sealed class DuckDbBulkWriter : IDisposable, IBulkWriter
{
    private readonly DuckDB.NET.Data.DuckDBAppender appender;
    private readonly Type[] columns;
    private readonly string table;
    private DuckDB.NET.Data.IDuckDBAppenderRow? row;
    private int column;

    public DuckDbBulkWriter(DuckDB.NET.Data.DuckDBAppender appender, string table, IReadOnlyList<string> columnTypes)
    {
        this.appender = appender;
        this.table = table;
        columns = columnTypes.Select(ClrType).ToArray();
    }

    private DuckDB.NET.Data.IDuckDBAppenderRow Row => row ??= appender.CreateRow();

    public void Add(string? value) => row = Check(typeof(string), value is null).AppendValue(value);

    public void Add(DateTime? value) => row = Check(typeof(DateTime), value is null).AppendValue(value);

    public void Add(DateOnly? value) =>
        row = Check(typeof(DateOnly), value is null).AppendValue(value is { } d ? new DuckDBDateOnly(d.Year, (byte)d.Month, (byte)d.Day) : (DuckDBDateOnly?)null);

    public void Add(int? value) => row = Check(typeof(int), value is null).AppendValue(value);

    public void Add(long? value) => row = Check(typeof(long), value is null).AppendValue(value);

    public void Add(double? value) => row = Check(typeof(double), value is null).AppendValue(value);

    public void Add(decimal? value) => row = Check(typeof(decimal), value is null).AppendValue(value);

    public void EndRow()
    {
        if (column != columns.Length)
        {
            throw new InvalidOperationException($"Row for {table} has {column} values, the table has {columns.Length} columns.");
        }

        Row.EndRow();
        row = null;
        column = 0;
    }

    public void Dispose() => appender.Dispose();

    private static Type ClrType(string duckType) => duckType switch
    {
        "VARCHAR" => typeof(string),
        "TIMESTAMP" => typeof(DateTime),
        "DATE" => typeof(DateOnly),
        "INTEGER" => typeof(int),
        "BIGINT" => typeof(long),
        "DOUBLE" => typeof(double),
        _ when duckType.StartsWith("DECIMAL", StringComparison.Ordinal) => typeof(decimal),
        _ => throw new NotSupportedException($"Bulk writes to {duckType} columns are not supported."),
    };

    private DuckDB.NET.Data.IDuckDBAppenderRow Check(Type type, bool isNull)
    {
        if (column >= columns.Length || (!isNull && columns[column] != type))
        {
            var expected = column < columns.Length ? columns[column].Name : "no more values";
            throw new InvalidOperationException($"Value {column + 1} for {table} is {type.Name}, the column takes {expected}.");
        }

        column++;
        return Row;
    }
}
