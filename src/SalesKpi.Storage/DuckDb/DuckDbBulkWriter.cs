using System.Runtime.CompilerServices;
using System.Text;
using DuckDB.NET.Native;

namespace SalesKpi.Storage.DuckDb;

/// <summary>
/// An <see cref="IBulkWriter"/> that fills DuckDB data chunks directly (fixed-width values written
/// into the vectors' memory, strings copied in as UTF-8) and hands each full chunk to a native
/// appender. This avoids the per-value dispatch of the row appender, which dominated large imports.
/// Native vectors do not check what is written into them, so every value is first checked against
/// the column's type: a mismatch throws instead of corrupting memory.
/// </summary>
internal sealed unsafe class DuckDbBulkWriter : IBulkWriter
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private readonly string table;
    private readonly DuckDB.NET.Native.DuckDBAppender appender;
    private readonly DuckDBLogicalType[] logicalTypes;
    private readonly DuckDBType[] types;
    private readonly DuckDBDataChunk chunk;
    private readonly IntPtr[] vectors;
    private readonly void*[] data;
    private readonly bool[] validityReady;
    private readonly ulong capacity;
    private byte[] utf8 = new byte[256];
    private ulong row;
    private int column;
    private bool disposed;

    public DuckDbBulkWriter(DuckDBNativeConnection connection, string? catalog, string table)
    {
        this.table = table;
        if (NativeMethods.Appender.DuckDBAppenderCreateExt(connection, catalog, "main", table, out appender) != DuckDBState.Success)
        {
            var message = NativeMethods.ErrorData.DuckDBErrorDataMessage(NativeMethods.Appender.DuckDBAppenderErrorData(appender));
            appender.Dispose();
            throw new InvalidOperationException($"Cannot append to {table}: {message}");
        }

        var count = (int)NativeMethods.Appender.DuckDBAppenderColumnCount(appender);
        logicalTypes = new DuckDBLogicalType[count];
        types = new DuckDBType[count];
        for (var i = 0; i < count; i++)
        {
            logicalTypes[i] = NativeMethods.Appender.DuckDBAppenderColumnType(appender, (ulong)i);
            types[i] = NativeMethods.LogicalType.DuckDBGetTypeId(logicalTypes[i]);
            if (types[i] == DuckDBType.Decimal &&
                (NativeMethods.LogicalType.DuckDBDecimalWidth(logicalTypes[i]) != 18 || NativeMethods.LogicalType.DuckDBDecimalScale(logicalTypes[i]) != 4))
            {
                throw new NotSupportedException($"Bulk writes support DECIMAL(18,4) only (column {i + 1} of {table}).");
            }
        }

        capacity = NativeMethods.Helpers.DuckDBVectorSize();
        chunk = NativeMethods.DataChunks.DuckDBCreateDataChunk(logicalTypes.Select(t => t.DangerousGetHandle()).ToArray(), (ulong)count);
        vectors = new IntPtr[count];
        data = new void*[count];
        validityReady = new bool[count];
        BindVectors();
    }

    public void Add(string? value)
    {
        if (Next(DuckDBType.Varchar, value is null) is var c and >= 0)
        {
            var max = Encoding.UTF8.GetMaxByteCount(value!.Length);
            if (max > utf8.Length)
            {
                utf8 = new byte[Math.Max(max, utf8.Length * 2)];
            }

            var n = Encoding.UTF8.GetBytes(value, utf8);
            fixed (byte* p = utf8)
            {
                // Safe to skip DuckDB's UTF-8 check: .NET's encoder only emits valid UTF-8.
                NativeMethods.Vectors.DuckDBUnsafeVectorAssignStringElementLength(vectors[c], row, p, n);
            }
        }
    }

    public void Add(DateTime? value)
    {
        if (Next(DuckDBType.Timestamp, value is null) is var c and >= 0)
        {
            ((long*)data[c])[row] = (value!.Value.Ticks - UnixEpochTicks) / TimeSpan.TicksPerMicrosecond;
        }
    }

    public void Add(DateOnly? value)
    {
        if (Next(DuckDBType.Date, value is null) is var c and >= 0)
        {
            ((int*)data[c])[row] = value!.Value.DayNumber - UnixEpochDay;
        }
    }

    public void Add(int? value)
    {
        if (Next(DuckDBType.Integer, value is null) is var c and >= 0)
        {
            ((int*)data[c])[row] = value!.Value;
        }
    }

    public void Add(long? value)
    {
        if (Next(DuckDBType.BigInt, value is null) is var c and >= 0)
        {
            ((long*)data[c])[row] = value!.Value;
        }
    }

    public void Add(double? value)
    {
        if (Next(DuckDBType.Double, value is null) is var c and >= 0)
        {
            ((double*)data[c])[row] = value!.Value;
        }
    }

    public void Add(decimal? value)
    {
        if (Next(DuckDBType.Decimal, value is null) is var c and >= 0)
        {
            ((long*)data[c])[row] = decimal.ToInt64(decimal.Round(value!.Value * 10_000m));
        }
    }

    public void EndRow()
    {
        if (column != types.Length)
        {
            throw new InvalidOperationException($"Row for {table} has {column} values, the table has {types.Length} columns.");
        }

        column = 0;
        if (++row == capacity)
        {
            AppendChunk();
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            if (row > 0 && column == 0)
            {
                AppendChunk();
            }

            if (NativeMethods.Appender.DuckDBAppenderFlush(appender) != DuckDBState.Success)
            {
                throw new InvalidOperationException($"Cannot append to {table}: {NativeMethods.ErrorData.DuckDBErrorDataMessage(NativeMethods.Appender.DuckDBAppenderErrorData(appender))}");
            }
        }
        finally
        {
            chunk.Dispose();
            appender.Dispose();
            foreach (var t in logicalTypes)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Checks the value's type against the next column; returns the column index to write, or -1 when the value was null (already marked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Next(DuckDBType type, bool isNull)
    {
        var c = column;
        if (c >= types.Length || (!isNull && types[c] != type))
        {
            throw new InvalidOperationException(
                $"Value {c + 1} for {table} is {type}, the column takes {(c < types.Length ? types[c].ToString() : "no more values")}.");
        }

        column = c + 1;
        if (!isNull)
        {
            return c;
        }

        if (!validityReady[c])
        {
            NativeMethods.Vectors.DuckDBVectorEnsureValidityWritable(vectors[c]);
            validityReady[c] = true;
        }

        var validity = NativeMethods.Vectors.DuckDBVectorGetValidity(vectors[c]);
        validity[row / 64] &= ~(1UL << (int)(row % 64));
        return -1;
    }

    private void AppendChunk()
    {
        NativeMethods.DataChunks.DuckDBDataChunkSetSize(chunk, row);
        if (NativeMethods.Appender.DuckDBAppendDataChunk(appender, chunk) != DuckDBState.Success)
        {
            throw new InvalidOperationException($"Cannot append to {table}: {NativeMethods.ErrorData.DuckDBErrorDataMessage(NativeMethods.Appender.DuckDBAppenderErrorData(appender))}");
        }

        NativeMethods.DataChunks.DuckDBDataChunkReset(chunk);
        row = 0;
        BindVectors();
    }

    // A reset chunk may hand out new buffers and a fresh (all-valid, not yet writable) validity mask.
    private void BindVectors()
    {
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = NativeMethods.DataChunks.DuckDBDataChunkGetVector(chunk, i);
            data[i] = NativeMethods.Vectors.DuckDBVectorGetData(vectors[i]);
            validityReady[i] = false;
        }
    }
}
