using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Import;

namespace SalesKpi.Web;

/// <summary>
/// The change endpoints (role head or above): targets, KPI-system versions, parameters, snapshots and imports by
/// upload, each passing through the server's one <see cref="WriteGate"/> and recorded in the audit log with the
/// signed-in user (<see cref="RequestContext.User"/>) as author; and the audit log itself. Uploaded names never become
/// paths: every upload lives in a folder with a generated name under the server's upload folder.
/// </summary>
internal static partial class ApiWrites
{
    private const string Json = "application/json";

    public static void Map(RouteGroupBuilder api)
    {
        var change = api.MapGroup(string.Empty).WithTags("change").Allow(ApiRole.Head);

        Change(change.MapPost("/targets", (HttpContext http, TargetsService service, string kpi, string period, string value, string[]? slice, decimal? tolerance, string? reason, string? effective) =>
            Write(http, ctx =>
            {
                var stored = service.Set(new SetTargetRequest(kpi, period, value, slice ?? [], tolerance ?? 5m, new ChangeNote(reason, effective)), ctx);
                return ApiDocs.Changed(stored.Written, stored.NotInForce, ctx.Language, stored.Listing);
            })), "targets_set", "Sets one target (kpi, period, value, slice=dim=value repeatable, tolerance, reason, effective) as a new KPI-system version.");

        Change(change.MapDelete("/targets", (HttpContext http, TargetsService service, string kpi, string period, string[]? slice, string? reason, string? effective) =>
            Write(http, ctx => ApiDocs.Changed(service.Remove(new RemoveTargetRequest(kpi, period, slice ?? [], new ChangeNote(reason, effective)), ctx), [], ctx.Language))),
            "targets_remove", "Removes one target as a new KPI-system version (earlier versions keep it).");

        Change(change.MapPost("/targets/import", (HttpContext http, TargetsService service, string? reason, string? effective) =>
            Write(http, async ctx =>
            {
                await using var file = await SaveBodyAsync(http, ".csv").ConfigureAwait(false);
                var stored = service.Import(new ImportTargetsRequest(file.Path, new ChangeNote(reason ?? "targets import " + file.Label, effective)), ctx);
                return ApiDocs.Changed(stored.Written, stored.NotInForce, ctx.Language, stored.Listing);
            })), "targets_import", "Imports targets from CSV (kpi,period,value[,tolerance][,dimensions…]; a text/csv body or one multipart file), all rows or none.")
            .Body("text/csv", "multipart/form-data");

        Change(change.MapPost("/targets/suggest/apply", (HttpContext http, TargetsService service, string kpi, string? period, string? by, double? probability, decimal? tolerance, string? reason, string? effective) =>
            Write(http, ctx =>
            {
                var answer = service.Suggest(new SuggestTargetsRequest(kpi, period, by, ApiReads2.Probability(probability), tolerance ?? 5m, Apply: true, new ChangeNote(reason, effective)), ctx);
                return ApiDocs.Suggestions(answer, ctx.Language);
            })), "targets_apply_suggestions", "Stores the suggested targets that have a value as a new KPI-system version.");

        Change(change.MapPost("/versions", (HttpContext http, ConfigService service, string? reason, string? effective) =>
            Write(http, async ctx =>
            {
                await using var file = await SaveBodyAsync(http, ".yaml").ConfigureAwait(false);
                var applied = service.Apply(new ApplyConfigRequest(file.Path, new ChangeNote(reason, effective)), ctx);
                return ApiDocs.Changed(applied.Written, applied.Notes, ctx.Language);
            })), "version_apply", "Stores a posted KPI-system YAML (the request body) as a new version; reason is required, effective defaults to today.")
            .Body("application/yaml", "text/yaml", "text/plain");

        Change(change.MapPut("/params/{name}", (HttpContext http, ParamsService service, string name, string value) =>
            Write(http, ctx => ApiDocs.Params(service.Run("set", name, value, ctx)))), "params_set", "Sets one definition parameter (value=…) as a new KPI-system version.");

        Change(change.MapDelete("/params/{name}", (HttpContext http, ParamsService service, string name) =>
            Write(http, ctx => ApiDocs.Params(service.Run("reset", name, null, ctx)))), "params_reset", "Resets one definition parameter to its default as a new KPI-system version.");

        Change(change.MapDelete("/params", (HttpContext http, ParamsService service) =>
            Write(http, ctx => ApiDocs.Params(service.Run("reset", null, null, ctx)))), "params_reset_all", "Resets every definition parameter to its default as a new KPI-system version.");

        Change(change.MapPost("/snapshots", (HttpContext http, ScorecardService service, string? period, [FromQuery(Name = "as_of")] string? asOf, string? by, [FromQuery(Name = "config_version")] int? configVersion) =>
            Write(http, ctx =>
            {
                var (id, s, _) = service.Snapshot(new ScorecardQuery(period, asOf, configVersion, by), ctx);
                return ApiDocs.Snapshot(id, s);
            })), "snapshot_take", "Stores the scorecard of a period as a snapshot (as 'saleskpi snapshot'), for history and review.");

        Change(change.MapPost("/imports", Upload), "import", "Imports uploaded files (multipart, several files; optional fields profile, strict, dry_run): the per-file read = stored + rejected report.")
            .Body("multipart/form-data")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .DisableAntiforgery();

        Change(change.MapGet("/imports/{upload}/rejects", (HttpContext http, string upload, int? file) =>
            Report(http, upload, string.Create(CultureInfo.InvariantCulture, $"rejects-{file ?? 1}.csv"))), "import_rejects", "The rejected rows of one uploaded file (file=N, default 1) with line, column and reason, as CSV.");

        Change(change.MapGet("/imports/{upload}/warnings", (HttpContext http, string upload) =>
            Report(http, upload, "warnings.csv")), "import_warnings", "Every warning of an upload, row by row, as CSV.");

        Change(change.MapGet("/audit", (HttpContext http, AuditService service, int? limit) =>
        {
            var (entries, _) = service.List(limit ?? 50, ApiServer.Context(http));
            return ApiServer.Answer(http, AuditOutput.Json(entries), []);
        }), "audit", "Who changed what, when: the latest changes (limit, default 50), newest first.");
    }

