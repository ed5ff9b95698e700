using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Import;

/// <summary>One mutated input file: the sample it came from, what was done to it, and its bytes.</summary>
public sealed record FuzzCase(int Id, string FileName, string Mutations, byte[] Bytes);

/// <summary>
/// The result of importing one <see cref="FuzzCase"/>: the invariants it broke (<see cref="Violations"/>,
/// empty when the import kept every promise) and the counts the import printed.
/// </summary>
public sealed record FuzzOutcome(FuzzCase Case, string Kind, long Read, long Stored, long Rejected, IReadOnlyList<string> Violations);

/// <summary>
/// A deterministic import fuzzer shared by the test suite (a few hundred cases) and the campaign in
/// benchmarks (thousands). It mutates the canonical samples at byte and field level, imports each file
/// through the real <see cref="Importer"/>, and checks what the product promises: no exception but the
/// user-error type, <c>read = stored + rejected</c>, every rejected line in the rejects file with its
/// record unchanged, and the stored rows equal to those of an independent reference reading of the
/// contract (its own CSV splitter and value rules, written without the product's parsers).
/// </summary>
public static class ImportFuzz
{
    private static readonly string[] HugeNumbers =
    [
        "99999999999999", "100000000000000", "99999999999999.9999", "1e309", "1E5", "1.00000000000000000000000000001",
        "0.00000000000000000000000000000000000000001", "-1", "9223372036854775808", "12345678901.1234", "123456789012.5",
        "0.00005", "10.10000", "-0", "+7", ".5", "5.", "1,5", "1 000", "NaN", "Infinity", "١٢",
    ];

    private static readonly string[] OddDates =
    [
        "2024-02-29", "2025-02-29", "0001-01-01", "9999-12-31", "2201-01-01", "1899-12-31", "2025-13-01", "2025-00-10",
        "2025-01-01T24:00", "2025-01-01 23:59:60", "2025-01-01T10:00:00.123456789", "2025-01-01t10:00z", "2025-01-01Z",
        "2025-01-01+03:00", "2025-01-01 10:00+14:59", "2025-01-01 10:00-15:00", "2025-1-1", "01.02.2025", "2025-01-01 10:00:00.",
        "2025-01-01  10:00", "２０２５-01-01", "2025-01-01T10:00:00.5Z", "2025-06-15 12:00 ", "\t2025-06-15",
    ];

    private static readonly Regex TimestampForm = new(
        "^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?)?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))?\\z",
        RegexOptions.CultureInvariant);

    private static readonly Regex DecimalForm = new("^[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)\\z", RegexOptions.CultureInvariant);

    private static readonly Regex IntegerForm = new("^[+-]?[0-9]+\\z", RegexOptions.CultureInvariant);

    /// <summary>Generates <paramref name="count"/> cases from the <c>*.csv</c> samples in <paramref name="samples"/>; the same seed gives the same cases.</summary>
    public static IEnumerable<FuzzCase> Cases(string samples, int seed, int count)
    {
        var files = Directory.GetFiles(samples, "*.csv").Order(StringComparer.Ordinal).Select(f => (Name: Path.GetFileName(f), Bytes: File.ReadAllBytes(f))).ToList();
        for (var id = 0; id < count; id++)
        {
            var rng = new Random(seed + (id * 7919));
            var (name, original) = files[id % files.Count];
            var bytes = original;
            var done = new List<string>();
            var n = 1 + rng.Next(3);
            for (var k = 0; k < n; k++)
            {
                (bytes, var what) = Mutate(bytes, rng);
                done.Add(what);
            }

            yield return new FuzzCase(id, name, string.Join(" + ", done), bytes);
        }
    }

