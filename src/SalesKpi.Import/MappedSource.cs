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
    /// Detects what <paramref name="mapping"/> leaves on <c>auto</c>. The encoding: a byte-order mark decides (UTF-8,
    /// UTF-16 LE or BE: Excel's "Unicode text"); else UTF-8 when the first 64 KiB decode as UTF-8; else a single-byte
    /// code page by the shape of its letters (<see cref="LooksCyrillic"/>): Windows-1251 for Russian text, Windows-1252
    /// (a superset of Latin-1) otherwise. <c>encoding:</c> in the profile overrides: utf-8, utf-16, utf-16be,
    /// windows-1251, windows-1252, latin-1. The delimiter is the most frequent of <c>,</c> <c>;</c> and tab in the
    /// header line.
    /// </summary>
    public static SourceFormat Detect(string path, FileMapping mapping)
    {
        var head = new byte[65536];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var sample = head.AsSpan(0, n);
        Encoding encoding = mapping.Encoding.ToUpperInvariant() switch
        {
            "UTF-8" or "UTF8" => new UTF8Encoding(true, throwOnInvalidBytes: true),
            "UTF-16" or "UTF16" or "UTF-16LE" or "UNICODE" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
            "UTF-16BE" => new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
            "WINDOWS-1251" or "CP1251" => CodePage(1251),
            "WINDOWS-1252" or "CP1252" or "LATIN-1" or "LATIN1" or "ISO-8859-1" => CodePage(1252),
            _ when sample.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
            _ when sample.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) => new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
            _ when LooksUtf8(sample) => new UTF8Encoding(true, throwOnInvalidBytes: true),
            _ => CodePage(LooksCyrillic(sample) ? 1251 : 1252),
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

    /// <summary>
    /// Whether bytes that are not UTF-8 read as Russian in Windows-1251 rather than as Western text in Windows-1252.
    /// In Russian text nearly every byte of 0xC0–0xFF is a letter inside a word of such letters; in Spanish, French or
    /// German text the same bytes are single accented letters between ASCII ones (<c>Dirección</c>, <c>Müller</c>). So:
    /// Cyrillic when at least 60 % of the bytes 0xC0–0xFF have such a byte right before or after them. Ties and texts
    /// without such bytes read as Windows-1252 (whose first half is ASCII, so nothing is lost for English).
    /// </summary>
    public static bool LooksCyrillic(ReadOnlySpan<byte> bytes)
    {
        static bool High(byte b) => b >= 0xC0;
        long high = 0, paired = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (!High(bytes[i]))
            {
                continue;
            }

            high++;
            if ((i > 0 && High(bytes[i - 1])) || (i + 1 < bytes.Length && High(bytes[i + 1])))
            {
                paired++;
            }
        }

        return high > 0 && paired * 10 >= high * 6;
    }

    private static Encoding CodePage(int page)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(page);
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

/// <summary>A note about a mapped file that is not a rejected row: a value the map does not list, an optional column the file lacks, skipped footer lines.</summary>
/// <param name="Column">The canonical column concerned, or empty for the file.</param>
/// <param name="Message">What happened.</param>
/// <param name="Count">How many rows or lines it concerns.</param>
/// <param name="Lines">The first few of their source lines.</param>
internal sealed record SourceNote(string Column, Msg Message, long Count, IReadOnlyList<long> Lines);

/// <summary>
/// Presents a source export as canonical records: the header is the mapped canonical column names,
/// each record the mapped values — taken from the first present of alternative columns, the first non-empty of
/// several, a condition on other columns, a constant, a concatenation, passed through a value map — with "no value"
/// placeholders read as empty, dates brought into the canonical form (profile formats, Excel serial numbers, a
/// column's own time zone), numbers cleaned of thousands separators and currency signs, and currency names made ISO
/// codes. Report footer lines are skipped. The canonical validation then applies unchanged; line numbers stay those
/// of the source file.
/// </summary>
internal sealed class MappedSource(IRecordSource source, FileMapping mapping, EntityDef entity) : IRecordSource
{
    /// <summary>Texts read as "no value" in every mapped file (matched case-insensitively after trimming).</summary>
    public static readonly IReadOnlyList<string> BuiltInEmptyValues = ["не закрыта", "не закрыто", "нет", "—", "–", "-", "N/A", "n/a", "NA", "null", "(none)", "none", "--"];

