using SalesKpi.Application.Contracts;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>The stored series of one KPI.</summary>
/// <param name="Kpi">The KPI (catalogue or custom).</param>
/// <param name="Values">The values as reported: the latest snapshot of each period and slice.</param>
/// <param name="Currency">The workspace currency.</param>
/// <param name="Zone">The workspace time zone.</param>
public sealed record KpiHistory(KpiDef Kpi, IReadOnlyList<SnapshotValue> Values, string Currency, TimeZoneInfo Zone);

/// <summary>A new workspace and the KPI system it starts with.</summary>
/// <param name="Path">The workspace file.</param>
/// <param name="Settings">Its time zone and currency.</param>
/// <param name="SchemaVersion">Its schema version.</param>
/// <param name="KpiSystemFile">The KPI-system file beside it.</param>
/// <param name="ExistingFile">True when that file existed and was applied; false when the commented example was written.</param>
public sealed record WorkspaceCreated(string Path, WorkspaceSettings Settings, int SchemaVersion, string KpiSystemFile, bool ExistingFile);

/// <summary>The KPI system over time: a new workspace with its first version, the stored series of a KPI, and the review.</summary>
public sealed class KpiSystemHistoryService
{
    /// <summary>
    /// Creates the workspace at the context's path and applies the KPI-system file beside it (which must be
    /// valid before anything is created), or writes and applies the commented example when there is none.
    /// </summary>
    public WorkspaceCreated Init(WorkspaceSettings settings, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ctx);
        var file = KpiSystemFiles.PathFor(ctx.WorkspacePath);
        var existing = File.Exists(file);
        KpiSystemConfig config;
        if (existing)
        {
            var parsed = KpiSystemFiles.Read(file);
            if (parsed.Errors.Count > 0)
            {
                throw new InvalidInputException(
                    Msg.Of("config.file_invalid", "{0} has {1} error(s); nothing was changed. Fix them and run again.", "В {0} ошибок: {1}; ничего не изменено. Исправьте их и повторите.", file, parsed.Errors.Count),
                    [.. parsed.Errors.Select(e => e.ToMsg())]);
            }

            config = parsed.Config!;
        }
        else
        {
            config = KpiSystemTemplate.Config;
        }

        using var ws = Workspace.Create(ctx.WorkspacePath, settings, ctx.Clock);
        if (!existing)
        {
            File.WriteAllText(file, KpiSystemTemplate.Text);
        }

        ConfigStore.Apply(ws, config, existing ? "init from " + Path.GetFileName(file) : "init", ctx.User, ctx.Clock);
        return new WorkspaceCreated(ws.Path, ws.Settings, ws.SchemaVersion, file, existing);
    }

    /// <summary>The stored series of <paramref name="kpi"/>, or of its slices by <paramref name="by"/>.</summary>
    public KpiHistory History(string kpi, string? by, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = OpenStored(by is not null, ctx);
        var def = ConfigStore.Current(ws).Find(kpi.Trim())?.Def ?? KpiCatalog.Get(kpi);
        return new KpiHistory(def, Snapshots.History(ws, def.Id, by), ws.Settings.Currency, ws.Settings.Zone);
    }

    /// <summary>
    /// The scorecard document snapshot <paramref name="id"/> stored, rendered in the reader's language
    /// (<see cref="RequestContext.Language"/>), whichever language it was taken in; a snapshot stored by an
    /// earlier version (text in one language) comes back as stored. Throws when there is no such snapshot.
    /// </summary>
    public string Snapshot(int id, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = OpenStored(false, ctx);
        if (ctx.Scope is not null && Snapshots.SlicedBy(ws, id) is { Count: > 0 })
        {
            throw SlicesRefused();
        }

        var payload = Snapshots.Payload(ws, id)
            ?? throw new SalesKpiException(Msg.Of("snapshot.not_found", "There is no snapshot {0} (saleskpi history KPI lists the snapshots behind each value).", "Снимка {0} нет (saleskpi history KPI показывает снимки, из которых взяты значения).", id));
        return ScorecardOutput.RenderStored(payload, ctx.Language);
    }

    /// <summary>
    /// Opens the workspace to read stored snapshots. They were computed over the whole company, so a caller limited to
    /// one owner's data reads them only with <see cref="DataScope.CompanyTotals"/>, and then only their totals
    /// (<paramref name="sliced"/> false): a stored slice may be another owner's figure.
    /// </summary>
    private static Workspace OpenStored(bool sliced, RequestContext ctx)
    {
        if (ctx.Scope is null)
        {
            return ctx.Open(WorkspaceAccess.ReadOnly);
        }

        var what = Msg.Of("scope.stored_snapshots", "Stored snapshots", "Сохранённые снимки");
        ctx.RequireCompanyTotals(what);
        return sliced ? throw SlicesRefused() : ctx.OpenCompanyTotals(what);
    }

    private static SalesKpiException SlicesRefused() => new(Msg.Of(
        "scope.snapshot_slices",
        "With access to one owner's data, stored snapshots are readable as company totals only, not by slice.",
        "При доступе к данным одного ответственного сохранённые снимки доступны только итогами по компании, без разрезов."));

    /// <summary>The review of the last <paramref name="periods"/> complete periods of <paramref name="grain"/> as of <paramref name="asOf"/> (now when null).</summary>
    public (ReviewResult Review, IReadOnlyList<Msg> Warnings) Review(int periods, string grain, string? asOf, RequestContext ctx) => Review(periods, grain, asOf, ctx, null);

    /// <summary>As <see cref="Review(int, string, string?, RequestContext)"/>, its KPI totals served from and kept in <paramref name="memo"/>.</summary>
    internal (ReviewResult Review, IReadOnlyList<Msg> Warnings) Review(int periods, string grain, string? asOf, RequestContext ctx, KpiMemo? memo)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var moment = TimeRules.ResolveAsOf(asOf, ws.Settings.Zone, ctx.Clock, out var warning);
        return (new ReviewEngine(ws, memo).Run(periods, Period.ParseGrain(grain), moment), warning is null ? [] : [warning]);
    }
}
