using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>What to import.</summary>
/// <param name="Paths">Files and folders.</param>
/// <param name="Profile">A mapping profile name or file, or null for canonical files.</param>
/// <param name="Strict">Roll back when any row is rejected.</param>
/// <param name="DryRun">Check everything, store nothing.</param>
public sealed record ImportRequest(IReadOnlyList<string> Paths, string? Profile, bool Strict, bool DryRun)
{
    /// <summary>The host's hook at each stage of the import (fault injection for reliability tests); null for none.</summary>
    public Action<ImportStage>? AtStage { get; init; }

    /// <summary>Where the rejects and warnings files go; null for the default beside the workspace.</summary>
    public string? ReportDirectory { get; init; }
}

/// <summary>
/// An import ready to run: the workspace is open for writing, the profile loaded and the files resolved, so
/// a host can show them (e.g. start a progress display) before the rows move.
/// </summary>
public sealed class ImportJob : IDisposable
{
    private readonly Workspace ws;
    private readonly ImportOptions options;
    private readonly RequestContext ctx;

    internal ImportJob(Workspace ws, ImportOptions options, IReadOnlyList<string> files, RequestContext ctx) =>
        (this.ws, this.options, Files, this.ctx) = (ws, options, files, ctx);

    /// <summary>The files the import will read, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Runs the import in one transaction, reporting to <paramref name="progress"/>; may run on a worker thread.</summary>
    public ImportReport Run(IImportProgress? progress, CancellationToken cancellationToken)
    {
        var report = new Importer(ws, ctx.Clock).Run(options, progress, cancellationToken);
        if (!report.RolledBack && report.ImportId > 0)
        {
            // The importer commits its own transaction; the record follows at once on the same connection.
            AuditService.Record(ws, ctx, "import", "#" + report.ImportId.ToString(System.Globalization.CultureInfo.InvariantCulture), [
                new("files", report.Files.Select(f => Path.GetFileName(f.Path)).ToList()),
                new("read", report.Read),
                new("stored", report.Stored),
                new("rejected", report.Rejected),
                new("strict", options.Strict),
                new("profile", options.Profile?.Name)]);
        }

        return report;
    }

    /// <summary>Closes the workspace.</summary>
    public void Dispose() => ws.Dispose();
}

/// <summary>The import use case: canonical files or mapped exports into the workspace, all or nothing.</summary>
public sealed class ImportService
{
    /// <summary>Opens the workspace, loads the profile and resolves the files; run the returned job to import.</summary>
    public ImportJob Prepare(ImportRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        try
        {
            var profile = request.Profile is null ? null : MappingProfile.Load(request.Profile);
            var options = new ImportOptions { Paths = request.Paths, Strict = request.Strict, Profile = profile, DryRun = request.DryRun, Trace = ctx.Trace, AtStage = request.AtStage, Language = ctx.Language, ReportDirectory = request.ReportDirectory };
            return new ImportJob(ws, options, Importer.ResolveFiles(options.Paths), ctx);
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }
}
