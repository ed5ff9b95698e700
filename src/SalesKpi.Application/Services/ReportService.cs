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
public sealed record ReportQuery(string? Period, string? AsOf, string? Grain, IReadOnlyList<string> By, IReadOnlyList<string> Kpis);

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
    public ReportAnswer Run(ReportQuery query, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        var phase = System.Diagnostics.Stopwatch.StartNew();
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var openMs = phase.Elapsed.TotalMilliseconds;
        var zone = ws.Settings.Zone;
        var (period, asOf, warnings) = TimeRules.Resolve(ws, query.Period, query.AsOf, DefaultPeriod.CurrentYear, ctx.Clock);
        var (config, _) = ConfigStore.For(ws, period, asOf);
        ctx.Trace?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"trace: open: {openMs:F0} ms, period and configuration: {phase.Elapsed.TotalMilliseconds - openMs:F0} ms"));
        var grain = query.Grain is null ? (Grain?)null : Period.ParseGrain(query.Grain);
        KpiReport report;
        if (query.Kpis.Any(id => config.Find(id.Trim()) is { Custom: not null }))
        {
            // Custom KPIs of the KPI system are built from catalogue results (docs/kpi-system.md).
            var kpis = query.Kpis.Select(id => config.Find(id.Trim()) ?? new SystemKpi(KpiCatalog.Get(id), null)).ToList();
            report = SystemValues.Report(new KpiEngine(ws), config, kpis, period, grain, query.By.Select(KpiCatalog.Dimension).ToList(), asOf);
        }
        else
        {
            report = new KpiEngine(ws).Run(new ReportRequest
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

        return new ReportAnswer(TimeRules.MarkUnfinished(report, zone, ctx.Clock), ws.Settings.Currency, zone, warnings);
    }
}
