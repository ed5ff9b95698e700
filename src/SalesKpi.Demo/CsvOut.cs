using System.Globalization;
using System.Text;

namespace SalesKpi.Demo;

/// <summary>
/// A fast writer of canonical CSV: values formatted straight into a buffer with the invariant culture,
/// quoted only when they must be. Used by the generator, which writes millions of rows.
/// </summary>
internal sealed class CsvOut : IDisposable
{
    private readonly StreamWriter writer;
    private readonly char[] buffer = new char[1 << 16];
    private int length;
    private bool first = true;

    public CsvOut(string path, string header)
    {
        writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write(header);
        writer.Write('\n');
    }

    public long Rows { get; private set; }

    public CsvOut Text(string? value)
    {
        Separator();
        if (value is null)
        {
            return this;
        }

        if (value.AsSpan().IndexOfAny(",\"\n\r") >= 0)
        {
            Raw("\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"");
        }
        else
        {
            Raw(value);
        }

        return this;
    }

    public CsvOut Time(DateTime? value) => Stamp(value, withTime: true);

    public CsvOut Date(DateTime? value) => Stamp(value, withTime: false);

    /// <summary>A prefix followed by a zero-padded number, e.g. <c>L0000042</c>, without allocating.</summary>
    public CsvOut Id(string prefix, long number, int digits, string? suffix = null)
    {
        Separator();
        Ensure(prefix.Length + digits + 24 + (suffix?.Length ?? 0));
        prefix.CopyTo(buffer.AsSpan(length));
        length += prefix.Length;
        Digits(number, digits);
        if (suffix is not null)
        {
            suffix.CopyTo(buffer.AsSpan(length));
            length += suffix.Length;
        }

        return this;
    }

    public CsvOut Number(long? value)
    {
        Separator();
        if (value is { } v)
        {
            Ensure(24);
            v.TryFormat(buffer.AsSpan(length), out var n, default, CultureInfo.InvariantCulture);
            length += n;
        }

        return this;
    }

    public CsvOut Money(decimal? value)
    {
        Separator();
        if (value is { } v)
        {
            Ensure(40);
            v.TryFormat(buffer.AsSpan(length), out var n, "0.00", CultureInfo.InvariantCulture);
            length += n;
        }

        return this;
    }

    public void End()
    {
        Ensure(1);
        buffer[length++] = '\n';
        first = true;
        Rows++;
        if (length > buffer.Length - 4096)
        {
            Flush();
        }
    }

    public void Dispose()
    {
        Flush();
        writer.Dispose();
    }

    // Format strings cost more than all the rest of a row; the canonical layout is fixed, so digits are written directly.
    private CsvOut Stamp(DateTime? value, bool withTime)
    {
        Separator();
        if (value is { } v)
        {
            Ensure(20);
            v.Deconstruct(out int y, out int mo, out int d);
            Digits(y, 4);
            buffer[length++] = '-';
            Digits(mo, 2);
            buffer[length++] = '-';
            Digits(d, 2);
            if (withTime)
            {
                var t = v.TimeOfDay;
                buffer[length++] = ' ';
                Digits(t.Hours, 2);
                buffer[length++] = ':';
                Digits(t.Minutes, 2);
                buffer[length++] = ':';
                Digits(t.Seconds, 2);
            }
        }

        return this;
    }

    private void Digits(long value, int width)
    {
        var n = 1;
        for (var v = value; v >= 10; v /= 10)
        {
            n++;
        }

        var w = Math.Max(n, width);
        for (var i = w - 1; i >= 0; i--)
        {
            buffer[length + i] = (char)('0' + (value % 10));
            value /= 10;
        }

        length += w;
    }

    private void Separator()
    {
        if (!first)
        {
            Ensure(1);
            buffer[length++] = ',';
        }

        first = false;
    }

    private void Raw(string s)
    {
        Ensure(s.Length);
        s.CopyTo(buffer.AsSpan(length));
        length += s.Length;
    }

    private void Ensure(int n)
    {
        if (length + n > buffer.Length)
        {
            Flush();
        }

        if (n > buffer.Length)
        {
            throw new InvalidOperationException("value longer than the write buffer");
        }
    }

    private void Flush()
    {
        writer.Write(buffer, 0, length);
        length = 0;
    }
}