    private const int SampleLines = 5;

    private static readonly string[] CanonicalLocal = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd"];

    private readonly List<(ColumnDef Column, ColumnRule Rule)> rules = [.. mapping.Columns.Select(kv => (entity[kv.Key], ColumnRule.From(kv.Value)!))];
    private readonly HashSet<string> empty = new(BuiltInEmptyValues.Concat(mapping.EmptyValues).Select(v => v.Trim()), StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Column, string Value, string To), (long Count, List<long> Lines)> unlisted = [];
    private readonly List<SourceNote> notes = [];
    private readonly List<long> footerLines = [];
    private readonly List<long> garbledLines = [];
    private long garbled;
    private (int Later, int Earlier)[] sameDayPairs = [];
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

    /// <summary>
    /// The name of the encoding the text was decoded with when it was a guess that can go wrong silently (a single-byte
    /// code page, UTF-16): records are then checked for replacement characters and C0/C1 control characters, which
    /// readable text never holds; null for UTF-8 (decoded strictly: bad bytes reject the file) and workbooks.
    /// </summary>
    public string? CheckedDecoding { get; init; }

    /// <summary>The folder of the file, where the files of lookups are found; null: lookups find nothing.</summary>
    public string? Folder { get; init; }

    /// <summary>The notes of the file read so far: optional columns absent, values the maps do not list, skipped footer lines.</summary>
    public IReadOnlyList<SourceNote> Notes =>
    [
        .. notes,
        .. unlisted.OrderBy(u => u.Key.Column, StringComparer.Ordinal).ThenByDescending(u => u.Value.Count).Select(u => new SourceNote(
            u.Key.Column,
            u.Key.To.Split('\u0000') is [_, var file]
                ? Msg.Of("mapping.lookup_unlisted", "'{0}' is not in {1}: kept as it is", "«{0}» нет в {1}: оставлено как есть", u.Key.Value, file)
                : Msg.Of("mapping.unlisted_value", "'{0}' is not in the profile's map of {1}: taken as '{2}'", "«{0}» нет в карте значений профиля для {1}: принято как «{2}»", u.Key.Value, u.Key.Column, u.Key.To),
            u.Value.Count,
            u.Value.Lines)),
        .. garbled == 0 ? [] : new[]
        {
            new SourceNote(string.Empty, Msg.Of("mapping.garbled", "characters that readable text never holds (replacement or control characters) after decoding as {0}: check the file's encoding, or set encoding: in the profile", "после декодирования как {0} встретились символы, которых не бывает в читаемом тексте (замены или управляющие): проверьте кодировку файла или задайте encoding: в профиле", CheckedDecoding!), garbled, garbledLines),
        },
        .. footerLines.Count == 0 ? [] : new[]
        {
            new SourceNote(string.Empty, Msg.Of("mapping.footer_skipped", "report footer lines skipped (totals, notices): they are not rows", "пропущены строки подвала отчёта (итоги, примечания): это не строки данных"), footerLines.Count, footerLines.Take(SampleLines).ToList()),
        },
    ];