    /// <summary>
    /// Imports the cases into <paramref name="ws"/> (each in its own folder under <paramref name="work"/>)
    /// and checks every invariant. Cases of different entities share one import, eight files at a time,
    /// as a user's folder would; when such an import fails, each of its files is imported alone so the
    /// failure is pinned on its own file.
    /// </summary>
    public static IReadOnlyList<FuzzOutcome> CheckAll(Workspace ws, string work, IEnumerable<FuzzCase> cases)
    {
        var outcomes = new List<FuzzOutcome>();
        foreach (var batch in cases.Chunk(EntityCatalog.All.Length))
        {
            var prepared = batch.Select(c => Prepare(work, c)).ToList();
            if (prepared.Select(p => p.Entity.Name).Distinct(StringComparer.Ordinal).Count() != batch.Length)
            {
                outcomes.AddRange(prepared.Select(p => Check(ws, work, p.Case)));
                continue;
            }

            ImportReport report;
            try
            {
                report = new Importer(ws, TimeProvider.System).Run(new ImportOptions { Paths = [.. prepared.Select(p => p.Path)], ReportDirectory = Path.Combine(work, $"case-{batch[0].Id}", "rejects") });
            }
            catch (Exception)
            {
                outcomes.AddRange(prepared.Select(p => Check(ws, work, p.Case)));
                continue;
            }

            outcomes.AddRange(prepared.Select(p => Verify(ws, p.Case, p.Entity, p.Expected, report.Files.Single(f => f.Path == p.Path))));
        }

        return outcomes;
    }

    /// <summary>Imports <paramref name="c"/> alone into <paramref name="ws"/> (its own folder under <paramref name="work"/>) and checks every invariant.</summary>
    public static FuzzOutcome Check(Workspace ws, string work, FuzzCase c)
    {
        var (_, path, entity, expected) = Prepare(work, c);
        var checker = new Checker();
        try
        {
            var report = new Importer(ws, TimeProvider.System).Run(new ImportOptions { Paths = [path], ReportDirectory = Path.Combine(work, $"case-{c.Id}", "rejects") });
            return Verify(ws, c, entity, expected, report.Files.Single());
        }
        catch (SalesKpiException ex)
        {
            checker.Expect(expected.SumOverflow, $"the import failed as a user error although the reference stores rows: {ex.Message}");
            return checker.Outcome(c, "failed", 0, 0, 0);
        }
        catch (Exception ex)
        {
            checker.Expect(false, $"unexpected {ex.GetType().Name}: {ex.Message}");
            return checker.Outcome(c, "crashed", 0, 0, 0);
        }
    }

