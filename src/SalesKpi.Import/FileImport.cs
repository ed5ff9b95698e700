using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Import;

/// <summary>Thrown when a file is rejected as a whole; <see cref="Text"/> says why and what to fix.</summary>
internal sealed class FileRejectedException(Msg text, long rowsRead) : Exception(text.Render(Language.En))
{
    public Msg Text { get; } = text;

    public long RowsRead { get; } = rowsRead;
}

/// <summary>
/// Imports one canonical file inside the import's transaction. Rows are parsed on one thread and
/// appended on another straight into the entity's table, tagged with this file's id and their source
/// line; cell errors go to a rejects table instead. Then SQL resolves what needs the whole file:
/// duplicate keys (rejected, merged or, for spend, summed) and the replacement of rows stored earlier
/// under the same keys. Nothing is visible to anyone else until the import commits.
/// </summary>
internal sealed class FileImport : IDisposable
{
    private const int ProgressEvery = 1 << 16;

    // DECIMAL(18,4): 14 integer digits and 4 decimals.
    private const string MoneyLimit = ImportSql.MoneyLimit;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Workspace ws;
    private readonly EntityDef entity;

    private readonly string table;
    private readonly string mine;
    private readonly string rej;
    private readonly ISqlDialect d;
    private readonly ImportSql sql;
    private readonly (RequiredWhen Def, int Column, int When, string[] Values)[] requiredWhen;
    private bool staged;

    private readonly FileMapping? mapping;
    private readonly SourceFormat format;
    private MappedSource? mapped;

    // Reasons and warnings go into files people read, in the language the import was asked in.
    private readonly Language language;

    public FileImport(Workspace ws, EntityDef entity, string path, int fileId, Language language, FileMapping? mapping = null)
    {
        this.language = language;
        this.mapping = mapping;
        IsWorkbook = TableFile.Is(path);
        format = mapping is null || IsWorkbook ? SourceFormat.Canonical : SourceFormat.Detect(path, mapping);
        this.ws = ws;
        this.entity = entity;
        Path = path;
        FileId = fileId;
        d = ws.Dialect;
        table = d.Quote(entity.Name);
        mine = string.Create(CultureInfo.InvariantCulture, $"file_id = {FileId}");
        sql = new ImportSql(d, entity, fileId);
        rej = sql.RejectsTable;
        requiredWhen = entity.RequiredWhen
            .Select(r => (r, entity.Columns.IndexOf(entity[r.Column]), entity.Columns.IndexOf(entity[r.WhenColumn]), r.WhenValues.ToArray()))
            .ToArray();
    }

    public string Path { get; }

    public int FileId { get; }

    public string Entity => entity.Name;

    /// <summary>True for an .xlsx workbook or an HTML table saved as .xls (read by rows of cells, not as text).</summary>
    public bool IsWorkbook { get; }

    public long Read { get; private set; }

    public long Rejected { get; private set; }

    public long Inserted { get; private set; }

    public long Replaced { get; private set; }

    public long Merged { get; private set; }

    public IReadOnlyList<string> IgnoredColumns { get; private set; } = [];

    /// <summary>The text encoding and delimiter the file is read with.</summary>
    public SourceFormat Format => format;

