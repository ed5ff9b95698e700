using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Import;

/// <summary>
/// Imports canonical CSV files into a workspace as one transaction. Every row read is either stored or
/// rejected with line, column and reason; with <see cref="ImportOptions.Strict"/> any rejection rolls
/// everything back. See <c>docs/import.md</c> for the rules.
/// </summary>
public sealed class Importer
{
    private readonly Workspace ws;
    private readonly TimeProvider clock;

    /// <summary>Creates an importer for <paramref name="workspace"/>, reading "now" from <paramref name="clock"/>.</summary>
    public Importer(Workspace workspace, TimeProvider clock)
    {
        ws = workspace;
        this.clock = clock;
    }

    /// <summary>
    /// Lists the files an import of <paramref name="paths"/> would read: each file as given, and every
    /// <c>*.csv</c> directly inside each folder, in name order. Throws <see cref="SalesKpiException"/>
    /// for a path that does not exist or a folder without CSV files.
    /// </summary>
    public static IReadOnlyList<string> ResolveFiles(IEnumerable<string> paths) =>
        Resolve(paths).Select(f => f.Path).ToList();

    // Each file once, with whether it came only from a folder (a file also named on its own counts as named).
    private static List<(string Path, bool FromFolder)> Resolve(IEnumerable<string> paths)
    {
        var files = new List<(string Path, bool FromFolder)>();
        foreach (var p in paths)
        {
            var full = Path.GetFullPath(p);
            if (Directory.Exists(full))
            {
                var options = new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive };
                // An .xls in a folder is taken only when it is an HTML table (Bitrix24's "Excel" export), never a binary workbook.
                var csvs = Directory.EnumerateFiles(full, "*.csv", options).Concat(Directory.EnumerateFiles(full, "*.xlsx", options))
                    .Concat(Directory.EnumerateFiles(full, "*.xls", options).Where(TableFile.Is)).Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (csvs.Count == 0)
                {
                    throw new SalesKpiException(Msg.Of(
                        "import.folder_empty",
                        "The folder {0} has no .csv or .xlsx files: give a folder with leads.csv, deals.csv, … or the files themselves.",
                        "В папке {0} нет файлов .csv или .xlsx: укажите папку с leads.csv, deals.csv, … или сами файлы.",
                        full));
                }

                files.AddRange(csvs.Select(f => (f, true)));
            }
            else if (File.Exists(full))
            {
                files.Add((full, false));
            }
            else
            {
                throw new SalesKpiException(Msg.Of(
                    "import.path_missing",
                    "{0} does not exist: check the path of the file or folder to import.",
                    "{0} не существует: проверьте путь к файлу или папке для импорта.",
                    full));
            }
        }