    private static (FuzzCase Case, string Path, EntityDef Entity, Reference.Result Expected) Prepare(string work, FuzzCase c)
    {
        var folder = Path.Combine(work, $"case-{c.Id}");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, c.FileName);
        File.WriteAllBytes(path, c.Bytes);
        var entity = EntityCatalog.FromFileName(path)!;
        return (c, path, entity, Reference.Read(c.Bytes, entity));
    }

    private static FuzzOutcome Verify(Workspace ws, FuzzCase c, EntityDef entity, Reference.Result expected, FileReport f)
    {
        var checker = new Checker();
        void Expect(bool ok, string what) => checker.Expect(ok, what);
        Expect(f.Read == f.Stored + f.Rejected, $"read {f.Read} != stored {f.Stored} + rejected {f.Rejected}");
        var storedHere = Convert.ToInt64(ws.Scalar($"SELECT count(*) FROM \"{entity.Name}\" WHERE file_id = {f.FileId}"), CultureInfo.InvariantCulture);
        var kind = f.Error is not null ? "whole-file" : f.Rejected > 0 ? "partial" : "clean";

        if (expected.WholeFile is { } reason)
        {
            Expect(f.Error is not null, $"the reference rejects the file whole ({reason}) but the import took it: read {f.Read}, stored {f.Stored}");
            Expect(storedHere == 0, $"a file rejected whole left {storedHere} rows behind");
            Expect(f.Read == expected.Records.Count && f.Rejected == expected.Records.Count, $"a file rejected whole ({reason}) counts read {f.Read}, rejected {f.Rejected}; it has {expected.Records.Count} rows");
            if (expected.Records.Count > 0)
            {
                CheckRejectsFile(f, expected, [.. expected.Records.Select(r => r.Line)], Expect);
            }
            else
            {
                Expect(f.RejectsPath is null, "a rejects file was written for a file rejected whole that has no rows");
            }

            return checker.Outcome(c, kind, f.Read, f.Stored, f.Rejected);
        }

        Expect(f.Error is null, $"the import rejected the file whole ({f.Error}) but the reference reads it");
        if (f.Error is not null)
        {
            return checker.Outcome(c, kind, f.Read, f.Stored, f.Rejected);
        }

        Expect(f.Read == expected.Records.Count, $"read {f.Read}, the reference reads {expected.Records.Count} rows");
        Expect(f.Rejected == expected.RejectedLines.Count, $"rejected {f.Rejected}, the reference rejects {expected.RejectedLines.Count} (lines {string.Join(' ', expected.RejectedLines.Take(8))})");
        Expect(storedHere == f.Stored - f.Merged, $"{storedHere} rows stored in the table, the report says {f.Stored} stored of which {f.Merged} merged");

        var actualRows = ws.Query($"SELECT * EXCLUDE (file_id, source_line) FROM \"{entity.Name}\" WHERE file_id = {f.FileId}", r =>
            string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => Reference.Canonical(r.IsDBNull(i) ? null : r.GetValue(i), entity.Columns[i].Type)))).Order(StringComparer.Ordinal).ToList();
        var missing = expected.StoredRows.Except(actualRows).ToList();
        var extra = actualRows.Except(expected.StoredRows).ToList();
        Expect(missing.Count == 0 && extra.Count == 0 && actualRows.Count == expected.StoredRows.Count, $"stored rows differ from the reference: missing [{string.Join("; ", missing.Take(2))}], unexpected [{string.Join("; ", extra.Take(2))}], {actualRows.Count} vs {expected.StoredRows.Count}");

        if (expected.RejectedLines.Count > 0)
        {
            CheckRejectsFile(f, expected, expected.RejectedLines, Expect);
        }
        else
        {
            Expect(f.RejectsPath is null, "a rejects file was written although nothing was rejected");
        }

        return checker.Outcome(c, kind, f.Read, f.Stored, f.Rejected);
    }

    /// <summary>Collects broken invariants.</summary>
    private sealed class Checker
    {
        private readonly List<string> violations = [];

        public void Expect(bool ok, string what)
        {
            if (!ok)
            {
                violations.Add(what);
            }
        }

        public FuzzOutcome Outcome(FuzzCase c, string kind, long read, long stored, long rejected) => new(c, kind, read, stored, rejected, violations);
    }

    private static void CheckRejectsFile(FileReport f, Reference.Result expected, IReadOnlyCollection<long> lines, Action<bool, string> expect)
    {
        if (f.RejectsPath is null || !File.Exists(f.RejectsPath))
        {
            expect(false, $"{lines.Count} rejected rows but no rejects file");
            return;
        }

        var records = Reference.Split(File.ReadAllText(f.RejectsPath, Encoding.UTF8).TrimStart('\uFEFF'));
        var header = records.Count > 0 ? records[0].Fields : [];
        var ok = header.Count >= 3 && header[^3] == "_reject_line" && header[^2] == "_reject_column" && header[^1] == "_reject_reason";
        var byLine = new Dictionary<long, List<string>>();
        foreach (var r in records.Skip(1))
        {
            if (r.Fields.Count < 4 || !long.TryParse(r.Fields[^3], NumberStyles.None, CultureInfo.InvariantCulture, out var line) || r.Fields[^1].Length == 0 || byLine.ContainsKey(line))
            {
                ok = false;
                continue;
            }

            byLine[line] = [.. r.Fields.Take(r.Fields.Count - 3)];
        }

        expect(ok && byLine.Count == records.Count - 1, "the rejects file is not valid CSV with one _reject_line, _reject_column, _reject_reason per record");
        expect(byLine.Keys.Order().SequenceEqual(lines.Order()), $"the rejects file holds lines [{string.Join(' ', byLine.Keys.Order().Take(8))}], rejected were [{string.Join(' ', lines.Order().Take(8))}]");
        var originals = expected.Records.ToDictionary(r => r.Line);
        var changed = byLine.Where(kv => originals.TryGetValue(kv.Key, out var o) && !o.Fields.SequenceEqual(kv.Value)).Select(kv => kv.Key).ToList();
        string Show(IEnumerable<string> fields) => string.Join(',', fields).Replace("\0", "\\0", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
        expect(changed.Count == 0, changed.Count == 0 ? string.Empty : $"the rejects file changed the records of lines {string.Join(' ', changed.Take(8))} (first: [{Show(originals[changed[0]].Fields)}] became [{Show(byLine[changed[0]])}])");
    }

    private static (byte[] Bytes, string What) Mutate(byte[] b, Random rng)
    {
        int At(int extra = 0) => b.Length == 0 ? 0 : rng.Next(b.Length + extra);
        byte[] Insert(int at, params byte[] ins) => [.. b[..at], .. ins, .. b[at..]];
        switch (rng.Next(20))
        {
            case 0:
                if (b.Length == 0)
                {
                    return (b, "flip (empty)");
                }

                var p = At();
                var bit = 1 << rng.Next(8);
                var flipped = (byte[])b.Clone();
                flipped[p] ^= (byte)bit;
                return (flipped, $"flip byte {p} bit {bit}");
            case 1:
                var cut = At(1);
                return (b[..cut], $"truncate at {cut}");
            case 2:
                var q = At(1);
                return (Insert(q, (byte)'"'), $"quote at {q}");
            case 3:
                var dl = At(1);
                return (Insert(dl, (byte)','), $"comma at {dl}");
            case 4:
                var z = At(1);
                return (Insert(z, 0), $"NUL at {z}");
            case 5:
                var ff = At(1);
                return (Insert(ff, 0xFF), $"0xFF at {ff}");
            case 6:
                var bom = rng.Next(3) == 0 ? 0 : At(1);
                return (Insert(bom, 0xEF, 0xBB, 0xBF), $"BOM at {bom}");
            case 7:
                var half = At(1);
                return (Insert(half, 0xD0), $"cut UTF-8 sequence at {half}");
            case 8:
                return Lines(b, rng);
            default:
                return Fields(b, rng);
        }
    }

    private static (byte[] Bytes, string What) Lines(byte[] b, Random rng)
    {
        var text = Encoding.UTF8.GetString(b);
        var ending = rng.Next(3) switch { 0 => "\r\n", 1 => "\r", _ => "mixed" };
        var lines = text.Split('\n');
        var sb = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            sb.Append(lines[i]);
            if (i < lines.Length - 1)
            {
                sb.Append(ending == "mixed" ? (rng.Next(3) switch { 0 => "\r\n", 1 => "\r", _ => "\n" }) : ending);
            }
        }

        return (Encoding.UTF8.GetBytes(sb.ToString()), $"line ends {ending.Replace("\r", "CR", StringComparison.Ordinal).Replace("\n", "LF", StringComparison.Ordinal)}");
    }

    // Field-level mutations assume the samples' own form (LF, no quotes), which holds unless an earlier
    // byte mutation broke it; then they still produce some input, which is all a fuzzer needs.
    private static (byte[] Bytes, string What) Fields(byte[] b, Random rng)
    {
        var lines = Encoding.UTF8.GetString(b).Split('\n').ToList();
        if (lines.Count < 3)
        {
            return (b, "fields (too short)");
        }

        var header = lines[0].Split(',').ToList();
        var row = 1 + rng.Next(lines.Count - 2);
        List<string>? cells = [.. lines[row].Split(',')];
        var col = rng.Next(cells.Count);
        string Done(string what)
        {
            lines[0] = string.Join(',', header);
            if (row < lines.Count && cells is not null)
            {
                lines[row] = string.Join(',', cells);
            }

            return what;
        }

        string what;
        switch (rng.Next(11))
        {
            case 0:
                header.Add(header[rng.Next(header.Count)]);
                what = Done($"header column {header[^1]} twice");
                break;
            case 1:
                var drop = rng.Next(header.Count);
                what = $"header without {header[drop]}";
                header.RemoveAt(drop);
                what = Done(what);
                break;
            case 2:
                var gone = rng.Next(header.Count);
                what = $"column {header[gone]} removed everywhere";
                for (var i = 0; i < lines.Count; i++)
                {
                    var parts = lines[i].Split(',').ToList();
                    if (parts.Count == header.Count)
                    {
                        parts.RemoveAt(gone);
                        lines[i] = string.Join(',', parts);
                    }
                }

                header = [.. lines[0].Split(',')];
                cells = null;
                what = Done(what);
                break;
            case 3:
                cells![col] = HugeNumbers[rng.Next(HugeNumbers.Length)];
                what = Done($"line {row + 1} field {col + 1} = {cells[col]}");
                break;
            case 4:
                cells![col] = OddDates[rng.Next(OddDates.Length)];
                what = Done($"line {row + 1} field {col + 1} = {cells[col]}");
                break;
            case 5:
                var copy = lines[row];
                var to = 1 + rng.Next(lines.Count - 1);
                lines.Insert(to, copy);
                cells = null;
                what = Done($"line {row + 1} repeated at {to + 1}");
                break;
            case 6:
                var other = lines[row].Split(',');
                var c2 = other.Length > 1 ? 1 + rng.Next(other.Length - 1) : 0;
                other[c2] = other[c2].Length > 0 ? other[c2][..^1] : "x";
                lines.Insert(1 + rng.Next(lines.Count - 1), string.Join(',', other));
                cells = null;
                what = Done($"line {row + 1} repeated with field {c2 + 1} changed");
                break;
            case 7:
                lines.Insert(1 + rng.Next(lines.Count - 1), rng.Next(2) == 0 ? string.Empty : "   ");
                cells = null;
                what = Done("blank line inserted");
                break;
            case 8:
                cells![col] = (rng.Next(2) == 0 ? " \t" : string.Empty) + cells[col].ToUpperInvariant() + "  ";
                what = Done($"line {row + 1} field {col + 1} padded and upper-cased");
                break;
            case 9:
                cells![col] = "\"" + cells[col] + (rng.Next(2) == 0 ? "\"" : ",\"\"x\"\"\n\"");
                what = Done($"line {row + 1} field {col + 1} quoted");
                break;
            default:
                lines.RemoveAt(row);
                cells = null;
                what = Done($"line {row + 1} removed");
                break;
        }

        return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), what);
    }

    /// <summary>
    /// An independent reading of a canonical file by the contract and docs/import.md: own RFC 4180
    /// splitter, own value rules, own duplicate handling. Deliberately simple and slow.
    /// </summary>
    public static class Reference
    {
        /// <summary>One record with its first physical line.</summary>
        public sealed record Record(long Line, IReadOnlyList<string> Fields, bool Unterminated, bool Quoted);

        /// <summary>What the file should give: its records, whole-file reason, rejected lines and stored rows (canonical text).</summary>
        public sealed record Result(IReadOnlyList<Record> Records, string? WholeFile, IReadOnlyList<long> RejectedLines, IReadOnlyList<string> StoredRows, bool SumOverflow);

        /// <summary>Reads <paramref name="bytes"/> as a canonical file of <paramref name="entity"/>.</summary>
        public static Result Read(byte[] bytes, EntityDef entity)
        {
            var body = bytes.AsSpan();
            if (body.StartsWith("\uFEFF"u8))
            {
                body = body[3..];
            }

            var lossy = Encoding.UTF8.GetString(body);
            var all = Split(lossy);
            var rows = all.Skip(1).ToList();
            if (bytes.Length == 0 || all.Count == 0)
            {
                return Whole(rows, "empty");
            }

            if (bytes.AsSpan(0, Math.Min(bytes.Length, 8192)).Contains((byte)0))
            {
                return Whole(rows, "NUL in the first 8 KB");
            }

            if (!Utf8.IsValid(body))
            {
                return Whole(rows, "not UTF-8");
            }

            // import.md: byte-order marks repeated at the start of the file are not part of the first name.
            var names = all[0].Fields.Select((n, i) => (i == 0 ? n.TrimStart('\uFEFF') : n).Trim()).ToList();
            var map = new int[entity.Columns.Length];
            Array.Fill(map, -1);
            for (var i = 0; i < names.Count; i++)
            {
                var c = entity.Columns.ToList().FindIndex(x => string.Equals(x.Name, names[i], StringComparison.OrdinalIgnoreCase));
                if (c < 0)
                {
                    continue;
                }

                if (map[c] >= 0)
                {
                    return Whole(rows, "a column named twice");
                }

                map[c] = i;
            }

            if (entity.Columns.Where((c, i) => c.Required && map[i] < 0).Any())
            {
                return Whole(rows, "a required column missing");
            }

            var rejected = new List<long>();
            var valid = new List<(long Line, object?[] Values)>();
            foreach (var r in rows)
            {
                // import.md: a NUL byte past the first 8 KB rejects its row (one in the first 8 KB rejected the file above).
                var nul = r.Fields.Any(f => f.Contains('\0', StringComparison.Ordinal));
                var values = nul || r.Unterminated || r.Fields.Count != names.Count ? null : Values(r, map, entity);
                if (values is null)
                {
                    rejected.Add(r.Line);
                }
                else
                {
                    valid.Add((r.Line, values));
                }
            }

            var keyIdx = entity.Key.Select(k => entity.Columns.ToList().FindIndex(c => c.Name == k)).ToArray();
            string KeyOf(object?[] v) => string.Join('|', keyIdx.Select(i => Canonical(v[i], entity.Columns[i].Type)));
            string RowOf(object?[] v) => string.Join('|', v.Select((x, i) => Canonical(x, entity.Columns[i].Type)));
            var stored = new List<string>();
            var overflow = false;
            foreach (var g in valid.GroupBy(v => KeyOf(v.Values)))
            {
                if (entity.SumColumn is { } sum)
                {
                    var s = entity.Columns.ToList().FindIndex(c => c.Name == sum);
                    var total = g.Sum(x => (decimal)x.Values[s]!);
                    overflow |= Math.Abs(total) > 99_999_999_999_999.9999m;
                    var first = (object?[])g.First().Values.Clone();
                    first[s] = total;
                    stored.Add(RowOf(first));
                }
                else if (g.Select(x => RowOf(x.Values)).Distinct(StringComparer.Ordinal).Count() > 1)
                {
                    rejected.AddRange(g.Select(x => x.Line));
                }
                else
                {
                    stored.Add(RowOf(g.First().Values));
                }
            }

            return new Result(rows, null, [.. rejected.Order()], [.. stored.Order(StringComparer.Ordinal)], overflow);
        }

        /// <summary>A value as comparable text: the same for the reference's value and the one read back from the table.</summary>
        public static string Canonical(object? v, ColumnType type) => v switch
        {
            null => "(null)",
            DateTime t when type == ColumnType.Date => DateOnly.FromDateTime(t).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            decimal m => m.ToString("0.############################", CultureInfo.InvariantCulture),
            double x => x.ToString("R", CultureInfo.InvariantCulture),
            float x => ((double)x).ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? string.Empty,
        };

        /// <summary>Splits text into RFC 4180 records; empty physical lines are not records.</summary>
        public static List<Record> Split(string text)
        {
            var records = new List<Record>();
            var fields = new List<string>();
            var field = new StringBuilder();
            long line = 1, start = 1;
            var i = 0;
            var inQuotes = false;
            var quotedFirst = false;
            var fieldStart = true;
            var any = false;
            void EndRecord(bool unterminated)
            {
                fields.Add(field.ToString());
                field.Clear();
                if (fields.Count > 1 || fields[0].Length > 0 || unterminated || quotedFirst)
                {
                    records.Add(new Record(start, [.. fields], unterminated, quotedFirst));
                }

                fields.Clear();
                quotedFirst = false;
                fieldStart = true;
            }

            while (i < text.Length)
            {
                any = true;
                var c = text[i];
                if (fieldStart)
                {
                    fieldStart = false;
                    if (c == '"')
                    {
                        inQuotes = true;
                        quotedFirst |= fields.Count == 0;
                        i++;
                        continue;
                    }
                }

                if (inQuotes)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                    }
                    else if (c == '"')
                    {
                        inQuotes = false;
                        i++;
                    }
                    else
                    {
                        if (c == '\n' || (c == '\r' && !(i + 1 < text.Length && text[i + 1] == '\n')))
                        {
                            line++;
                        }

                        field.Append(c);
                        i++;
                    }

                    continue;
                }

                if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStart = true;
                    i++;
                }
                else if (c == '\r' || c == '\n')
                {
                    i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    line++;
                    EndRecord(false);
                    start = line;
                    any = false;
                }
                else
                {
                    field.Append(c);
                    i++;
                }
            }

            if (any || inQuotes)
            {
                EndRecord(inQuotes);
            }

            return records;
        }

        private static Result Whole(List<Record> rows, string reason) => new(rows, reason, [], [], false);

        private static object?[]? Values(Record r, int[] map, EntityDef entity)
        {
            var values = new object?[entity.Columns.Length];
            for (var i = 0; i < entity.Columns.Length; i++)
            {
                if (map[i] < 0)
                {
                    continue;
                }

                var col = entity.Columns[i];
                var s = r.Fields[map[i]].Trim();
                if (s.Length == 0)
                {
                    if (col.Required)
                    {
                        return null;
                    }

                    continue;
                }

                object? v = col.Type switch
                {
                    ColumnType.Text => s,
                    ColumnType.Enum => col.EnumValues.FirstOrDefault(e => string.Equals(e, s, StringComparison.OrdinalIgnoreCase)),
                    ColumnType.Currency => s.Length == 3 && s.All(char.IsAsciiLetter) ? s.ToUpperInvariant() : null,
                    ColumnType.Timestamp => Timestamp(s),
                    ColumnType.Date => s.Length == 10 && Timestamp(s) is DateTime d ? (object?)DateOnly.FromDateTime(d) : null,
                    ColumnType.Integer => IntegerForm.IsMatch(s) && BigInteger.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) is var b && b >= long.MinValue && b <= long.MaxValue ? (object?)(long)b : null,
                    ColumnType.Number => Decimal(s, 11),
                    ColumnType.Money => Decimal(s, 14),
                    _ => throw new ArgumentOutOfRangeException(nameof(entity)),
                };
                if (v is null)
                {
                    return null;
                }

                var magnitude = v switch { long l => (decimal?)l, decimal m => m, _ => null };
                if ((col.Min is { } min && magnitude < min) || (col.Max is { } max && magnitude > max))
                {
                    return null;
                }

                values[i] = col.Type == ColumnType.Number ? (double)(decimal)v : v;
            }

            foreach (var rule in entity.RequiredWhen)
            {
                var when = values[entity.Columns.ToList().FindIndex(c => c.Name == rule.WhenColumn)] as string;
                if (values[entity.Columns.ToList().FindIndex(c => c.Name == rule.Column)] is null && when is not null && rule.WhenValues.Contains(when))
                {
                    return null;
                }
            }

            return values;
        }

        private static decimal? Decimal(string s, int integerDigits)
        {
            if (!DecimalForm.IsMatch(s))
            {
                return null;
            }

            var unsigned = s.TrimStart('+', '-');
            var dot = unsigned.IndexOf('.', StringComparison.Ordinal);
            var whole = (dot < 0 ? unsigned : unsigned[..dot]).TrimStart('0');
            var fraction = dot < 0 ? string.Empty : unsigned[(dot + 1)..].TrimEnd('0');
            if (whole.Length > integerDigits || fraction.Length > 4)
            {
                return null;
            }

            var value = decimal.Parse((whole.Length == 0 ? "0" : whole) + (fraction.Length > 0 ? "." + fraction : string.Empty), CultureInfo.InvariantCulture);
            return s.StartsWith('-') ? -value : value;
        }

        private static DateTime? Timestamp(string s)
        {
            var m = TimestampForm.Match(s);
            if (!m.Success)
            {
                return null;
            }

            int G(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
            var (year, month, day, hour, minute, second) = (G(1), G(2), G(3), G(4), G(5), G(6));
            if (year is < 1900 or > 2200 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            {
                return null;
            }

            // The workspace stores microseconds.
            var fraction = m.Groups[7].Success ? m.Groups[7].Value.PadRight(6, '0')[..6] : "0";
            var t = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(long.Parse(fraction, CultureInfo.InvariantCulture) * 10);
            if (m.Groups[9].Success)
            {
                var (oh, om) = (G(10), G(11));
                if (oh > 14 || om > 59)
                {
                    return null;
                }

                var offset = new TimeSpan(oh, om, 0);
                t -= m.Groups[9].Value == "-" ? -offset : offset;
            }

            return t;
        }
    }

    private static class Utf8
    {
        private static readonly UTF8Encoding Strict = new(false, true);

        public static bool IsValid(ReadOnlySpan<byte> bytes)
        {
            try
            {
                Strict.GetCharCount(bytes);
                return true;
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }
    }
}
