using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Import;

/// <summary>Thrown when a file is rejected as a whole; the message says why and what to fix.</summary>
internal sealed class FileRejectedException(string message, long rowsRead) : Exception(message)
{
    public long RowsRead { get; } = rowsRead;
}

/// <summary>
/// Imports one canonical file inside the import's transaction: streams its rows into a typed staging
/// table (cell errors go to a rejects table), applies the cross-row rules with SQL, then upserts the
/// valid rows into the entity's table. Staging tables are dropped by <see cref="Dispose"/>.
/// </summary>
internal sealed class FileImport : IDisposable
{
    private const int ProgressEvery = 1 << 16;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Workspace ws;
    private readonly EntityDef entity;
    private readonly int importId;
    private readonly string stg;
    private readonly string rej;
    private readonly ISqlDialect d;
    private bool staged;

    public FileImport(Workspace ws, EntityDef entity, string path, int importId, int index)
    {
        this.ws = ws;
        this.entity = entity;
        Path = path;
        this.importId = importId;
        d = ws.Dialect;
        stg = $"_stg_{importId}_{index}";
        rej = $"_rej_{importId}_{index}";
    }

    public string Path { get; }

    public long Read { get; private set; }

    public long Rejected { get; private set; }

    public long Inserted { get; private set; }

    public long Replaced { get; private set; }

    public long Merged { get; private set; }

    public IReadOnlyList<string> IgnoredColumns { get; private set; } = [];

