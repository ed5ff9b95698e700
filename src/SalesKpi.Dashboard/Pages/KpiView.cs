using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Dashboard.Pages;

/// <summary>One bucket of a KPI's trend: its value, interval and the target in force for exactly that bucket, if any.</summary>
/// <param name="Label">The bucket's label (2026-03, 2026-Q1).</param>
/// <param name="Result">The value with n and interval; null when the bucket has no units.</param>
/// <param name="Target">The target set for this bucket's period and slice; null when none.</param>
public sealed record TrendPoint(string Label, KpiResult? Result, Target? Target);

/// <summary>
/// What the KPI page shows for one KPI and period: the trend by grain with targets, the breakdown by a dimension,
/// and one page of the records behind the value (of the whole company, or of <see cref="Slice"/>).
/// </summary>
/// <param name="Kpi">The KPI.</param>
/// <param name="Explain">The explained value of the period (definition, numbers, one page of records per source).</param>
/// <param name="Trend">The buckets that end with the period: twelve months or eight quarters.</param>
/// <param name="Grain">The trend's grain.</param>
/// <param name="By">The breakdown's dimension.</param>
/// <param name="Breakdown">The period's value in each slice of <see cref="By"/>, in the requested order.</param>
/// <param name="Slice">The slice whose records are listed (empty for the whole company).</param>
/// <param name="Page">The page of records, from 1.</param>
/// <param name="PageSize">Records per page and source.</param>
/// <param name="Sort">The breakdown's order: <c>value</c> (best first by the KPI's direction), <c>n</c> or <c>name</c>.</param>
public sealed record KpiView(
    KpiDef Kpi,
    ExplainAnswer Explain,
    IReadOnlyList<TrendPoint> Trend,
    Grain Grain,
    string By,
    IReadOnlyList<KpiResult> Breakdown,
    IReadOnlyDictionary<string, string> Slice,
    int Page,
    int PageSize,
    string Sort)
{
    /// <summary>Records per page when the link names no size.</summary>
    public const int DefaultPageSize = 25;

    /// <summary>Loads the view; <paramref name="slice"/> items are <c>DIM=VALUE</c>. Unknown KPIs, periods or dimensions throw with what to fix.</summary>
    public static KpiView Load(ReportService reports, ExplainService explains, TargetsService targets, RequestContext ctx, string kpiId, string? period, string? asOf, string? grain, string? by, IReadOnlyList<string> slice, int page, string? sort)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(explains);
        ArgumentNullException.ThrowIfNull(targets);
        page = Math.Max(1, page);
        var explain = explains.Run(new ExplainQuery(kpiId, period, asOf, slice, DefaultPageSize) { Offset = (page - 1) * DefaultPageSize }, ctx);
        var kpi = explain.Kpi;
        var p = explain.Period;
        var g = grain switch
        {
            null or "" or "month" => Grain.Month,
            "quarter" => Grain.Quarter,
            _ => throw new SalesKpiException(Msg.Of("dashboard.bad_grain", "grain={0} is not offered here: use month or quarter.", "grain={0} здесь не предлагается: используйте month или quarter.", grain)),
        };
        var dim = KpiCatalog.Dimension(by ?? kpi.Dimensions.FirstOrDefault() ?? "channel");
        var sliceMap = explain.Slice;

        // The trend: the buckets that end with the period, filtered to the listed slice when one is chosen.
        var last = new DateOnly(p.LastDay.Year, p.LastDay.Month, 1);
        var range = g == Grain.Month
            ? Period.Range(last.AddMonths(-11), last.AddMonths(1))
            : Period.Range(new DateOnly(last.Year, ((last.Month - 1) / 3 * 3) + 1, 1).AddMonths(-21), new DateOnly(last.Year, ((last.Month - 1) / 3 * 3) + 1, 1).AddMonths(3));
        var trendReport = reports.Run(new ReportQuery(range.Label, asOf, g == Grain.Month ? "month" : "quarter", [.. sliceMap.Keys], [kpi.Id]), ctx).Report;
        var targetList = targets.List(null, kpi.Id, false, ctx).Targets;
        var trend = trendReport.Results
            .Where(r => r.Period.Kind == g && Same(r.Slice, sliceMap))
            .OrderBy(r => r.Period.Start)
            .Select(r => new TrendPoint(r.Period.Label, r, targetList.FirstOrDefault(t => t.Period == r.Period.Label && Same(t.Slice, sliceMap))))
            .ToList();

        // The breakdown of the period by one dimension (within the chosen slice's other dimensions it is not filtered).
        var breakdown = reports.Run(new ReportQuery(p.Label, asOf, null, [dim], [kpi.Id]), ctx).Report.Results
            .Where(r => !r.IsTotal && r.Period.Label == p.Label)
            .ToList();
        var ordered = (sort ?? "value") switch
        {
            "n" => breakdown.OrderByDescending(r => r.N).ThenBy(r => r.Slice[dim], StringComparer.Ordinal),
            "name" => breakdown.OrderBy(r => r.Slice[dim], StringComparer.Ordinal),
            _ => kpi.Direction == KpiDirection.Lower
                ? breakdown.OrderBy(r => r.Value is null).ThenBy(r => r.Value).ThenBy(r => r.Slice[dim], StringComparer.Ordinal)
                : breakdown.OrderBy(r => r.Value is null).ThenByDescending(r => r.Value).ThenBy(r => r.Slice[dim], StringComparer.Ordinal),
        };
        return new KpiView(kpi, explain, trend, g, dim, [.. ordered], sliceMap, page, DefaultPageSize, sort is "n" or "name" ? sort : "value");
    }

    private static bool Same(System.Collections.Immutable.ImmutableSortedDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
