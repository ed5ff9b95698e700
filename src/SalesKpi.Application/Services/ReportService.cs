using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>What a report asks for; text fields are as the user wrote them (e.g. <c>2025-Q3</c>).</summary>
/// <param name="Period">The period, or null for the current year.</param>
/// <param name="AsOf">The as-of moment, or null for now (<see cref="TimeRules.ResolveAsOf"/>).</param>
/// <param name="Grain">The bucket grain (day … year), or null for one bucket.</param>
/// <param name="By">Dimensions to slice by.</param>
/// <param name="Kpis">KPI ids, catalogue or custom; empty for every catalogue KPI.</param>
public sealed record ReportQuery(string? Period, string? AsOf, string? Grain, IReadOnlyList<string> By, IReadOnlyList<string> Kpis)
{
    /// <summary>
    /// Compute over the whole company even for a caller with a <see cref="RequestContext.Scope"/>: allowed only with
    /// <see cref="DataScope.CompanyTotals"/>, and then only as totals (no <see cref="By"/>, no custom KPI filtered by
    /// owner), so no other owner's figure or record is ever shown. Without a scope it changes nothing.
    /// </summary>
    public bool Company { get; init; }
}

/// <summary>A computed report with what a host needs to render it.</summary>
/// <param name="Report">The results, partial buckets flagged.</param>
/// <param name="Currency">The workspace currency, for display.</param>
/// <param name="Zone">The workspace time zone, for display.</param>
/// <param name="Warnings">Warnings for the user (e.g. an as-of in the future), in the caller's language.</param>
public sealed record ReportAnswer(KpiReport Report, string Currency, TimeZoneInfo Zone, IReadOnlyList<Msg> Warnings);

/// <summary>The report use case: KPIs for a period, by grain and slice, catalogue or custom.</summary>
public sealed class ReportService
{
    /// <summary>Computes the report <paramref name="query"/> asks for, in <paramref name="ctx"/>'s language and clock.</summary>
    public ReportAnswer Run(ReportQuery query, RequestContext ctx) => Run(query, ctx, null);

    /// <summary>
    /// As <see cref="Run(ReportQuery, RequestContext)"/>, its totals served from and kept in <paramref name="memo"/> (one
    /// use case's memo, over the caller's own view of the data: not used for <see cref="ReportQuery.Company"/>).
    /// </summary>
    internal ReportAnswer Run(ReportQuery query, RequestContext ctx, KpiMemo? memo)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        var phase = System.Diagnostics.Stopwatch.StartNew();
        using var ws = query.Company && ctx.Scope is not null ? OpenCompanyTotals(query, ctx) : ctx.Open(WorkspaceAccess.ReadOnly);
        var openMs = phase.Elapsed.TotalMilliseconds;
        var zone = ws.Settings.Zone;
        var (period, asOf, warnings) = TimeRules.Resolve(ws, query.Period, query.AsOf, DefaultPeriod.CurrentYear, ctx.Clock);
        var (config, _) = ConfigStore.For(ws, period, asOf);
        ctx.Trace?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"trace: open: {openMs:F0} ms, period and configuration: {phase.Elapsed.TotalMilliseconds - openMs:F0} ms"));
        if (query.Company && ctx.Scope is not null
            && query.Kpis.Select(id => config.Find(id.Trim())?.Custom).Any(c => c is not null && (c.IsRatio || c.Filter.ContainsKey("owner"))))
        {
            // A custom KPI filtered by owner would show another owner's figure under the company's name.
            throw new SalesKpiException(Msg.Of(
                "scope.company_custom",
                "With access to one owner's data, company figures cover catalogue KPIs and custom KPIs not filtered by owner.",
                "При доступе к данным одного ответственного показатели компании доступны для KPI каталога и собственных KPI без фильтра по ответственному."));
        }

        var grain = query.Grain is null ? (Grain?)null : Period.ParseGrain(query.Grain);
        var engine = new KpiEngine(ws, query.Company && ctx.Scope is not null ? null : memo);
        KpiReport report;
        if (query.Kpis.Any(id => config.Find(id.Trim()) is { Custom: not null }))
        {
            // Custom KPIs of the KPI system are built from catalogue results (docs/kpi-system.md).
            var kpis = query.Kpis.Select(id => config.Find(id.Trim()) ?? new SystemKpi(KpiCatalog.Get(id), null)).ToList();
            report = SystemValues.Report(engine, config, kpis, period, grain, query.By.Select(KpiCatalog.Dimension).ToList(), asOf);
        }
        else
        {
            report = engine.Run(new ReportRequest
            {
                Period = period,
                Grain = grain,
                By = [.. query.By],
                Kpis = query.Kpis.Select(KpiCatalog.Get).ToList(),
                AsOf = asOf,
                Parameters = config.Parameters,
                Trace = ctx.Trace is { } trace ? line => trace("trace: " + line) : null,
            });
        }

        if (ctx.Scope is not null && !query.Company)
        {
            report = report with { Results = [.. report.Results.Select(Scoping.Explain)] };
        }

        return new ReportAnswer(TimeRules.MarkUnfinished(report, zone, ctx.Clock), ws.Settings.Currency, zone, warnings);
    }

    private static Workspace OpenCompanyTotals(ReportQuery query, RequestContext ctx)
    {
        var what = Msg.Of("scope.company_report", "Company reports", "Отчёты по всей компании");
        ctx.RequireCompanyTotals(what);
        if (query.By.Count > 0)
        {
            throw new SalesKpiException(Msg.Of(
                "scope.company_totals_only",
                "With access to one owner's data, company figures come as totals only: leave out the slices (by).",
                "При доступе к данным одного ответственного показатели компании доступны только итогом: уберите разрезы (by)."));
        }

        return ctx.OpenCompanyTotals(what);
    }
}