        return files
            .GroupBy(f => f.Path, StringComparer.Ordinal)
            .Select(g => (g.Key, g.All(f => f.FromFolder)))
            .ToList();
    }

    /// <summary>Runs one import. Throws <see cref="SalesKpiException"/> for a bad path; any other failure rolls back and rethrows.</summary>
    public ImportReport Run(ImportOptions options, IImportProgress? progress = null, CancellationToken ct = default)
    {
        progress ??= NoProgress.Instance;
        var phase = System.Diagnostics.Stopwatch.StartNew();
        void Trace(string what)
        {
            options.Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{what}: {phase.Elapsed.TotalMilliseconds:F0} ms"));
            phase.Restart();
        }

        var resolved = Resolve(options.Paths);

        // A folder holds what an export holds; a file of it the profile does not describe is not input.
        // A file named on its own is meant to be imported, so it stays a rejected file.
        var headers = new Dictionary<string, IReadOnlyCollection<string>?>(StringComparer.Ordinal);
        IReadOnlyCollection<string>? Headers(string path) => headers.TryGetValue(path, out var h) ? h : headers[path] = HeaderRow.Read(path);
        var skipped = options.Profile is { } chosen
            ? resolved.Where(f => f.FromFolder && chosen.For(f.Path, Headers(f.Path)) is null)
                .Select(f => new SkippedFile(f.Path, Msg.Of("import.skipped_unmapped", "the profile maps no entity to it", "профиль не сопоставляет ему никакой сущности")))
                .ToList()
            : [];
        var files = resolved.Where(f => !skipped.Any(s => s.Path == f.Path)).Select(f => f.Path).ToList();
        if (files.Count == 0)
        {
            throw new SalesKpiException(Msg.Of(
                "import.no_file_matches_profile",
                "No file in {0} matches profile '{1}' by its name (patterns: {2}) or by its header row: check that these are the CRM's exports the profile describes (docs/profiles.md lists the headers each expects).",
                "Ни один файл в {0} не подходит под профиль «{1}» ни по имени (шаблоны: {2}), ни по строке заголовка: проверьте, что это выгрузки той CRM, которую описывает профиль (заголовки, которые ожидает каждый, перечислены в docs/profiles.md).",
                string.Join(", ", options.Paths),
                options.Profile!.Name,
                string.Join(", ", options.Profile.Files.Select(f => f.Match))));
        }

        var started = clock.GetUtcNow().UtcDateTime;
        // Taken outside the import's transaction: a rolled-back import leaves its id unused, never reused, so
        // the pending report files named after it cannot be mistaken for a later import's.
        var importId = checked((int)ws.NextId(IdSequences.Imports));
        var reportDir = options.ReportDirectory ?? ReportFiles.DefaultDirectory(ws.Path);
        var warningsTable = $"_wrn_{importId}";
        var outputs = new ReportFiles(reportDir, ws.Path);
        outputs.Recover(ws);

        // Row order inside a table carries no meaning here; letting DuckDB drop it parallelises the
        // staging-to-table inserts across cores.
        using var bulk = ws.BeginBulkLoad();
        using var tx = ws.BeginTransaction();
        string? current = null;
        try
        {
            ws.Execute(ImportSql.CreateWarningsTable(ws.Dialect, warningsTable));

            // Per input file: the import that read it, or the account of a file rejected whole.
            var entries = new List<(FileImport? Import, WholeFileRejection? Rejected)>();
            for (var i = 0; i < files.Count; i++)
            {
                var path = files[i];
                current = path;
                progress.FileStarted(path, new FileInfo(path).Length);
                var mapping = options.Profile?.For(path, Headers(path));
                var entity = options.Profile is null ? EntityCatalog.FromFileName(path) : EntityCatalog.Find(mapping?.Entity ?? string.Empty);
                if (entity is null)
                {
                    var reason = options.Profile is { } profile
                        ? profile.Unplaced(Headers(path))
                        : Msg.Of(
                            "file.unrecognised_name",
                            "the file name does not name an entity: call it {0}.csv, or start it with one of these names followed by -, _, . or a digit (deals-2025.csv, deals_q1.csv, spend2.csv)",
                            "имя файла не называет сущность: назовите его {0}.csv или начните имя с одного из этих названий, за которым идёт -, _, . или цифра (deals-2025.csv, deals_q1.csv, spend2.csv)",
                            string.Join(".csv, ", EntityCatalog.All.Select(e => e.Name)));
                    var unrecognised = WholeFileRejection.Create(path, checked((int)ws.NextId(IdSequences.ImportFiles)), null, reason);
                    entries.Add((null, unrecognised));
                    progress.FileFinished(unrecognised.ToReport(null));
                    continue;
                }

                var file = new FileImport(ws, entity, path, checked((int)ws.NextId(IdSequences.ImportFiles)), options.Language, mapping);
                try
                {
                    file.Stage(progress, ct);
                    options.AtStage?.Invoke(ImportStage.RowsAppended);
                    Trace($"{Path.GetFileName(path)} read and appended");
                    file.Resolve();
                    Trace($"{Path.GetFileName(path)} duplicates and replacements resolved");
                    entries.Add((file, null));
                }
                catch (FileRejectedException ex)
                {
                    // Batches appended before the problem showed up must not stay behind.
                    file.Discard();
                    var rejected = WholeFileRejection.Create(path, file.FileId, entity.Name, ex.Text, file.Format, mapping?.Sheet);
                    entries.Add((null, rejected));
                    progress.FileFinished(rejected.ToReport(null));
                }
            }

            current = null;

            // References are checked once every file is in, because files may arrive in any order.
            progress.Step(Msg.Of("import.step_checking", "checking references and time order", "проверка ссылок и порядка дат"));
            var reports = new List<FileReport>();
            for (var i = 0; i < entries.Count; i++)
            {
                var inputPath = entries[i].Import?.Path ?? entries[i].Rejected!.Path;
                var stem = Path.GetFileNameWithoutExtension(inputPath);
                var rejectsPath = outputs.Claim($"import-{importId}-{stem}", ".rejects.csv");
                if (entries[i].Import is not { } file)
                {
                    var whole = entries[i].Rejected!;
                    reports.Add(whole.ToReport(!options.DryRun && whole.WriteRejects(outputs.Pending(rejectsPath), options.Language) ? rejectsPath : null));
                    continue;
                }

                var warnings = file.Warn(warningsTable);
                var preview = options.DryRun
                    ? ws.Query(new ImportSql(ws.Dialect, EntityCatalog.Find(file.Entity)!, file.FileId).Preview(), r =>
                        (IReadOnlyDictionary<string, object?>)Enumerable.Range(0, r.FieldCount).ToDictionary(c => r.GetName(c), c => r.IsDBNull(c) ? null : r.GetValue(c))).ToList()
                    : [];
                var report = new FileReport
                {
                    Path = file.Path,
                    FileId = file.FileId,
                    Entity = file.Entity,
                    Read = file.Read,
                    Rejected = file.Rejected,
                    Stored = file.Read - file.Rejected,
                    Inserted = file.Inserted,
                    Replaced = file.Replaced,
                    Merged = file.Merged,
                    IgnoredColumns = file.IgnoredColumns,
                    Warnings = warnings,
                    RejectReasons = file.RejectReasons(),
                    RejectsPath = !options.DryRun && file.WriteRejects(outputs.Pending(rejectsPath)) ? rejectsPath : null,
                    Preview = preview,
                };
                reports.Add(report);
                progress.FileFinished(report);
            }

            Trace("warnings checked, rejects written");
            string? warningsPath = null;
            if (!options.DryRun && Convert.ToInt64(ws.Scalar($"SELECT count(*) FROM {warningsTable}"), CultureInfo.InvariantCulture) > 0)
            {
                warningsPath = outputs.Claim($"import-{importId}-warnings", ".csv");
                Directory.CreateDirectory(reportDir);
                var pending = outputs.Pending(warningsPath);
                ws.WriteCsv(ImportSql.WarningsFileQuery(warningsTable), pending);
            }

            foreach (var (file, _) in entries)
            {
                file?.Dispose();
            }

            ws.Execute($"DROP TABLE {warningsTable}");
            var result = new ImportReport { ImportId = importId, Files = reports, WarningsPath = warningsPath, Skipped = skipped };
            if (options.DryRun)
            {
                tx.Rollback();
                return result with { ImportId = 0, RolledBack = true, DryRun = true };
            }

            if (options.Strict && (result.Rejected > 0 || reports.Any(r => r.Error is not null)))
            {
                tx.Rollback();

                // Nothing is stored, but the rejects are what the user needs to fix before trying again.
                outputs.Publish();
                return result with { ImportId = 0, RolledBack = true };
            }

            foreach (var derived in DerivedTable.All.Where(t => reports.Any(r => r.Entity is { } entity && t.DerivedFrom.Contains(entity) && r.Stored > 0)))
            {
                // Derived in this transaction, so it commits with the rows it is derived from or not at all.
                progress.Step(derived.Step);
                foreach (var statement in derived.Rebuild())
                {
                    ws.Execute(statement);
                }

                Trace(derived.Name + " rebuilt");
            }

            Log(result, started, options.Strict, options.Language);
            options.AtStage?.Invoke(ImportStage.BeforeCommit);
            progress.Step(Msg.Of("import.step_committing", "committing", "сохранение"));
            Trace("report files written, log recorded");
            tx.Commit();
            Trace("committed");

            // Only a committed import has rejects and warnings files; a kill before this point leaves
            // pending files that the next import removes (or, if the commit happened, finishes).
            outputs.Publish();
            return result;
        }
        catch (Exception ex)
        {
            // The transaction may be aborted by the error; cleanup must not replace the cause.
            try
            {
                tx.Rollback();
            }
            catch (Exception)
            {
                // the engine may have ended the transaction itself; either way nothing of it remains
            }

            outputs.Abandon();
            if (ex is SalesKpiException or OperationCanceledException)
            {
                throw;
            }

            throw Failure(ex, current);
        }
    }

    // One sentence with the original cause, never the engine's follow-up "transaction is aborted".
    private static SalesKpiException Failure(Exception ex, string? file)
    {
        var cause = ex.Message.Split('\n', 2)[0].Trim().TrimEnd('.');
        return new SalesKpiException(
            file is null
                ? Msg.Of("import.failed", "The import failed and nothing of it was stored: {0}.", "Импорт не удался, из него ничего не сохранено: {0}.", cause)
                : Msg.Of("import.failed_reading", "The import failed while reading {0} and nothing of it was stored: {1}.", "Импорт не удался при чтении {0}, из него ничего не сохранено: {1}.", Path.GetFileName(file), cause),
            ex);
    }

    private void Log(ImportReport result, DateTime started, bool strict, Language language)
    {
        ws.Execute(
            ImportSql.InsertImport(ws.Dialect),
            result.ImportId,
            started,
            clock.GetUtcNow().UtcDateTime,
            strict,
            result.Read,
            result.Stored,
            result.Rejected);
        foreach (var f in result.Files)
        {
            ws.Execute(
                ImportSql.InsertImportFile(ws.Dialect),
                f.FileId,
                result.ImportId,
                f.Path,
                f.Entity,
                f.Read,
                f.Stored,
                f.Rejected,
                f.Warnings.Sum(w => w.Count),
                f.RejectsPath,
                f.Error?.Render(language));
        }
    }
}
