using Npgsql;
using NpgsqlTypes;

namespace SalesKpi.Storage.Postgres;

/// <summary>
/// An <see cref="IBulkWriter"/> over PostgreSQL's binary <c>COPY … FROM STDIN</c>. Rows are gathered in blocks and each
/// block is sent by a short COPY of its own, because a connection runs one COPY at a time and the import writes a
/// file's rows and its rejects side by side. PostgreSQL refuses <c>COPY FROM</c> into a table under row-level
/// security, so a stored table's blocks go to a session staging table and are moved into the stored table on
/// <see cref="Dispose"/> by one <c>INSERT … SELECT</c> that gives them the workspace's id (and passes the policy's
/// check). The caller gives the columns in table order, workspace_id left out. Each value is checked against its
/// column's type when it is added, so a mismatch throws instead of reaching the server.
/// </summary>
internal sealed class PostgresBulkWriter : IBulkWriter
{
    private const int BlockRows = 8192;

    private readonly NpgsqlConnection connection;
    private readonly string table;
    private readonly string copy;
    private readonly string? moveInto;
    private readonly NpgsqlDbType[] types;
    private readonly List<object?[]> block = new(BlockRows);
    private readonly Action<long>? written;
    private object?[] row;
    private int column;
    private long rows;

    /// <summary>
    /// Starts writing into <paramref name="table"/>: a session table as it is, or — with <paramref name="workspaceId"/> —
    /// the stored table <paramref name="storedTable"/> of that workspace through a session staging table.
    /// </summary>
    public PostgresBulkWriter(NpgsqlConnection connection, string table, string? storedTable, long? workspaceId, IReadOnlyList<(string Name, string Type)> columns, Action<long>? written = null)
    {
        this.written = written;
        this.connection = connection;
        this.table = table;
        types = [.. columns.Select(c => TypeOf(c.Type))];
        row = new object?[types.Length];
        var names = string.Join(", ", columns.Select(c => "\"" + c.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
        var target = table;
        if (storedTable is not null && workspaceId is { } id)
        {
            target = "pg_temp._copy_" + table.Trim('"');
            Run($"DROP TABLE IF EXISTS {target}; CREATE TEMP TABLE {target} AS SELECT {names} FROM {storedTable} WHERE false");
            moveInto = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"INSERT INTO {storedTable} (workspace_id, {names}) SELECT {id}, {names} FROM {target}; DROP TABLE {target}");
        }

        copy = $"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)";
    }

    public void Add(string? value) => Put(value, NpgsqlDbType.Varchar);

    public void Add(DateTime? value) =>
        Put(value is { } t ? DateTime.SpecifyKind(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t, DateTimeKind.Unspecified) : null, NpgsqlDbType.Timestamp);

    public void Add(DateOnly? value) => Put(value, NpgsqlDbType.Date);

    public void Add(int? value) => Put(value, NpgsqlDbType.Integer);

    public void Add(long? value) => Put(value, NpgsqlDbType.Bigint);

    public void Add(double? value) => Put(value, NpgsqlDbType.Double);

    public void Add(decimal? value) => Put(value, NpgsqlDbType.Numeric);

    public void EndRow()
    {
        if (column != types.Length)
        {
            throw new InvalidOperationException($"Row of {table} ended after {column} of {types.Length} values.");
        }

        block.Add(row);
        rows++;
        row = new object?[types.Length];
        column = 0;
        if (block.Count == BlockRows)
        {
            Flush();
        }
    }

    public void Dispose()
    {
        Flush();
        if (moveInto is not null)
        {
            Run(moveInto);
        }

        written?.Invoke(rows);
    }

    private void Put(object? value, NpgsqlDbType given)
    {
        if (column >= types.Length)
        {
            throw new InvalidOperationException($"Too many values for a row of {table}.");
        }

        if (types[column] != given)
        {
            throw new InvalidOperationException($"Column {column + 1} of {table} is {types[column]}, not {given}.");
        }

        row[column++] = value;
    }

    private void Flush()
    {
        if (block.Count == 0)
        {
            return;
        }

        using (var importer = connection.BeginBinaryImport(copy))
        {
            foreach (var values in block)
            {
                importer.StartRow();
                for (var i = 0; i < values.Length; i++)
                {
                    switch (values[i])
                    {
                        case null:
                            importer.WriteNull();
                            break;
                        case string s:
                            importer.Write(s, NpgsqlDbType.Varchar);
                            break;
                        case DateTime t:
                            importer.Write(t, NpgsqlDbType.Timestamp);
                            break;
                        case DateOnly d:
                            importer.Write(d, NpgsqlDbType.Date);
                            break;
                        case int n:
                            importer.Write(n, NpgsqlDbType.Integer);
                            break;
                        case long n:
                            importer.Write(n, NpgsqlDbType.Bigint);
                            break;
                        case double x:
                            importer.Write(x, NpgsqlDbType.Double);
                            break;
                        case decimal m:
                            importer.Write(m, NpgsqlDbType.Numeric);
                            break;
                        default:
                            throw new InvalidOperationException($"Unexpected value type {values[i]!.GetType().Name}.");
                    }
                }
            }

            importer.Complete();
        }

        block.Clear();
    }

    private void Run(string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static NpgsqlDbType TypeOf(string type) => type switch
    {
        "character varying" or "text" => NpgsqlDbType.Varchar,
        "timestamp without time zone" => NpgsqlDbType.Timestamp,
        "date" => NpgsqlDbType.Date,
        "integer" => NpgsqlDbType.Integer,
        "bigint" => NpgsqlDbType.Bigint,
        "double precision" => NpgsqlDbType.Double,
        _ when type.StartsWith("numeric", StringComparison.Ordinal) => NpgsqlDbType.Numeric,
        _ => throw new NotSupportedException($"Bulk writes do not support the column type {type}."),
    };
}
