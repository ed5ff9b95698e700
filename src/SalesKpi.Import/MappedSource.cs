using System.Globalization;
using System.Text;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>How a mapped source file is read: its text encoding and field delimiter.</summary>
/// <param name="Encoding">The text encoding.</param>
/// <param name="Delimiter">The field separator.</param>
public sealed record SourceFormat(Encoding Encoding, char Delimiter)
{
    /// <summary>The canonical format: strict UTF-8 (BOM accepted), comma-separated.</summary>
    /// <remarks>
    /// The encodings carry the UTF-8 preamble so that a reader skips a BOM itself: a reader left to
    /// detect the BOM switches to a lenient UTF-8 that turns invalid bytes into U+FFFD, which stored
    /// a broken file's garbled text instead of rejecting it.
    /// </remarks>
    public static SourceFormat Canonical { get; } = new(new UTF8Encoding(true, throwOnInvalidBytes: true), ',');

    /// <summary>
    /// Detects what <paramref name="mapping"/> leaves on <c>auto</c>: the encoding is UTF-8 when the
    /// first 64 KiB decode as UTF-8, else Windows-1251 (the usual encoding of Russian exports); the
    /// delimiter is the most frequent of <c>,</c> <c>;</c> and tab in the header line.
    /// </summary>
    public static SourceFormat Detect(string path, FileMapping mapping)
    {
        var head = new byte[65536];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        Encoding encoding = mapping.Encoding.ToUpperInvariant() switch
        {
            "UTF-8" or "UTF8" => new UTF8Encoding(true, throwOnInvalidBytes: true),
            "WINDOWS-1251" or "CP1251" => Windows1251(),
            _ => LooksUtf8(head.AsSpan(0, n)) ? new UTF8Encoding(true, throwOnInvalidBytes: true) : Windows1251(),
        };
        var firstLine = encoding.GetString(head, 0, n).Split('\n')[0];
        var delimiter = mapping.Delimiter switch
        {
            "," => ',',
            ";" => ';',
            "tab" or "\t" => '\t',
            _ => new[] { ',', ';', '\t' }.MaxBy(c => firstLine.Count(x => x == c)),
        };
        return new SourceFormat(encoding, delimiter);
    }