    public bool Read()
    {
        while (true)
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

            if (IsFooter())
            {
                footerLines.Add(source.Line);
                continue;
            }

            // A record of empty fields only (",,,,": spreadsheets and reports write them between data and footer) holds nothing.
            if (source.RecordError is null && Enumerable.Range(0, source.FieldCount).All(i => source[i].Trim().IsEmpty))
            {
                continue;
            }

            header = false;
            if (CheckedDecoding is not null && Garbled())
            {
                garbled++;
                if (garbledLines.Count < SampleLines)
                {
                    garbledLines.Add(source.Line);
                }
            }

            RecordError = source.RecordError ?? (source.FieldCount == sourceFields
                ? null
                : Msg.Of("row.field_count", "the row has {0} fields but the header has {1}", "в строке {0} полей, а в заголовке {1}", source.FieldCount, sourceFields));
            if (RecordError is null)
            {
                values = [.. getters.Select(g => g())];
                SameDay();
            }

            return true;
        }
    }

    // A close date without a time on the day the deal was created is not "closed before created": the deal closed
    // that day, so it is taken as closed at the moment it was created (a cycle of 0 days), never 14 hours before.
    private void SameDay()
    {
        foreach (var (later, earlier) in sameDayPairs)
        {
            if (values[later] is { Length: 10 } day && values[earlier] is { Length: > 10 } start && start.StartsWith(day, StringComparison.Ordinal) && start[10] is ' ' or 'T')
            {
                values[later] = start;
            }
        }
    }

    private bool Garbled()
    {
        for (var f = 0; f < source.FieldCount; f++)
        {
            foreach (var c in source[f])
            {
                if (c == '\uFFFD' || (c < ' ' && c is not '\t' and not '\r' and not '\n') || c is >= '\u007F' and <= '\u009F')
                {
                    return true;
                }
            }
        }

        return false;
    }

    // A report's totals and notices: the first field fits a footer pattern (a totals line carries sums in other fields).
    private bool IsFooter()
    {
        if (mapping.Footer.Count == 0)
        {
            return false;
        }

        var first = source[0].Trim().ToString();
        return first.Length > 0 && mapping.Footer.Any(p => FileMapping.Fits(p, first));
    }

    private void Compile()
    {
        sourceFields = source.FieldCount;
        var names = HeaderRow.Fields(source);

        // Duplicate headers (an Excel re-save writes "Create Date" twice): the first one is read, as in canonical files.
        // A header may carry the currency (amoCRM's "Бюджет ₸"): it also answers to its name without it.
        var index = names.Select((n, i) => (n, i))
            .Concat(names.Select((n, i) => (n: Currencies.HeaderWithoutCurrency(n), i)).Where(x => x.n.Length > 0))
            .GroupBy(x => x.n, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        int Col(string name) => index.TryGetValue(name.Trim(), out var i) ? i : -1;

        var compiledGetters = new List<Func<string?>>();
        foreach (var (column, rule) in rules)
        {
            if (!rule.FindsSources(h => Col(h) >= 0))
            {
                if (rule.Optional)
                {
                    notes.Add(new SourceNote(column.Name, Msg.Of("mapping.optional_absent", "none of its source columns ({0}) is in the file: left empty", "ни одного из его столбцов источника ({0}) нет в файле: оставлен пустым", string.Join(", ", rule.Headers)), 0, []));
                    compiledGetters.Add(() => null);
                    continue;
                }

                missing.Add(column.Name + " ← " + string.Join(" | ", rule.Sources.Count > 0 ? rule.Sources : rule.Headers));
                continue;
            }

            compiledGetters.Add(Getter(column, rule, Col));
        }

        if (missing.Count > 0)
        {
            throw new FileRejectedException(
                Msg.Of("profile.source_columns_missing", "the file lacks the source columns the profile maps these columns from (| separates alternatives): {0}. Its columns: {1}", "в файле нет столбцов источника, из которых профиль берёт эти столбцы (| разделяет варианты): {0}. Его столбцы: {1}", string.Join("; ", missing), string.Join(", ", names)),
                0);
        }

        getters = [.. compiledGetters];
        var position = rules.Select((r, i) => (r.Column.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        sameDayPairs = [.. entity.TimeOrders.Where(t => position.ContainsKey(t.Later) && position.ContainsKey(t.Earlier)).Select(t => (position[t.Later], position[t.Earlier]))];
    }

    private string? Field(int index)
    {
        var v = source[index].Trim();
        return v.IsEmpty || empty.Contains(v.ToString()) ? null : v.ToString();
    }

    private Func<string?> Getter(ColumnDef column, ColumnRule rule, Func<string, int> col)
    {
        Func<string?> raw;
        if (rule.Const is { } constant)
        {
            raw = () => constant;
        }
        else if (rule.Concat is { } parts)
        {
            var compiled = parts.Select(p => p.StartsWith('$') ? (Index: ColumnRule.Alternatives(p).Select(col).FirstOrDefault(i => i >= 0, -1), Text: (string?)null) : (Index: -1, Text: p)).ToList();
            // Nothing to join when every referenced column is empty: a prefix alone would name a row that does not exist.
            raw = () => compiled.Where(p => p.Index >= 0).All(p => Field(p.Index) is null) && compiled.Any(p => p.Index >= 0)
                ? null
                : string.Concat(compiled.Select(p => p.Index >= 0 ? Field(p.Index) : p.Text));
        }
        else if (rule.Coalesce is { } candidates)
        {
            var present = candidates.Select(col).Where(i => i >= 0).ToArray();
            raw = () => present.Select(Field).FirstOrDefault(v => v is not null);
        }
        else if (rule.Cases is { } cases)
        {
            var tests = cases.Select(c => (Index: col(c.Column), c.EqualsValue, c.Value)).Where(c => c.Index >= 0).ToArray();
            raw = () => tests.FirstOrDefault(t => string.Equals(Field(t.Index), t.EqualsValue.Trim(), StringComparison.OrdinalIgnoreCase)).Value ?? rule.Default;
        }
        else
        {
            var i = rule.Sources.Select(col).First(i => i >= 0);
            raw = () => Field(i);
        }

        Func<string?> mapped = rule.Map is { } map && rule.Cases is null
            ? () =>
            {
                var v = raw();
                if (v is null)
                {
                    return null;
                }

                if (map.TryGetValue(v, out var to))
                {
                    return to;
                }

                if (rule.Default is { } fallback)
                {
                    Unlisted(column.Name, v, fallback);
                    return fallback;
                }

                return v;
            }
            : raw;
        if (rule.Lookup is { } lookup)
        {
            var table = LookupTable(column.Name, lookup);
            var before = mapped;
            mapped = () =>
            {
                var v = before();
                if (v is null || table is null)
                {
                    return v;
                }

                if (table.TryGetValue(v, out var name))
                {
                    return name;
                }

                Unlisted(column.Name, v, v, lookup.File);
                return v;
            };
        }

        var zone = rule.Zone is { } z ? TimeZoneInfo.FindSystemTimeZoneById(z) : null;
        return column.Type switch
        {
            ColumnType.Timestamp or ColumnType.Date => () => Date(mapped(), column.Type == ColumnType.Date, zone),
            ColumnType.Money or ColumnType.Number or ColumnType.Integer => () => Number(mapped()),
            ColumnType.Currency => () => Currencies.Code(mapped()),
            _ => mapped,
        };
    }

    // The lookup file's pairs, or null (with a note) when it is not beside the imported file or lacks the columns.
    private Dictionary<string, string>? LookupTable(string column, RuleLookup lookup)
    {
        var path = Folder is null ? null : Path.Combine(Folder, lookup.File);
        if (path is null || !File.Exists(path))
        {
            notes.Add(new SourceNote(column, Msg.Of("mapping.lookup_missing", "the lookup file {0} is not beside the imported file: the values are kept as they are", "файла подстановки {0} нет рядом с импортируемым: значения оставлены как есть", lookup.File), 0, []));
            return null;
        }

        var format = SourceFormat.Detect(path, new FileMapping());
        using var text = FileImport.OpenText(path, format.Encoding);
        var csv = new CsvRecordReader(text, delimiter: format.Delimiter);
        if (!csv.Read())
        {
            return null;
        }

        var names = HeaderRow.Fields(csv);
        var key = names.FindIndex(n => string.Equals(n, lookup.Key, StringComparison.OrdinalIgnoreCase));
        var value = names.FindIndex(n => string.Equals(n, lookup.Value, StringComparison.OrdinalIgnoreCase));
        if (key < 0 || value < 0)
        {
            notes.Add(new SourceNote(column, Msg.Of("mapping.lookup_columns", "the lookup file {0} has no columns {1} and {2} (its columns: {3}): the values are kept as they are", "в файле подстановки {0} нет столбцов {1} и {2} (его столбцы: {3}): значения оставлены как есть", lookup.File, lookup.Key, lookup.Value, string.Join(", ", names)), 0, []));
            return null;
        }

        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        while (csv.Read())
        {
            if (csv.FieldCount > Math.Max(key, value) && csv[value].Trim() is { IsEmpty: false } name)
            {
                table.TryAdd(csv[key].Trim().ToString(), name.ToString());
            }
        }

        return table;
    }

    // Never silently: every value the map (or a lookup file) does not list is counted with its first lines.
    private void Unlisted(string column, string value, string to, string? lookupFile = null)
    {
        var key = (column, value, to + (lookupFile is null ? string.Empty : "\u0000" + lookupFile));
        if (!unlisted.TryGetValue(key, out var seen))
        {
            seen = (0, []);
        }

        if (seen.Lines.Count < SampleLines)
        {
            seen.Lines.Add(source.Line);
        }

        unlisted[key] = (seen.Count + 1, seen.Lines);
    }

    private string? Date(string? value, bool dateOnly, TimeZoneInfo? zone)
    {
        if (string.IsNullOrEmpty(value) || ValueParser.TryParseTimestamp(value, TimeZoneInfo.Utc, out _) == ValueParser.Outcome.Ok && zone is null)
        {
            return value;
        }

        DateTime? parsed = null;
        var withTime = true;
        if (ValueParser.TryParseTimestamp(value, TimeZoneInfo.Utc, out _) == ValueParser.Outcome.Ok)
        {
            // Canonical already; with an offset of its own it needs no zone.
            if (!DateTime.TryParseExact(value, CanonicalLocal, CultureInfo.InvariantCulture, DateTimeStyles.None, out var canonical))
            {
                return value;
            }

            parsed = canonical;
            withTime = value.Trim().Length > 10;
        }

        foreach (var format in mapping.DateFormats)
        {
            if (parsed is null && DateTime.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var t))
            {
                parsed = t;
                withTime = format.Contains('H', StringComparison.Ordinal) || format.Contains('h', StringComparison.Ordinal);
            }
        }

        // Excel stores dates as days since 1899-12-30; exports from spreadsheets often keep the number.
        if (parsed is null && double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var serial) && serial is > 1 and < 110_000)
        {
            parsed = new DateTime(1899, 12, 30).AddDays(serial);
        }

        if (parsed is not { } local)
        {
            return value; // left as it is, so the row is rejected with the canonical reason and the original text
        }

        // A timestamp given as a date alone stays a date (midnight in the workspace's zone) so SameDay can tell it apart.
        if (dateOnly || (!withTime && zone is null))
        {
            return local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        // A column with its own zone is written in UTC with a Z, so the workspace's zone does not apply to it again.
        return zone is null
            ? local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private static string? Number(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value;
        }

        // Currency signs, codes and names around an amount ("$12,500.00", "12 500,00 ₽", "RUB 1 000") are not part of the number.
        var s = Currencies.StripFromAmount(value);
        s = s.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\u00A0", string.Empty, StringComparison.Ordinal).Replace("\u202F", string.Empty, StringComparison.Ordinal);
        var comma = s.LastIndexOf(',');
        var point = s.LastIndexOf('.');

        // The separator that comes last is the decimal one: "1.234,56" and "1,234.56" both mean 1234.56.
        return comma > point
            ? s.Replace(".", string.Empty, StringComparison.Ordinal).Replace(',', '.')
            : s.Replace(",", string.Empty, StringComparison.Ordinal);
    }
}
