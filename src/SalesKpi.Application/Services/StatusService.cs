using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>What the workspace holds.</summary>
/// <param name="Path">The workspace file.</param>
/// <param name="Settings">Its time zone and currency.</param>
/// <param name="SchemaVersion">Its schema version.</param>
/// <param name="Entities">Rows and date range per entity.</param>
/// <param name="Imports">The last imports, newest first.</param>
public sealed record StatusAnswer(string Path, Core.WorkspaceSettings Settings, int SchemaVersion, IReadOnlyList<EntityContents> Entities, IReadOnlyList<ImportLogEntry> Imports);

/// <summary>The status use case: rows and date range per entity, and the last imports.</summary>
public sealed class StatusService
{
    /// <summary>
    /// Reads the workspace's contents and its last <paramref name="imports"/> imports. With a <see cref="RequestContext.Scope"/>
    /// the contents are the scope owner's rows, and the import log (company-wide row counts) is left out.
    /// </summary>
    public StatusAnswer Run(int imports, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var log = ctx.Scope is null ? WorkspaceContents.LastImports(ws, imports) : [];
        return new StatusAnswer(ws.Path, ws.Settings, ws.SchemaVersion, WorkspaceContents.Entities(ws), log);
    }
}