    private static Encoding Windows1251()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1251);
    }

    // A multi-byte character cut at the end of the sample is not a reason to call the text something else.
    private static bool LooksUtf8(ReadOnlySpan<byte> bytes)
    {
        for (var trim = 0; trim < 4 && trim <= bytes.Length; trim++)
        {
            if (System.Text.Unicode.Utf8.IsValid(bytes[..^trim]))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Presents a source export as canonical records: the header is the mapped canonical column names,
/// each record the mapped values — taken from a column, constant, concatenated, passed through a value
/// map — with dates brought into the canonical form (profile formats, Excel serial numbers) and numbers
/// cleaned of thousands separators (spaces, no-break spaces) with a decimal comma made a point. The
/// canonical validation then applies unchanged; line numbers stay those of the source file.
/// </summary>
internal sealed class MappedSource(IRecordSource source, FileMapping mapping, EntityDef entity) : IRecordSource
{
    private readonly List<(ColumnDef Column, ColumnRule Rule)> rules = [.. mapping.Columns.Select(kv => (entity[kv.Key], ColumnRule.From(kv.Value)!))];
    private Func<string?>[] getters = [];
    private string?[] values = [];
    private int sourceFields;
    private bool header = true;
    private bool compiled;

    public int FieldCount => header ? rules.Count : values.Length;

    public long Line => source.Line;

    public bool Unterminated => source.Unterminated;

    public Msg? RecordError { get; private set; }

    public ReadOnlySpan<char> this[int index] => header ? rules[index].Column.Name : values[index];

    public bool Read()
    {
        if (!source.Read())
        {
            return false;
        }

        if (!compiled)
        {
            Compile();
            compiled = true;
            return true;
        }

        header = false;
        RecordError = source.RecordError ?? (source.FieldCount == sourceFields
            ? null
            : Msg.Of("row.field_count", "the row has {0} fields but the header has {1}", "в строке {0} полей, а в заголовке {1}", source.FieldCount, sourceFields));
        if (RecordError is null)
        {
            values = [.. getters.Select(g => g())];
        }

        return true;
    }

    private void Compile()
    {
        sourceFields = source.FieldCount;
        var names = Enumerable.Range(0, source.FieldCount).Select(i => source[i].Trim().ToString()).ToList();
        var index = names.Select((n, i) => (n, i)).GroupBy(x => x.n, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);
        int Col(string canonical, string name) => index.TryGetValue(name, out var i)
            ? i
            : throw new FileRejectedException(
                Msg.Of("profile.source_column_missing", "the profile maps {0} from source column '{1}', which the file does not have (its columns: {2})", "профиль берёт {0} из столбца «{1}», которого нет в файле (его столбцы: {2})", canonical, name, string.Join(", ", names)),
                0);

        getters = [.. rules.Select(r => Getter(r.Column, r.Rule, Col))];
    }

    private Func<string?> Getter(ColumnDef column, ColumnRule rule, Func<string, string, int> col)
    {
        Func<string?> raw;
        if (rule.Const is { } constant)
        {
            raw = () => constant;
        }
        else if (rule.Concat is { } parts)
        {
            var compiled = parts.Select(p => p.StartsWith('$') ? (Index: col(column.Name, p[1..]), Text: (string?)null) : (Index: -1, Text: p)).ToList();
            // Nothing to join when every referenced column is empty: a prefix alone would name a row that does not exist.
            raw = () => compiled.Where(p => p.Index >= 0).All(p => source[p.Index].Trim().IsEmpty) && compiled.Any(p => p.Index >= 0)
                ? null
                : string.Concat(compiled.Select(p => p.Index >= 0 ? source[p.Index].Trim().ToString() : p.Text));
        }
        else
        {
            var i = col(column.Name, rule.Source!);
            raw = () => source[i].Trim().ToString();
        }

        Func<string?> mapped = rule.Map is { } map
            ? () => raw() is { } v && map.TryGetValue(v, out var to) ? to : rule.Default ?? raw()
            : raw;
        return column.Type switch
        {
            ColumnType.Timestamp or ColumnType.Date => () => Date(mapped(), column.Type == ColumnType.Date),
            ColumnType.Money or ColumnType.Number or ColumnType.Integer => () => Number(mapped()),
            _ => mapped,
        };
    }

    private string? Date(string? value, bool dateOnly)
    {
        if (string.IsNullOrEmpty(value) || ValueParser.TryParseTimestamp(value, TimeZoneInfo.Utc, out _) == ValueParser.Outcome.Ok)
        {
            return value;
        }

        foreach (var format in mapping.DateFormats)
        {
            if (DateTime.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var t))
            {
                return t.ToString(dateOnly ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            }
        }

        // Excel stores dates as days since 1899-12-30; exports from spreadsheets often keep the number.
        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var serial) && serial is > 1 and < 110_000)
        {
            return new DateTime(1899, 12, 30).AddDays(serial).ToString(dateOnly ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        return value; // left as it is, so the row is rejected with the canonical reason and the original text
    }

    private static string? Number(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        var s = value.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\u00A0", string.Empty, StringComparison.Ordinal).Replace("\u202F", string.Empty, StringComparison.Ordinal);
        var comma = s.LastIndexOf(',');
        var point = s.LastIndexOf('.');

        // The separator that comes last is the decimal one: "1.234,56" and "1,234.56" both mean 1234.56.
        return comma > point
            ? s.Replace(".", string.Empty, StringComparison.Ordinal).Replace(',', '.')
            : s.Replace(",", string.Empty, StringComparison.Ordinal);
    }
}
