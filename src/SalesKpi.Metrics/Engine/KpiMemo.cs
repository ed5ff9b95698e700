using System.Collections.Concurrent;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Metrics.Engine;

/// <summary>
/// The total results of KPI engine runs, kept for the engine runs of one use case that ask for the same KPI, bucket,
/// as-of and parameters more than once (the brief: its scorecard's periods are buckets of its trend, its target
/// review and velocity read quarters the trend has). A result is the engine's own for that bucket: a bucket's result
/// does not depend on the other buckets or KPIs of the run (<see cref="ReportRequest.Buckets"/>), so serving it again
/// changes no number. Only totals are kept (a run with slices computes as usual), and a memo belongs to one call over
/// one workspace connection's view of the data (one caller's scope): it is never shared between calls.
/// Safe to use from several threads at once.
/// </summary>
public sealed class KpiMemo
{
    private readonly ConcurrentDictionary<(DateTime AsOf, string Parameters, string Kpi, Period Bucket), KpiResult> results = new();
    private int served;
    private int computed;

    /// <summary>Results handed out from the memo instead of being computed again.</summary>
    public int Served => served;

    /// <summary>Results computed by the engine and kept.</summary>
    public int Computed => computed;

    /// <summary>
    /// The totals of <paramref name="kpis"/> over <paramref name="buckets"/> in the engine's order (each KPI's buckets
    /// in turn), computing through <paramref name="compute"/> only the KPIs with a bucket not kept yet.
    /// </summary>
    internal KpiReport Run(ReportRequest request, IReadOnlyList<KpiDef> kpis, IReadOnlyList<Period> buckets, Func<ReportRequest, KpiReport> compute)
    {
        var asOf = request.AsOf.UtcDateTime;
        var parameters = KpiSystemWriter.Write(new KpiSystemConfig { Parameters = request.Parameters });
        (DateTime, string, string, Period) Key(string kpi, Period bucket) => (asOf, parameters, kpi, bucket);
        var missing = kpis.Where(k => buckets.Any(b => !results.ContainsKey(Key(k.Id, b)))).ToList();
        if (missing.Count > 0)
        {
            var report = compute(request with { Kpis = missing });
            foreach (var r in report.Results.Where(r => r.IsTotal))
            {
                results[Key(r.Kpi.Id, r.Period)] = r;
            }

            Interlocked.Add(ref computed, report.Results.Count);
        }

        var answer = new List<KpiResult>(kpis.Count * buckets.Count);
        foreach (var k in kpis)
        {
            foreach (var b in buckets)
            {
                answer.Add(results[Key(k.Id, b)]);
            }
        }

        Interlocked.Add(ref served, answer.Count - (missing.Count * buckets.Count));
        return new KpiReport(asOf, answer, []);
    }
}
