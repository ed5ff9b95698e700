using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>Which KPI value to explain.</summary>
/// <param name="Kpi">A catalogue or custom KPI id.</param>
/// <param name="Period">The period, or null for the current year.</param>
/// <param name="AsOf">The as-of moment, or null for now.</param>
/// <param name="Slice">The slice as <c>DIM=VALUE</c> items.</param>
/// <param name="Limit">Records to list per source; 0 or less lists all.</param>
public sealed record ExplainQuery(string Kpi, string? Period, string? AsOf, IReadOnlyList<string> Slice, int Limit)
{
    /// <summary>Records of each source to skip before listing (a page of a drill-down); 0 or less skips none.</summary>
    public int Offset { get; init; }
}

/// <summary>An explained KPI value.</summary>
/// <param name="Kpi">The catalogue KPI explained (a filtered custom KPI's base).</param>
/// <param name="Custom">The custom KPI asked for, when it was one.</param>
/// <param name="Period">The period.</param>
/// <param name="AsOf">The as-of moment.</param>
/// <param name="Slice">The slice explained, custom filter included.</param>
/// <param name="Limit">Records to show per source.</param>
/// <param name="Explanation">The formula, numbers and records.</param>
/// <param name="Currency">The workspace currency.</param>
/// <param name="TimeZone">The workspace time-zone id.</param>
/// <param name="Zone">The workspace time zone.</param>
/// <param name="Warnings">Warnings for the user, in the caller's language.</param>
public sealed record ExplainAnswer(
    KpiDef Kpi, CustomKpi? Custom, Period Period, DateTimeOffset AsOf, IReadOnlyDictionary<string, string> Slice, int Limit,
    Explanation Explanation, string Currency, string TimeZone, TimeZoneInfo Zone, IReadOnlyList<Msg> Warnings)
{
    /// <summary>Records of each source skipped before the listed ones (0 for the first page).</summary>
    public int Offset { get; init; }
}

/// <summary>The explain use case: how one KPI value is computed, with the records behind it.</summary>
public sealed class ExplainService
{
    /// <summary>Explains the value <paramref name="query"/> names.</summary>
    public ExplainAnswer Run(ExplainQuery query, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var zone = ws.Settings.Zone;
        var (period, asOf, warnings) = TimeRules.Resolve(ws, query.Period, query.AsOf, DefaultPeriod.CurrentYear, ctx.Clock);
        var slice = ParseSlice(query.Slice);
        var custom = ConfigStore.For(ws, period, asOf).Config.Find(query.Kpi.Trim())?.Custom;
        if (custom is { IsRatio: true })
        {
            throw new SalesKpiException(Msg.Of("explain.ratio_kpi", "{0} is the ratio {1} ÷ {2}: explain each of them.", "{0} — отношение {1} ÷ {2}: объясните каждый из них.", custom.Id, custom.Numerator, custom.Denominator));
        }

        if (custom is not null)
        {
            // A filtered KPI is its base KPI in the filter's slice: the records are the same.
            slice = custom.Filter.Concat(slice.Where(kv => !custom.Filter.ContainsKey(kv.Key))).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        }

        var kpi = KpiCatalog.Get(custom?.Base ?? query.Kpi);
        var limit = query.Limit <= 0 ? int.MaxValue - 1 : query.Limit;
        var explanation = new KpiEngine(ws).Explain(kpi, period, slice, asOf, ParameterStore.For(ws, period, asOf), limit, Math.Max(0, query.Offset));
        if (ctx.Scope is not null && explanation.Result is { } result)
        {
            explanation = explanation with { Result = Scoping.Explain(result) };
        }

        return new ExplainAnswer(kpi, custom, period, asOf, slice, limit, explanation, ws.Settings.Currency, ws.Settings.TimeZone, zone, warnings) { Offset = Math.Max(0, query.Offset) };
    }

    private static Dictionary<string, string> ParseSlice(IEnumerable<string> items)
    {
        var slice = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new SalesKpiException(Msg.Of("explain.bad_slice", "--slice '{0}' is not DIM=VALUE, e.g. channel=referral.", "--slice «{0}» не в виде ИЗМЕРЕНИЕ=ЗНАЧЕНИЕ, например channel=referral.", item));
            }

            slice[KpiCatalog.Dimension(item[..eq])] = item[(eq + 1)..].Trim();
        }

        return slice;
    }
}
