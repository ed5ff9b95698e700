using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace SalesKpi.Storage;

/// <summary>An <see cref="IBulkWriter"/> over DuckDB's Appender.</summary>
internal sealed class DuckDbBulkWriter : IBulkWriter
{
    private readonly DuckDB.NET.Data.DuckDBAppender appender;
    private IDuckDBAppenderRow? row;

    public DuckDbBulkWriter(DuckDBConnection connection, string table) => appender = connection.CreateAppender(table);

    private IDuckDBAppenderRow Row => row ??= appender.CreateRow();

    public void Add(string? value) => row = value is null ? Row.AppendNullValue() : Row.AppendValue(value);

    public void Add(DateTime? value) => row = value is null ? Row.AppendNullValue() : Row.AppendValue(value);

    public void Add(DateOnly? value) =>
        row = value is { } d ? Row.AppendValue((DuckDBDateOnly?)new DuckDBDateOnly(d.Year, (byte)d.Month, (byte)d.Day)) : Row.AppendNullValue();

    public void Add(long? value) => row = value is null ? Row.AppendNullValue() : Row.AppendValue(value);

    public void Add(double? value) => row = value is null ? Row.AppendNullValue() : Row.AppendValue(value);

    public void Add(decimal? value) => row = value is null ? Row.AppendNullValue() : Row.AppendValue(value);

    public void EndRow()
    {
        Row.EndRow();
        row = null;
    }

    public void Dispose() => appender.Dispose();
}
