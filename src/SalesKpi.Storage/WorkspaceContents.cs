using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>Rows and date range of one entity table.</summary>
/// <param name="Entity">The entity.</param>
/// <param name="Rows">How many rows it holds.</param>
/// <param name="First">The earliest value of its date column (UTC for timestamps), null when empty.</param>
/// <param name="Last">The latest value of its date column, null when empty.</param>
public sealed record EntityContents(EntityDef Entity, long Rows, DateTime? First, DateTime? Last);

/// <summary>One finished import as the import log holds it.</summary>
/// <param name="Id">The import id.</param>
/// <param name="FinishedAtUtc">When it committed (UTC).</param>
/// <param name="Read">Rows read.</param>
/// <param name="Stored">Rows stored.</param>
/// <param name="Rejected">Rows rejected.</param>
/// <param name="Files">The imported files' paths, in path order.</param>
public sealed record ImportLogEntry(int Id, DateTime FinishedAtUtc, long Read, long Stored, long Rejected, IReadOnlyList<string> Files);

/// <summary>What a workspace holds: the queries behind <c>saleskpi status</c>, kept at the data level so every host reads the same.</summary>
public static class WorkspaceContents
{
    /// <summary>Rows and date range of every entity, in <see cref="EntityCatalog.All"/> order.</summary>
    public static IReadOnlyList<EntityContents> Entities(Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var d = ws.Dialect;
        var union = string.Join(
            " UNION ALL ",
            EntityCatalog.All.Select((e, i) =>
                $"SELECT {i} AS ord, count(*) AS n, CAST(min({d.Quote(e.DateColumn)}) AS TIMESTAMP) AS lo, CAST(max({d.Quote(e.DateColumn)}) AS TIMESTAMP) AS hi FROM {d.Quote(e.Name)}"));
        return ws.Query(
            union + " ORDER BY ord",
            r => new EntityContents(EntityCatalog.All[r.GetInt32(0)], r.GetInt64(1), r.IsDBNull(2) ? null : r.GetDateTime(2), r.IsDBNull(3) ? null : r.GetDateTime(3))).ToList();
    }

    /// <summary>The last <paramref name="count"/> imports, newest first.</summary>
    public static IReadOnlyList<ImportLogEntry> LastImports(Workspace ws, int count)
    {
        ArgumentNullException.ThrowIfNull(ws);
        return ws.Query(
            LastImportsSql(ws.Dialect),
            r => new ImportLogEntry(r.GetInt32(0), r.GetDateTime(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.IsDBNull(5) ? [] : r.GetString(5).Split('\n')),
            Math.Max(0, count)).ToList();
    }

    /// <summary>The query behind <see cref="LastImports"/>; parameter 1 is the number of imports.</summary>
    public static string LastImportsSql(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return "SELECT i.import_id, i.finished_at, i.rows_read, i.rows_stored, i.rows_rejected, string_agg(f.path, '\n' ORDER BY f.path)"
            + " FROM imports i LEFT JOIN import_files f ON f.import_id = i.import_id"
            + " GROUP BY i.import_id, i.finished_at, i.rows_read, i.rows_stored, i.rows_rejected"
            + $" ORDER BY i.import_id DESC LIMIT {d.Parameter(1)}";
    }
}