    /// <summary>Opens the file as text in <paramref name="encoding"/> (BOM accepted); with strict UTF-8, undecodable bytes surface as <see cref="DecoderFallbackException"/>.</summary>
    public static StreamReader OpenText(string path, Encoding? encoding = null) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan), encoding ?? StrictUtf8, detectEncodingFromByteOrderMarks: true, 1 << 16);

    /// <summary>
    /// Reads the file into staging. Parsing runs on its own thread and hands batches of typed rows to
    /// this thread, which appends them, so the two halves use both cores. Throws
    /// <see cref="FileRejectedException"/> when the file cannot be taken at all.
    /// </summary>
    public void Stage(IImportProgress progress, CancellationToken ct)
    {
        if (!IsWorkbook)
        {
            RejectBinary();
        }

        using var text = IsWorkbook ? null : OpenText(Path, format.Encoding);
        using var workbook = IsWorkbook ? TableFile.Open(Path, mapping?.Sheet) : null;
        IRecordSource reader = workbook is not null ? workbook : new CsvRecordReader(text!, delimiter: format.Delimiter);
        mapped = mapping is null ? null : new MappedSource(reader, mapping, entity)
        {
            Folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)),
            CheckedDecoding = IsWorkbook || format.Encoding is UTF8Encoding ? null : format.Encoding.WebName,
        };
        IRecordSource csv = mapped ?? reader;
        var length = new FileInfo(Path).Length;
        try
        {
            if (!csv.Read())
            {
                throw new FileRejectedException(Msg.Of("file.empty", "the file is empty: a header row naming the columns is required", "файл пуст: нужна строка заголовка с названиями столбцов"), 0);
            }

            var map = MapHeader(csv);
            var present = Enumerable.Range(0, entity.Columns.Length).Where(i => map[i] >= 0).ToArray();
            CheckTableLayout();
            ws.Execute(sql.CreateRejectsTable());
            staged = true;

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var full = new BlockingCollection<Batch>(boundedCapacity: 4);
            using var empty = new BlockingCollection<Batch>();
            var producer = Task.Run(() => Parse(csv, text, length, map, present, full, empty, progress, stop.Token), stop.Token);
            var rows = ws.CreateBulkWriter(entity.Name);
            var rejects = ws.CreateBulkWriter(rej, temporary: true);
            var appended = false;
            try
            {
                var types = entity.Columns.Select(c => c.Type).ToArray();
                foreach (var batch in full.GetConsumingEnumerable(stop.Token))
                {
                    Append(batch, rows, types);

                    foreach (var (line, column, reason) in batch.Rejects)
                    {
                        rejects.Add(line);
                        rejects.Add(column);
                        rejects.Add(reason);
                        rejects.EndRow();
                    }

                    batch.Count = 0;
                    batch.Rejects.Clear();
                    empty.Add(batch, stop.Token);
                }

                appended = true;
            }
            catch when (!producer.IsCompleted)
            {
                stop.Cancel();
                throw;
            }
            finally
            {
                Close(rows, rejects, appended);

                // The producer's own exception (a decoding error, say) is the one worth reporting.
                try
                {
                    producer.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }
            }

            progress.Advanced(Path, length, Read);
        }
        catch (DecoderFallbackException)
        {
            var line = WholeFileRejection.FirstUndecodableLine(Path);
            throw new FileRejectedException(
                line > 0
                    ? Msg.Of(
                        "file.not_utf8_at_line",
                        "the file is not UTF-8 text (undecodable bytes on line {0}): save it as UTF-8 CSV",
                        "файл не в кодировке UTF-8 (нечитаемые байты в строке {0}): сохраните его как CSV в UTF-8",
                        line)
                    : Msg.Of(
                        "file.not_utf8",
                        "the file is not UTF-8 text: save it as UTF-8 CSV",
                        "файл не в кодировке UTF-8: сохраните его как CSV в UTF-8"),
                Read);
        }
    }

    // After a failure the writers are only released: flushing would fail again inside the aborted
    // transaction and its error would replace the one that explains what happened.
    private static void Close(IBulkWriter rows, IBulkWriter rejects, bool flush)
    {
        if (flush)
        {
            try
            {
                rows.Dispose();
            }
            finally
            {
                rejects.Dispose();
            }

            return;
        }

        foreach (var writer in new[] { rows, rejects })
        {
            try
            {
                writer.Dispose();
            }
            catch (Exception)
            {
                // the first error is already on its way up
            }
        }
    }

    /// <summary>
    /// Takes back everything this file put into the transaction — rows already appended in batches and
    /// its rejects table — once the file is rejected as a whole, so nothing of it is stored.
    /// </summary>
    public void Discard()
    {
        ws.Execute($"DELETE FROM {table} WHERE {mine}");
        Dispose();
        staged = false;
    }

    /// <summary>
    /// Resolves what needs the whole file, with SQL over this file's rows: same-key rows with different
    /// content are all rejected (nobody can tell which is right), identical ones are merged into one,
    /// and spend rows are summed per key; then rows stored earlier under the same keys are replaced.
    /// </summary>
    public void Resolve()
    {
        var dupKeys = Count(sql.CountRepeatedKeys());
        if (dupKeys > 0 && entity.SumColumn is { } sum)
        {
            ws.Execute(sql.CreateSumTable());

            // The sum is exact in a wider type; a total the column cannot hold rejects its rows instead of failing the import.
            if (ws.Execute(
                sql.RejectTooLargeSums(),
                sum,
                Msg.Of(
                    "row.sum_too_large",
                    "the rows with this {0} add up to {1} <sum>, more than the largest storable amount {2}: split them across keys",
                    "строки с этим ключом ({0}) в сумме дают {1} <sum> — больше наибольшей допустимой суммы {2}: разнесите их по разным ключам",
                    string.Join(", ", entity.Key),
                    sum,
                    MoneyLimit).Render(language)) > 0)
            {
                Rejected += ws.Execute(sql.DeleteTooLargeSums());
                ws.Execute(sql.DropTooLargeSums());
            }

            var folded = ws.Execute(sql.DeleteSummedRows());
            Merged = folded - ws.Execute(sql.InsertSums());
            ws.Execute(sql.DropSumTable());
        }
        else if (dupKeys > 0)
        {
            if (sql.CreateConflictTable() is { } conflicts)
            {
                ws.Execute(conflicts);
                ws.Execute(
                    sql.RejectConflicts(),
                    entity.Key[0],
                    Msg.Of(
                        "row.conflicting_duplicate",
                        "{0} '<key>' appears with different content on lines <lines>: keep one row per {0}",
                        "{0} «<key>» встречается с разным содержимым в строках <lines>: оставьте одну строку на {0}",
                        entity.Key[0]).Render(language));
                Rejected += ws.Execute(sql.DeleteConflicts());
                ws.Execute(sql.DropConflictTable());
            }

            // What is left under a repeated key is identical: keep the first row.
            Merged = ws.Execute(sql.DeleteIdenticalCopies());
        }

        // A first import into an empty table has nothing to replace; skip the join over all its keys.
        var older = Count(sql.CountOlderRows()) > 0;
        Replaced = older
            ? ws.Execute(sql.DeleteReplaced())
            : 0;
        Inserted = Read - Rejected - Merged - Replaced;
    }

    /// <summary>Finds the warning classes of the stored rows and records each warned row in <paramref name="warningsTable"/>.</summary>
    public IReadOnlyList<ImportWarning> Warn(string warningsTable)
    {
        var found = new List<ImportWarning>();
        foreach (var t in entity.TimeOrders)
        {
            var msg = Msg.Of("warning.time_order", "{0} is before {1}", "{0} раньше, чем {1}", t.Later, t.Earlier);
            Collect(t.Later, msg, $"{d.Quote(t.Later)} < {d.Quote(t.Earlier)}");
        }

        foreach (var r in entity.References)
        {
            var target = EntityCatalog.Find(r.Target)!;
            var msg = Msg.Of("warning.missing_reference", "{0} names a {1} row that does not exist", "{0} ссылается на несуществующую запись {1}", r.Column, target.Name);
            Collect(r.Column, msg, $"{d.Quote(r.Column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {d.Quote(target.Name)} t WHERE t.{d.Quote(target.Key[0])} = s.{d.Quote(r.Column)})");
        }

        // What the mapping noticed on the way (values its maps do not list, optional columns absent, footer lines).
        foreach (var note in mapped?.Notes ?? [])
        {
            found.Add(new ImportWarning(note.Column, note.Message, note.Count, note.Lines));
        }

        return found;

        void Collect(string column, Msg warning, string condition)
        {
            var message = warning.Render(language);
            var n = ws.Execute(sql.InsertWarnings(warningsTable, condition), Path, column, message);
            if (n == 0)
            {
                return;
            }

            var lines = ws.Query(
                sql.FirstWarnedLines(warningsTable),
                r => r.GetInt64(0),
                Path,
                column,
                message).ToList();
            found.Add(new ImportWarning(column, warning, n, lines));
        }
    }

    /// <summary>The rejected rows counted by column and reason, the most frequent first.</summary>
    public IReadOnlyList<RejectReason> RejectReasons() => Rejected == 0
        ? []
        : [.. ws.Query(sql.CountRejectReasons(), r => new RejectReason(r.IsDBNull(0) ? null : r.GetString(0), r.GetString(1), Convert.ToInt64(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture)))];

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

        using var cmd = ws.Command(sql.SelectRejects());
        using var rejects = cmd.ExecuteReader();
        if (IsWorkbook)
        {
            WriteWorkbookRejects(rejects, target);
            return true;
        }

        using var text = OpenText(Path, format.Encoding);
        var csv = new CsvRecordReader(text, captureRaw: true, delimiter: format.Delimiter);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        using var output = new StreamWriter(target, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        csv.Read();
        output.Write(RawHeader(csv));
        output.Write(string.Join(format.Delimiter, string.Empty, "_reject_line", "_reject_column", "_reject_reason") + "\n");
        while (rejects.Read())
        {
            var line = rejects.GetInt64(0);
            while (csv.Line < line && csv.Read())
            {
            }

            WriteRaw(output, csv);
            output.Write(format.Delimiter);
            output.Write(line.ToString(CultureInfo.InvariantCulture));
            output.Write(format.Delimiter);
            output.Write(QuoteField(rejects.IsDBNull(1) ? string.Empty : rejects.GetString(1), format.Delimiter));
            output.Write(format.Delimiter);
            output.Write(QuoteField(rejects.GetString(2), format.Delimiter));
            output.Write('\n');
        }

        return true;
    }

    /// <summary>The header as written, without the byte-order marks a file may repeat at its start.</summary>
    internal static string RawHeader(CsvRecordReader csv) => (csv.Raw ?? string.Empty).TrimStart('\uFEFF');

    /// <summary>
    /// Copies a record as written. A quote that is never closed swallows the rest of the file; it is closed
    /// at the end of the record, so the fields appended after it stay fields and the rejects file stays CSV.
    /// </summary>
    internal static void WriteRaw(TextWriter output, CsvRecordReader csv)
    {
        output.Write(csv.Raw);
        if (csv.Unterminated)
        {
            output.Write('"');
        }
    }

    /// <summary>A workbook row's cell values as one CSV record.</summary>
    internal static string WorkbookRow(IRecordSource r) => string.Join(",", Enumerable.Range(0, r.FieldCount).Select(i => QuoteField(r[i].ToString(), ',')));

    // A workbook row has no text to copy: the rejects file gets its cell values as CSV, header first.
    private void WriteWorkbookRejects(System.Data.Common.DbDataReader rejects, string target)
    {
        using var sheet = TableFile.Open(Path, mapping?.Sheet);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        using var output = new StreamWriter(target, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        string Row(IRecordSource r) => WorkbookRow(r);
        sheet.Read();
        output.Write(Row(sheet) + ",_reject_line,_reject_column,_reject_reason\n");
        while (rejects.Read())
        {
            var line = rejects.GetInt64(0);
            while (sheet.Line < line && sheet.Read())
            {
            }

            output.Write(string.Join(",", Row(sheet), line.ToString(CultureInfo.InvariantCulture), QuoteField(rejects.IsDBNull(1) ? string.Empty : rejects.GetString(1), ','), QuoteField(rejects.GetString(2), ',')) + "\n");
        }
    }

    public void Dispose()
    {
        if (staged)
        {
            ws.Execute($"DROP TABLE IF EXISTS {rej}");
        }
    }

    private static readonly System.Buffers.SearchValues<char> NeedsQuotes = System.Buffers.SearchValues.Create(",;\t\"\r\n");

    /// <summary>A field for a file with <paramref name="delimiter"/>: quoted when it holds a delimiter, quote or line break.</summary>
    internal static string QuoteField(string s, char delimiter) =>
        s.AsSpan().IndexOfAny(NeedsQuotes) >= 0 || s.Contains(delimiter, StringComparison.Ordinal) ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

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
            throw new FileRejectedException(Msg.Of("file.binary", "the file is not CSV text (it contains binary data): export it as CSV", "файл не является текстом CSV (содержит двоичные данные): экспортируйте его в CSV"), 0);
        }
    }

    /// <summary>The appender writes columns by position, so the table must be the entity's columns in order, then file_id and source_line.</summary>
    private void CheckTableLayout()
    {
        List<string> actual;
        using (var cmd = ws.Command(sql.TableColumns()))
        using (var reader = cmd.ExecuteReader())
        {
            actual = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
        }

        var expected = entity.Columns.Select(c => c.Name).Append("file_id").Append("source_line").ToList();
        if (!actual.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"Table {entity.Name} has columns ({string.Join(", ", actual)}), expected ({string.Join(", ", expected)}): a migration is missing.");
        }
    }

    private long Count(string sql) => Convert.ToInt64(ws.Scalar(sql), CultureInfo.InvariantCulture);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Append(Batch batch, IBulkWriter rows, ColumnType[] types)
    {
        for (var r = 0; r < batch.Count; r++)
        {
            // Cells of columns the file lacks were never set: HasValue stays false, so they append NULL.
            var cells = batch.Cells.AsSpan(r * types.Length, types.Length);
            for (var i = 0; i < types.Length; i++)
            {
                cells[i].WriteTo(rows, types[i]);
            }

            rows.Add(FileId);
            rows.Add(batch.Lines[r]);
            rows.EndRow();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Parse(IRecordSource csv, StreamReader? text, long length, int[] map, int[] present, BlockingCollection<Batch> full, BlockingCollection<Batch> empty, IImportProgress progress, CancellationToken ct)
    {
        try
        {
            var headerFields = csv.FieldCount;
            var parser = new CellParser(ws.Settings.Zone, entity.Columns.Length);
            var batch = new Batch(entity.Columns.Length);

            while (csv.Read())
            {
                Read++;
                if ((Read & (ProgressEvery - 1)) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    progress.Advanced(Path, text?.BaseStream.Position ?? length / 2, Read);
                }

                var cells = batch.Cells.AsSpan(batch.Count * entity.Columns.Length, entity.Columns.Length);
                var (column, reason) = ParseRow(csv, headerFields, map, present, parser, cells);
                if (reason is not null)
                {
                    Rejected++;
                    batch.Rejects.Add((csv.Line, column, reason.Render(language)));
                    continue;
                }

                batch.Lines[batch.Count++] = csv.Line;
                if (batch.Count == Batch.Rows)
                {
                    full.Add(batch, ct);
                    batch = empty.TryTake(out var reused) ? reused : new Batch(entity.Columns.Length);
                }
            }

            full.Add(batch, ct);
        }
        finally
        {
            full.CompleteAdding();
        }
    }

    private (string? Column, Msg? Reason) ParseRow(IRecordSource csv, int headerFields, int[] map, int[] present, CellParser parser, Span<Cell> cells)
    {
        if (csv.RecordError is { } error)
        {
            return (null, error);
        }

        if (csv.Unterminated)
        {
            return (null, Msg.Of("row.unclosed_quote", "a quoted value opened on this line is never closed", "значение в кавычках, открытое в этой строке, не закрыто"));
        }

        if (csv.FieldCount != headerFields)
        {
            return (null, Msg.Of("row.field_count", "the row has {0} fields but the header has {1}", "в строке {0} полей, а в заголовке {1}", csv.FieldCount, headerFields));
        }

        foreach (var i in present)
        {
            var column = entity.Columns[i];
            var reason = parser.Parse(csv[map[i]], column, i, ref cells[i]);
            if (reason is not null)
            {
                return (column.Name, reason);
            }
        }

        foreach (var rule in requiredWhen)
        {
            if (!cells[rule.Column].HasValue && cells[rule.When].HasValue && rule.Values.Contains(cells[rule.When].Text))
            {
                // The list is joined in each language's own word for "or": {2} in English, {3} in Russian.
                return (rule.Def.Column, Msg.Of(
                    "row.required_when",
                    "{0} is required when {1} is {2}",
                    "{0} обязательно, когда {1} = {3}",
                    rule.Def.Column,
                    rule.Def.WhenColumn,
                    string.Join(" or ", rule.Def.WhenValues),
                    string.Join(" или ", rule.Def.WhenValues)));
            }
        }

        return (null, null);
    }

    private int[] MapHeader(IRecordSource csv)
    {
        var map = Enumerable.Repeat(-1, entity.Columns.Length).ToArray();
        var ignored = new List<string>();
        var header = new List<string>();
        for (var f = 0; f < csv.FieldCount; f++)
        {
            // A BOM repeated by a careless export survives the reader's BOM check; it is not part of the name.
            var name = (f == 0 ? csv[f].TrimStart('\uFEFF') : csv[f]).Trim().ToString();
            header.Add(name);
            if (name.StartsWith("_reject_", StringComparison.OrdinalIgnoreCase))
            {
                continue; // columns added by our own rejects file, so a fixed rejects file imports as is
            }

            var column = entity.Find(name);
            var idx = column is null ? -1 : entity.Columns.IndexOf(column);
            if (idx < 0)
            {
                ignored.Add(name.Length == 0 ? Msg.Of("header.empty_name", "(empty name, field {0})", "(без имени, поле {0})", f + 1).Render(language) : name);
                continue;
            }

            if (map[idx] >= 0)
            {
                throw new FileRejectedException(Msg.Of("header.duplicate_column", "the header names column '{0}' twice: keep one", "столбец «{0}» указан в заголовке дважды: оставьте один", entity.Columns[idx].Name), 0);
            }

            map[idx] = f;
        }

        var missing = entity.Columns.Where((c, i) => c.Required && map[i] < 0).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            var message = Msg.Of(
                "header.missing_required",
                "required column(s) {0} missing from the header (found: {1}); {2}.csv needs {3}",
                "в заголовке нет обязательных столбцов {0} (найдены: {1}); для {2}.csv нужны {3}",
                string.Join(", ", missing),
                string.Join(", ", header),
                entity.Name,
                string.Join(", ", entity.Columns.Where(c => c.Required).Select(c => c.Name)));
            throw new FileRejectedException(DelimiterHint(header) is { } hint ? Msg.Join(string.Empty, [message, hint]) : message, 0);
        }

        IgnoredColumns = ignored;
        return map;
    }

    // A header that is one field holding ';' or tabs is almost always an export with another delimiter.
    private Msg? DelimiterHint(List<string> header)
    {
        if (mapping is not null || IsWorkbook)
        {
            return null;
        }

        var joined = string.Join(",", header);
        var other = joined.Contains(';', StringComparison.Ordinal) ? ";" : joined.Contains('\t', StringComparison.Ordinal) ? "tab" : null;
        return other is null
            ? null
            : Msg.Of(
                "header.delimiter_hint",
                ". It looks {0}-delimited: canonical files use commas; re-save it with commas or import it with a profile whose delimiter is '{0}' (docs/profiles.md)",
                ". Похоже, разделитель — {0}: канонические файлы разделяются запятыми; пересохраните его с запятыми или импортируйте с профилем, где delimiter — '{0}' (docs/profiles.md)",
                other);
    }

    /// <summary>A block of parsed rows handed from the parsing thread to the appending one.</summary>
    private sealed class Batch(int columns)
    {
        public const int Rows = 8192;

        public Cell[] Cells { get; } = new Cell[Rows * columns];

        public long[] Lines { get; } = new long[Rows];

        public List<(long Line, string? Column, string Reason)> Rejects { get; } = [];

        public int Count { get; set; }
    }
}