    /// <summary>Replaces the server's upload folders in <paramref name="text"/> by nothing, so a message names an upload by its label only.</summary>
    public static string Scrub(HttpContext http, string text)
    {
        var root = Root(http);
        return text.Replace(root + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal)
            .Replace(root, string.Empty, StringComparison.Ordinal);
    }

    /// <summary>Saves the request body (or its one multipart file) under a generated name; disposing it deletes the file.</summary>
    public static async Task<SavedBody> SaveBodyAsync(HttpContext http, string extension)
    {
        var limit = Limit(http);
        var dir = NewFolder(http, out _);
        var label = "body" + extension;
        var path = Path.Combine(dir, label);
        try
        {
            if (http.Request.HasFormContentType)
            {
                var form = await ReadFormAsync(http, limit).ConfigureAwait(false);
                var file = form.Files.Count == 1 ? form.Files[0] : throw new SalesKpiException(Msg.Of(
                    "api.one_file",
                    "Send exactly one file in the multipart body (got {0}), or the file itself as the body.",
                    "Отправьте ровно один файл в теле multipart (получено {0}) или сам файл как тело запроса.",
                    form.Files.Count));
                label = Path.GetFileName(file.FileName.Replace('\\', '/'));
                await using var target = File.Create(path);
                await file.CopyToAsync(target, http.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                await using var target = File.Create(path);
                await CopyLimitedAsync(http.Request.Body, target, limit, http.RequestAborted).ConfigureAwait(false);
            }

            return new SavedBody(dir, path, label);
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    /// <summary>The largest body an upload may have, as a 413 problem.</summary>
    internal static SalesKpiException TooLarge(long limit) => new(Msg.Of(
        "api.too_large",
        "The upload is larger than this server's limit of {0} MB: split the files into several uploads, or ask the operator to raise the limit (--max-upload-mb).",
        "Загрузка больше предела этого сервера в {0} МБ: разделите файлы на несколько загрузок или попросите администратора поднять предел (--max-upload-mb).",
        (limit / (1024.0 * 1024.0)).ToString("0.##", CultureInfo.InvariantCulture)));

    private static async Task<IResult> Upload(HttpContext http, ImportService service)
    {
        var ctx = ApiServer.Context(http);
        if (!http.Request.HasFormContentType)
        {
            throw new SalesKpiException(Msg.Of("api.multipart_required", "Send the files as multipart/form-data (curl -F file=@leads.csv).", "Отправьте файлы как multipart/form-data (curl -F file=@leads.csv)."));
        }

        var limit = Limit(http);
        using var gate = await EnterGateAsync(http).ConfigureAwait(false);
        var form = await ReadFormAsync(http, limit).ConfigureAwait(false);
        var upload = await SaveFilesAsync(http, form).ConfigureAwait(false);
        var profile = await Profile(http, form, upload.Folder).ConfigureAwait(false);
        var report = await ImportAsync(service, ctx, upload, profile, Flag(form, "strict"), Flag(form, "dry_run"), keepFiles: false).ConfigureAwait(false);
        return TypedResults.Text(ApiDocs.Import(upload.Id, report, upload.Labels, ctx.Language), Json, Encoding.UTF8);
    }

    /// <summary>Enters the server's one <see cref="WriteGate"/>, waiting up to the server's write wait; dispose the result to leave it.</summary>
    internal static Task<IDisposable> EnterGateAsync(HttpContext http) =>
        http.RequestServices.GetRequiredService<WriteGate>().EnterAsync(http.RequestServices.GetRequiredService<ServerOptions>().WriteWait, http.RequestAborted);

    /// <summary>The server's upload limit in bytes (<c>--max-upload-mb</c>).</summary>
    internal static long UploadLimit(HttpContext http) => http.RequestServices.GetRequiredService<ServerOptions>().MaxUploadBytes;

    /// <summary>Reads a multipart upload within the server's upload limit; a larger one is refused saying the limit.</summary>
    internal static Task<IFormCollection> ReadUploadFormAsync(HttpContext http) => ReadFormAsync(http, Limit(http));

    /// <summary>
    /// Saves the data files of <paramref name="form"/> (every file but one named <c>profile</c>) into a new folder with a
    /// generated name under the upload folder, one numbered folder per file.
    /// </summary>
    internal static async Task<SavedUpload> SaveFilesAsync(HttpContext http, IFormCollection form)
    {
        // A browser's file field left empty sends a part without a file name: not a file.
        var data = form.Files.Where(f => f.Name != "profile" && !string.IsNullOrEmpty(f.FileName)).ToList();
        if (data.Count == 0)
        {
            throw new SalesKpiException(Msg.Of("api.no_files", "The upload has no file: add one or more files (curl -F file=@leads.csv -F file=@deals.csv).", "В загрузке нет файлов: добавьте один или несколько (curl -F file=@leads.csv -F file=@deals.csv)."));
        }

        var dir = NewFolder(http, out var upload);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var paths = new List<string>();
        foreach (var (file, i) in data.Select((f, i) => (f, i + 1)))
        {
            // The client's name is a label only: the file lands in a numbered folder under a reduced leaf name
            // (letters, digits, '.', '-', '_'), which the importer needs to tell leads.csv from deals.csv.
            var folder = Path.Combine(dir, i.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, Leaf(file.FileName, i));
            await using (var target = File.Create(path))
            {
                await file.CopyToAsync(target, http.RequestAborted).ConfigureAwait(false);
            }

            labels[path] = file.FileName;
            paths.Add(path);
        }

        return new SavedUpload(upload, dir, paths, labels);
    }

    /// <summary>
    /// The files an earlier upload kept (a dashboard dry run keeps them for the import that follows); throws when the
    /// id is not an upload's or its files are gone (imported already).
    /// </summary>
    internal static SavedUpload KeptUpload(HttpContext http, string upload)
    {
        var dir = Guid.TryParseExact(upload, "N", out _) ? Path.Combine(Root(http), upload) : null;
        var paths = dir is not null && Directory.Exists(dir)
            ? Directory.GetDirectories(dir)
                .Select(d => (Dir: d, N: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
                .Where(x => x.N > 0)
                .OrderBy(x => x.N)
                .SelectMany(x => Directory.GetFiles(x.Dir))
                .ToList()
            : [];
        if (paths.Count == 0)
        {
            throw new SalesKpiException(Msg.Of(
                "api.upload_gone",
                "Upload {0} has no files left to import: it was imported already or does not exist; upload the files again.",
                "В загрузке {0} не осталось файлов для импорта: она уже импортирована или не существует; загрузите файлы заново.",
                upload));
        }

        return new SavedUpload(upload, dir!, paths, paths.ToDictionary(p => p, p => Path.GetFileName(p), StringComparer.Ordinal));
    }

    /// <summary>The file whose creation claims a kept upload for its import (see <see cref="ClaimKeptUpload"/>).</summary>
    internal static string ClaimPath(ServerOptions options, string upload) => Path.Combine(Root(options), upload, "importing");

    /// <summary>
    /// Claims the kept upload <paramref name="upload"/> for one import, then lists its files (<see cref="KeptUpload"/>).
    /// The write gate keeps two confirms of one upload apart inside one process only; servers sharing an upload folder
    /// (docs/server.md, several processes) create the claim file there, which only one of them can (an exclusive create),
    /// so one upload is imported once whichever processes the confirms reach. Dispose the claim: it is released unless
    /// <see cref="UploadClaim.Keep"/> was called (the import ran), so an import that failed may be confirmed again.
    /// </summary>
    internal static UploadClaim ClaimKeptUpload(HttpContext http, string upload)
    {
        var options = http.RequestServices.GetRequiredService<ServerOptions>();
        var path = Guid.TryParseExact(upload, "N", out _) && Directory.Exists(Path.Combine(Root(options), upload)) ? ClaimPath(options, upload) : null;
        try
        {
            if (path is not null)
            {
                File.Open(path, FileMode.CreateNew, FileAccess.Write).Dispose();
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The upload went away since it was looked at: listing it says so.
            path = null;
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new SalesKpiException(Msg.Of(
                "api.upload_claimed",
                "Upload {0} is being imported or was imported already (a second click, perhaps through another server): see the last imports (saleskpi status) before you upload the files again.",
                "Загрузка {0} уже импортируется или уже импортирована (повторное нажатие, возможно через другой сервер): посмотрите последние импорты (saleskpi status), прежде чем загружать файлы заново.",
                upload));
        }

        try
        {
            return new UploadClaim(path, KeptUpload(http, upload));
        }
        catch
        {
            if (path is not null)
            {
                File.Delete(path);
            }

            throw;
        }
    }

    /// <summary>
    /// Imports (or checks, with <paramref name="dryRun"/>) the files of <paramref name="upload"/>; call it inside the
    /// <see cref="WriteGate"/>. The rejects and warnings files land in the upload's folder as <c>rejects-N.csv</c> and
    /// <c>warnings.csv</c>; the uploaded files are deleted unless <paramref name="keepFiles"/>.
    /// </summary>
    internal static async Task<ImportReport> ImportAsync(ImportService service, RequestContext ctx, SavedUpload upload, string? profile, bool strict, bool dryRun, bool keepFiles)
    {
        var dir = upload.Folder;
        var reports = Path.Combine(dir, "reports");
        var request = new ImportRequest(upload.Paths, profile, strict, dryRun) { ReportDirectory = reports };
        ImportReport report;
        using (var job = service.Prepare(request, ctx))
        {
            // Not cancelled with the request: an import that started either commits or rolls back by itself.
            report = await Task.Run(() => job.Run(null, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
        }

        if (!keepFiles)
        {
            foreach (var path in upload.Paths)
            {
                File.Delete(path);
            }
        }

        foreach (var (f, i) in report.Files.Select((f, i) => (f, i + 1)))
        {
            if (f.RejectsPath is { } rejects && File.Exists(rejects))
            {
                File.Move(rejects, Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"rejects-{i}.csv")), overwrite: true);
            }
        }

        if (report.WarningsPath is { } warnings && File.Exists(warnings))
        {
            File.Move(warnings, Path.Combine(dir, "warnings.csv"), overwrite: true);
        }

        return report;
    }

    /// <summary>The built-in profile <paramref name="name"/> in its canonical spelling; null for none; throws for an unknown name.</summary>
    internal static string? BuiltInProfile(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        return MappingProfile.BuiltInNames.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase)
            ? name.Trim().ToLowerInvariant()
            : throw new SalesKpiException(Msg.Of(
                "api.unknown_profile",
                "profile={0} is not a built-in profile: use one of {1}, or upload your YAML profile as the form file 'profile'.",
                "profile={0} — не встроенный профиль: используйте один из {1} или загрузите свой YAML-профиль как файл формы «profile».",
                name,
                string.Join(", ", MappingProfile.BuiltInNames)));
    }

    // A built-in profile by name, or a YAML profile uploaded as the form file "profile"; never a path on the server.
    private static async Task<string?> Profile(HttpContext http, IFormCollection form, string dir)
    {
        if (form.Files.GetFile("profile") is { } uploaded)
        {
            var path = Path.Combine(dir, "profile.yaml");
            await using var target = File.Create(path);
            await uploaded.CopyToAsync(target, http.RequestAborted).ConfigureAwait(false);
            return path;
        }

        return BuiltInProfile(form.TryGetValue("profile", out var v) && v.Count > 0 ? v[0] : http.Request.Query["profile"].FirstOrDefault());
    }

    internal static bool Flag(IFormCollection form, string name) =>
        form.TryGetValue(name, out var v) && v.Count > 0 && (v[0] is "true" or "1" or "on" || string.Equals(v[0], "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>A file name reduced to a plain leaf: no folders, no leading dots, only letters, digits, '.', '-' and '_'.</summary>
    internal static string Leaf(string? name, int index)
    {
        var leaf = Path.GetFileName((name ?? string.Empty).Replace('\\', '/'));
        leaf = UnsafeChars().Replace(leaf, "_").TrimStart('.');
        if (leaf.Length > 100)
        {
            leaf = leaf[^100..];
        }

        return leaf.Length == 0 || leaf.All(c => c is '_' or '.') ? string.Create(CultureInfo.InvariantCulture, $"upload-{index}") : leaf;
    }

    internal static PhysicalFileHttpResult Report(HttpContext http, string upload, string name)
    {
        if (!Guid.TryParseExact(upload, "N", out _))
        {
            throw NoReport(upload);
        }

        var path = Path.Combine(Root(http), upload, name);
        return File.Exists(path) ? TypedResults.PhysicalFile(path, "text/csv; charset=utf-8", name) : throw NoReport(upload);
    }

    private static SalesKpiException NoReport(string upload) => new(Msg.Of(
        "api.no_such_report",
        "Upload {0} has no such file: the links are in the import's answer (files[].rejects, warnings).",
        "У загрузки {0} нет такого файла: ссылки — в ответе импорта (files[].rejects, warnings).",
        upload));

    private static async Task<IFormCollection> ReadFormAsync(HttpContext http, long limit)
    {
        http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = limit, ValueCountLimit = 64 }));
        try
        {
            return await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new SalesKpiException(TooLarge(limit).Text, ex);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new SalesKpiException(TooLarge(limit).Text, ex);
        }
    }

    private static async Task CopyLimitedAsync(Stream source, Stream target, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw TooLarge(limit);
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    // The limit is checked on the declared length first, and the server's own body limit is raised to it (Kestrel's default is 30 MB).
    private static long Limit(HttpContext http)
    {
        var limit = http.RequestServices.GetRequiredService<ServerOptions>().MaxUploadBytes;
        if (http.Request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        return limit;
    }

    private static string Root(HttpContext http) => Root(http.RequestServices.GetRequiredService<ServerOptions>());

    private static string Root(ServerOptions options) => Path.GetFullPath(options.UploadDirectory ?? Path.Combine(Path.GetTempPath(), "saleskpi-uploads"));

    private static string NewFolder(HttpContext http, out string id)
    {
        id = Guid.NewGuid().ToString("N");
        var dir = Path.Combine(Root(http), id);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static Task<IResult> Write(HttpContext http, Func<RequestContext, string> change) =>
        Write(http, ctx => Task.FromResult(change(ctx)));

    private static async Task<IResult> Write(HttpContext http, Func<RequestContext, Task<string>> change)
    {
        using var gate = await EnterGateAsync(http).ConfigureAwait(false);
        var json = await change(ApiServer.Context(http)).ConfigureAwait(false);
        return TypedResults.Text(json, Json, Encoding.UTF8);
    }

    private static RouteHandlerBuilder Change(RouteHandlerBuilder route, string name, string summary) =>
        ApiServer.Document(route, name, summary).ProducesProblem(StatusCodes.Status409Conflict);

    [GeneratedRegex(@"[^A-Za-z0-9._\-]")]
    private static partial Regex UnsafeChars();

    /// <summary>The files of one upload, kept under the upload folder.</summary>
    /// <param name="Id">The upload's generated id (the name of its folder).</param>
    /// <param name="Folder">The upload's folder.</param>
    /// <param name="Paths">The saved files, in upload order.</param>
    /// <param name="Labels">The name the client gave each saved file, for messages only.</param>
    internal sealed record SavedUpload(string Id, string Folder, IReadOnlyList<string> Paths, IReadOnlyDictionary<string, string> Labels);

    /// <summary>A kept upload claimed for one import (<see cref="ClaimKeptUpload"/>); disposing releases the claim unless it is kept.</summary>
    /// <param name="path">The claim file; null when the upload does not exist (listing it then fails).</param>
    /// <param name="upload">The claimed upload's files.</param>
    internal sealed class UploadClaim(string? path, SavedUpload upload) : IDisposable
    {
        private bool kept;

        /// <summary>The claimed upload's files.</summary>
        public SavedUpload Upload => upload;

        /// <summary>Keeps the claim for good: the import ran, so the upload is never imported again.</summary>
        public void Keep() => kept = true;

        /// <inheritdoc />
        public void Dispose()
        {
            if (!kept && path is not null)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>A request body saved under a generated name; disposing deletes it and its folder.</summary>
    internal sealed class SavedBody(string dir, string path, string label) : IAsyncDisposable
    {
        /// <summary>The saved file.</summary>
        public string Path { get; } = path;

        /// <summary>The name the client gave, for messages only.</summary>
        public string Label { get; } = label;

        public ValueTask DisposeAsync()
        {
            Directory.Delete(dir, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
