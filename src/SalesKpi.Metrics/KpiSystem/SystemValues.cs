using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Metrics.KpiSystem;

/// <summary>
/// Computes the KPIs of a KPI system — catalogue KPIs and custom ones — through <see cref="KpiEngine"/>:
/// a filtered KPI is its base KPI's result for the filter slice (with the filter dimensions removed from
/// the slice); a ratio KPI is numerator ÷ denominator of the same bucket and slice (null when either is
/// null or the denominator is zero; no interval), whose n is the denominator's count (see <see cref="RatioN"/>).
/// Results carry the custom definition as their KPI.
/// </summary>
public static class SystemValues
{
    /// <summary>The values of <paramref name="kpis"/> for every bucket of <paramref name="period"/> (one bucket when <paramref name="grain"/> is null), total and sliced by <paramref name="by"/>.</summary>
    /// <remarks>With <paramref name="only"/>, just those buckets of the split (see <see cref="ReportRequest.Buckets"/>).</remarks>
    public static IReadOnlyList<KpiResult> Compute(KpiEngine engine, KpiSystemConfig config, IReadOnlyList<SystemKpi> kpis, Period period, Grain? grain, IReadOnlyList<string> by, DateTimeOffset asOf, IReadOnlyList<Period>? only = null) =>
        Report(engine, config, kpis, period, grain, by, asOf, only).Results;

    /// <summary>As <see cref="Compute"/>, as a report with the engine's notes (dimensions a KPI does not have).</summary>
    public static KpiReport Report(KpiEngine engine, KpiSystemConfig config, IReadOnlyList<SystemKpi> kpis, Period period, Grain? grain, IReadOnlyList<string> by, DateTimeOffset asOf, IReadOnlyList<Period>? only = null)
    {
        var notes = new List<Msg>();
        // The pieces: catalogue KPIs asked for directly or through a ratio, and filtered KPIs by filter dimensions.
        var expanded = kpis.SelectMany(k => k.Custom is { IsRatio: true } c ? [config.Find(c.Numerator!)!, config.Find(c.Denominator!)!] : new[] { k }).Distinct().ToList();
        var catalogue = expanded.Where(k => k.Custom is null).Select(k => k.Def).Distinct().ToList();
        var results = new List<KpiResult>();
        if (catalogue.Count > 0)
        {
            var report = engine.Run(Request(period, grain, by, catalogue, asOf, config) with { Buckets = only });
            results.AddRange(report.Results);
            notes.AddRange(report.Notes);
        }

        foreach (var group in expanded.Where(k => k.Custom is { IsRatio: false }).GroupBy(k => string.Join(",", k.Custom!.Filter.Keys)))
        {
            var filterDims = group.First().Custom!.Filter.Keys.ToList();
            var bases = group.Select(k => KpiCatalog.Get(k.Custom!.Base!)).Distinct().ToList();
            var run = engine.Run(Request(period, grain, filterDims.Concat(by).Distinct().ToList(), bases, asOf, config) with { Buckets = only }).Results;
            foreach (var k in group)
            {
                var filter = k.Custom!.Filter;
                var slicedBy = by.Count > 0 && by.All(k.Def.Dimensions.Contains);
                results.AddRange(run
                    .Where(r => r.Kpi.Id == k.Custom.Base && filter.All(f => r.Slice.TryGetValue(f.Key, out var v) && v == f.Value))
                    .Select(r => r with { Kpi = k.Def, Slice = r.Slice.RemoveRange(filter.Keys.Except(by)) })
                    .Where(r => slicedBy || r.Slice.IsEmpty || r.Slice.Keys.All(filter.ContainsKey)));
            }
        }

        var byKey = results.ToLookup(r => (r.Kpi.Id, r.Period.Label, SliceKey(r.Slice)));
        foreach (var k in kpis.Where(k => k.Custom is { IsRatio: true }))
        {
            var c = k.Custom!;
            foreach (var num in results.Where(r => r.Kpi.Id == c.Numerator).ToList())
            {
                if (!num.Slice.IsEmpty && !num.Slice.Keys.All(k.Def.Dimensions.Contains))
                {
                    continue;
                }

                var den = byKey[(c.Denominator!, num.Period.Label, SliceKey(num.Slice))].FirstOrDefault();
                var value = num.Value is { } a && den?.Value is { } b && b != 0 ? a / b : (decimal?)null;
                results.Add(new KpiResult
                {
                    Kpi = k.Def,
                    Period = num.Period,
                    Slice = num.Slice,
                    Value = value,
                    N = RatioN(den),
                    // Numerator and denominator stay empty: they are KPI values, not counts a proportion test could use.
                    Details = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, decimal?>("numerator", num.Value), new("denominator", den?.Value)]),
                    Flags = [.. num.Flags.Concat(den?.Flags ?? []).Distinct()],
                    Reason = value is not null ? null
                        : num.Value is null ? num.Reason
                        : den?.Value is null ? den?.Reason ?? Msg.Of("ratio.denominator_undefined", "{0} has no value", "у {0} нет значения", c.Denominator)
                        : Msg.Of("ratio.denominator_zero", "{0} is 0", "{0} равен 0", c.Denominator),
                });
            }
        }

        foreach (var k in kpis.Where(k => k.Custom is not null && by.Count > 0 && !by.All(k.Def.Dimensions.Contains)))
        {
            notes.Add(Msg.Of("kpi_not_sliced_by", "{0} is not reported by {1}: its dimensions are {2}.", "{0} не считается в разрезе {1}: его измерения — {2}.", k.Id, string.Join(", ", by.Where(d => !k.Def.Dimensions.Contains(d))), string.Join(", ", k.Def.Dimensions)));
        }

        var wanted = kpis.Select(k => k.Id).ToList();
        // Results in the order the KPIs were asked for, each KPI's buckets and slices in the engine's order.
        return new KpiReport(asOf.UtcDateTime, [.. wanted.SelectMany(id => results.Where(r => r.Kpi.Id == id))], [.. notes.Distinct()]);
    }

    /// <summary>
    /// The units a ratio KPI is "per", i.e. its denominator's count: the numerator of a proportion denominator
    /// (wins ÷ qualified leads as lead → won ÷ lead → SQL counts the 21 qualified leads, not the 38 leads both
    /// proportions are over), the value of a count denominator, else the denominator's own n; 0 without one.
    /// </summary>
    private static long RatioN(KpiResult? den) => den switch
    {
        null => 0,
        { Kpi.IsProportion: true, Numerator: { } x } => (long)x,
        { Kpi.Unit: KpiUnit.Count, Value: { } v } => (long)v,
        _ => den.N,
    };

    /// <summary>A stable text key of a slice: <c>dim=value</c> pairs in dimension order, comma-separated; empty for the total.</summary>
    public static string SliceKey(IReadOnlyDictionary<string, string> slice) =>
        string.Join(",", slice.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));

    private static ReportRequest Request(Period period, Grain? grain, IReadOnlyList<string> by, IReadOnlyList<KpiDef> kpis, DateTimeOffset asOf, KpiSystemConfig config) =>
        new() { Period = period, Grain = grain, By = by, Kpis = kpis, AsOf = asOf, Parameters = config.Parameters };
}