    /// <summary>Opens the file as strict UTF-8 text (BOM accepted); undecodable bytes surface as <see cref="DecoderFallbackException"/>.</summary>
    public static StreamReader OpenText(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan), StrictUtf8, detectEncodingFromByteOrderMarks: true, 1 << 16);

    /// <summary>Reads the file into staging. Throws <see cref="FileRejectedException"/> when the file cannot be taken at all.</summary>
    public void Stage(IImportProgress progress, CancellationToken ct)
    {
        RejectBinary();
        ws.Execute($"CREATE TABLE {rej} (_line BIGINT NOT NULL, _column VARCHAR, _reason VARCHAR NOT NULL)");
        ws.Execute($"CREATE TABLE {stg} (_line BIGINT NOT NULL, {string.Join(", ", entity.Columns.Select(c => $"{d.Quote(c.Name)} {d.TypeName(c.Type)}"))})");
        staged = true;

        using var text = OpenText(Path);
        var csv = new CsvRecordReader(text);
        try
        {
            if (!csv.Read())
            {
                throw new FileRejectedException(Loc.T("the file is empty: a header row naming the columns is required", "файл пуст: нужна строка заголовка с названиями столбцов"), 0);
            }

            var map = MapHeader(csv);
            var headerFields = csv.FieldCount;
            var parser = new CellParser(ws.Settings.Zone, entity.Columns.Length);
            var cells = new Cell[entity.Columns.Length];
            using (var rows = ws.CreateBulkWriter(stg))
            using (var rejects = ws.CreateBulkWriter(rej))
            {
                while (csv.Read())
                {
                    Read++;
                    if ((Read & (ProgressEvery - 1)) == 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        progress.Advanced(Path, text.BaseStream.Position, Read);
                    }

                    var (column, reason) = ParseRow(csv, headerFields, map, parser, cells);
                    if (reason is not null)
                    {
                        Rejected++;
                        rejects.Add(csv.Line);
                        rejects.Add(column);
                        rejects.Add(reason);
                        rejects.EndRow();
                        continue;
                    }

                    rows.Add(csv.Line);
                    for (var i = 0; i < cells.Length; i++)
                    {
                        cells[i].WriteTo(rows, entity.Columns[i].Type);
                    }

                    rows.EndRow();
                }
            }

            progress.Advanced(Path, text.BaseStream.Length, Read);
        }
        catch (DecoderFallbackException)
        {
            throw new FileRejectedException(
                Loc.F(
                    "the file is not UTF-8 text (undecodable bytes after line {0}): save it as UTF-8 CSV",
                    "файл не в кодировке UTF-8 (нечитаемые байты после строки {0}): сохраните его как CSV в UTF-8",
                    csv.Line),
                Read);
        }
    }

    /// <summary>Applies the row rules that need SQL (conditional requirements, duplicate keys) and drops the rejected rows from staging.</summary>
    public void Validate()
    {
        var before = RejectCount();
        if (entity.RequiredWhen.Length > 0)
        {
            var cols = new StringBuilder("CASE");
            var reasons = new StringBuilder("CASE");
            var args = new List<object?>();
            foreach (var r in entity.RequiredWhen)
            {
                var values = string.Join(", ", r.WhenValues.Select(v => $"'{v}'"));
                var cond = $"{d.Quote(r.Column)} IS NULL AND {d.Quote(r.WhenColumn)} IN ({values})";
                args.Add(r.Column);
                cols.Append(CultureInfo.InvariantCulture, $" WHEN {cond} THEN ${args.Count}");
                args.Add(Loc.F("{0} is required when {1} is {2}", "{0} обязательно, когда {1} = {2}", r.Column, r.WhenColumn, string.Join(Loc.T(" or ", " или "), r.WhenValues)));
                reasons.Append(CultureInfo.InvariantCulture, $" WHEN {cond} THEN ${args.Count}");
            }

            ws.Execute($"INSERT INTO {rej} SELECT _line, col, reason FROM (SELECT _line, {cols} END AS col, {reasons} END AS reason FROM {stg}) WHERE col IS NOT NULL", [.. args]);
        }

        var key = string.Join(", ", entity.Key.Select(d.Quote));
        var content = entity.Columns.Where(c => !entity.Key.Contains(c.Name)).Select(c => d.Quote(c.Name)).ToList();
        if (entity.SumColumn is null && content.Count > 0)
        {
            var notRejected = $"_line NOT IN (SELECT _line FROM {rej})";
            var dupKeys = Convert.ToInt64(ws.Scalar($"SELECT count(*) FROM (SELECT {key} FROM {stg} GROUP BY {key} HAVING count(*) > 1)"), CultureInfo.InvariantCulture);
            if (dupKeys > 0)
            {
                var join = string.Join(" AND ", entity.Key.Select(k => $"s.{d.Quote(k)} = g.{d.Quote(k)}"));
                ws.Execute(
                    $"""
                    INSERT INTO {rej}
                    SELECT s._line, $1, replace(replace($2, '<key>', g.{d.Quote(entity.Key[0])}), '<lines>', g.lines)
                    FROM {stg} s
                    JOIN (SELECT {key}, array_to_string(list_slice(list(_line ORDER BY _line), 1, 6), ', ') AS lines
                          FROM {stg} WHERE {notRejected}
                          GROUP BY {key} HAVING count(DISTINCT row({string.Join(", ", content)})) > 1) g ON {join}
                    WHERE s.{notRejected}
                    """,
                    entity.Key[0],
                    Loc.F(
                        "{0} '<key>' appears with different content on lines <lines>: keep one row per {0}",
                        "{0} «<key>» встречается с разным содержимым в строках <lines>: оставьте одну строку на {0}",
                        entity.Key[0]));
            }
        }

        var added = RejectCount() - before;
        if (added > 0)
        {
            Rejected += added;
            ws.Execute($"DELETE FROM {stg} WHERE _line IN (SELECT _line FROM {rej})");
        }
    }

    /// <summary>Replaces stored rows with the staged ones, key by key.</summary>
    public void Upsert()
    {
        var table = d.Quote(entity.Name);
        var cols = string.Join(", ", entity.Columns.Select(c => d.Quote(c.Name)));
        var key = string.Join(", ", entity.Key.Select(d.Quote));
        var match = string.Join(" AND ", entity.Key.Select(k => entity[k].Required
            ? $"t.{d.Quote(k)} = s.{d.Quote(k)}"
            : $"t.{d.Quote(k)} IS NOT DISTINCT FROM s.{d.Quote(k)}"));

        var staged = Read - Rejected;
        var keys = Convert.ToInt64(ws.Scalar($"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {stg})"), CultureInfo.InvariantCulture);
        Merged = staged - keys;
        Replaced = ws.Execute($"DELETE FROM {table} t USING (SELECT DISTINCT {key} FROM {stg}) s WHERE {match}");
        Inserted = keys - Replaced;

        string select;
        if (entity.SumColumn is { } sum)
        {
            var qs = d.Quote(sum);
            select = $"SELECT {string.Join(", ", entity.Columns.Select(c => c.Name == sum ? $"sum({qs}) AS {qs}" : d.Quote(c.Name)))}, {importId} FROM {stg} GROUP BY {key}";
        }
        else
        {
            // Same-key rows left after validation are identical, so DISTINCT keeps exactly one.
            select = Merged > 0 ? $"SELECT DISTINCT {cols}, {importId} FROM {stg}" : $"SELECT {cols}, {importId} FROM {stg}";
        }

        ws.Execute($"INSERT INTO {table} ({cols}, import_id) {select}");
    }

    /// <summary>Finds the warning classes of the stored rows and records each warned row in <paramref name="warningsTable"/>.</summary>
    public IReadOnlyList<ImportWarning> Warn(string warningsTable)
    {
        var found = new List<ImportWarning>();
        foreach (var t in entity.TimeOrders)
        {
            var msg = Loc.F("{0} is before {1}", "{0} раньше, чем {1}", t.Later, t.Earlier);
            Collect(t.Later, msg, $"{d.Quote(t.Later)} < {d.Quote(t.Earlier)}");
        }

        foreach (var r in entity.References)
        {
            var target = EntityCatalog.Find(r.Target)!;
            var msg = Loc.F("{0} names a {1} row that does not exist", "{0} ссылается на несуществующую запись {1}", r.Column, target.Name);
            Collect(r.Column, msg, $"{d.Quote(r.Column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {d.Quote(target.Name)} t WHERE t.{d.Quote(target.Key[0])} = s.{d.Quote(r.Column)})");
        }

        return found;

        void Collect(string column, string message, string condition)
        {
            var n = ws.Execute($"INSERT INTO {warningsTable} SELECT $1, s._line, $2, $3 FROM {stg} s WHERE {condition}", Path, column, message);
            if (n == 0)
            {
                return;
            }

            var lines = ws.Query(
                $"SELECT line FROM {warningsTable} WHERE file = $1 AND column_name = $2 AND warning = $3 ORDER BY line LIMIT 5",
                r => r.GetInt64(0),
                Path,
                column,
                message).ToList();
            found.Add(new ImportWarning(column, message, n, lines));
        }
    }

    /// <summary>
    /// Writes every rejected row, exactly as it was in the input, followed by its line, column and
    /// reason, to <paramref name="target"/>. Returns false (writing nothing) when no row was rejected.
    /// </summary>
    public bool WriteRejects(string target)
    {
        if (Rejected == 0)
        {
            return false;
        }

        using var cmd = ws.Command($"SELECT _line, _column, _reason FROM {rej} ORDER BY _line");
        using var rejects = cmd.ExecuteReader();
        using var text = OpenText(Path);
        var csv = new CsvRecordReader(text, captureRaw: true);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        using var output = new StreamWriter(target, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        csv.Read();
        output.Write(csv.Raw);
        output.Write(",_reject_line,_reject_column,_reject_reason\n");
        while (rejects.Read())
        {
            var line = rejects.GetInt64(0);
            while (csv.Line < line && csv.Read())
            {
            }

            output.Write(csv.Raw);
            output.Write(',');
            output.Write(line.ToString(CultureInfo.InvariantCulture));
            output.Write(',');
            output.Write(Quote(rejects.IsDBNull(1) ? string.Empty : rejects.GetString(1)));
            output.Write(',');
            output.Write(Quote(rejects.GetString(2)));
            output.Write('\n');
        }

        return true;
    }

    public void Dispose()
    {
        if (staged)
        {
            ws.Execute($"DROP TABLE IF EXISTS {stg}");
            ws.Execute($"DROP TABLE IF EXISTS {rej}");
        }
    }

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private long RejectCount() => Convert.ToInt64(ws.Scalar($"SELECT count(*) FROM {rej}"), CultureInfo.InvariantCulture);

    private void RejectBinary()
    {
        Span<byte> head = stackalloc byte[8192];
        int n;
        using (var f = File.OpenRead(Path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var isUtf16 = n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF));
        if (!isUtf16 && head[..n].IndexOf((byte)0) >= 0)
        {
            throw new FileRejectedException(Loc.T("the file is not CSV text (it contains binary data): export it as CSV", "файл не является текстом CSV (содержит двоичные данные): экспортируйте его в CSV"), 0);
        }
    }

    private (string? Column, string? Reason) ParseRow(CsvRecordReader csv, int headerFields, int[] map, CellParser parser, Cell[] cells)
    {
        if (csv.Unterminated)
        {
            return (null, Loc.T("a quoted value opened on this line is never closed", "значение в кавычках, открытое в этой строке, не закрыто"));
        }

        if (csv.FieldCount != headerFields)
        {
            return (null, Loc.F("the row has {0} fields but the header has {1}", "в строке {0} полей, а в заголовке {1}", csv.FieldCount, headerFields));
        }

        for (var i = 0; i < cells.Length; i++)
        {
            var column = entity.Columns[i];
            if (map[i] < 0)
            {
                cells[i].HasValue = false;
                continue;
            }

            var reason = parser.Parse(csv[map[i]], column, i, ref cells[i]);
            if (reason is not null)
            {
                return (column.Name, reason);
            }
        }

        return (null, null);
    }

    private int[] MapHeader(CsvRecordReader csv)
    {
        var map = Enumerable.Repeat(-1, entity.Columns.Length).ToArray();
        var ignored = new List<string>();
        var header = new List<string>();
        for (var f = 0; f < csv.FieldCount; f++)
        {
            var name = csv[f].Trim().ToString();
            header.Add(name);
            if (name.StartsWith("_reject_", StringComparison.OrdinalIgnoreCase))
            {
                continue; // columns added by our own rejects file, so a fixed rejects file imports as is
            }

            var column = entity.Find(name);
            var idx = column is null ? -1 : entity.Columns.IndexOf(column);
            if (idx < 0)
            {
                ignored.Add(name.Length == 0 ? Loc.F("(empty name, field {0})", "(без имени, поле {0})", f + 1) : name);
                continue;
            }

            if (map[idx] >= 0)
            {
                throw new FileRejectedException(Loc.F("the header names column '{0}' twice: keep one", "столбец «{0}» указан в заголовке дважды: оставьте один", entity.Columns[idx].Name), 0);
            }

            map[idx] = f;
        }

        var missing = entity.Columns.Where((c, i) => c.Required && map[i] < 0).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            var rows = 0L;
            while (csv.Read())
            {
                rows++;
            }

            throw new FileRejectedException(
                Loc.F(
                    "required column(s) {0} missing from the header (found: {1}); {2}.csv needs {3}",
                    "в заголовке нет обязательных столбцов {0} (найдены: {1}); для {2}.csv нужны {3}",
                    string.Join(", ", missing),
                    string.Join(", ", header),
                    entity.Name,
                    string.Join(", ", entity.Columns.Where(c => c.Required).Select(c => c.Name))),
                rows);
        }

        IgnoredColumns = ignored;
        return map;
    }
}
