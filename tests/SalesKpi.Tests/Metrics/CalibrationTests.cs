using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

public class CalibrationTests : IDisposable
{
    // Ten directors (6 become SQL) and ten others (2 become SQL), all with 100 employees, none stating a need.
    private static string Leads() =>
        "lead_id,created_at,job_title,company_size,qualified_at\n"
        + string.Concat(Enumerable.Range(1, 10).Select(i => $"T{i:00},2025-09-01,Director,100,{(i <= 6 ? "2025-09-02" : string.Empty)}\n"))
        + string.Concat(Enumerable.Range(1, 10).Select(i => $"N{i:00},2025-09-01,Analyst,100,{(i >= 9 ? "2025-09-02" : string.Empty)}\n"));

    private readonly KpiFixture f = new(files: ("leads.csv", Leads()));

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Rules_that_predict_conversion_get_the_points_and_the_others_none()
    {
        var r = new CalibrationEngine(f.Ws).Run(Period.Parse("2025-09"), KpiFixture.At("2026-01-01T00:00:00Z"), new KpiParameters());
        r.Leads.ShouldBe(20);
        var title = r.Rules.Single(x => x.Rule == "decision_maker_title");
        (title.Matching, title.SqlRateMatching, title.SqlRateOthers, title.SqlLift).ShouldBe((10L, 0.6m, 0.2m, (decimal?)3m));
        title.PValue!.Value.ShouldBe(0.067889, 1e-5); // 6/10 against 2/10, pooled 0.4, z = 1.8257
        title.SuggestedPoints.ShouldBe(100);
        r.Rules.Single(x => x.Rule == "company_size 50-5000").SqlLift.ShouldBeNull(); // every lead matches: nothing to compare with
        r.Rules.Single(x => x.Rule == "need").Matching.ShouldBe(0);
        r.Rules.Where(x => x.Rule != "decision_maker_title").ShouldAllBe(x => x.SuggestedPoints == 0);
    }

    [SkippableFact]
    public void Deciles_order_leads_by_score()
    {
        var r = new CalibrationEngine(f.Ws).Run(Period.Parse("2025-09"), KpiFixture.At("2026-01-01T00:00:00Z"), new KpiParameters());
        r.Deciles.Select(d => d.Leads).ShouldBe(Enumerable.Repeat(2L, 10));
        (r.Deciles[0].MinScore, r.Deciles[9].MaxScore).ShouldBe((30m, 70m)); // 30 for size alone, 40 + 30 for directors
        r.Deciles.Take(5).Sum(d => d.SqlRate * d.Leads).ShouldBe(2m);
        r.Deciles.Skip(5).Sum(d => d.SqlRate * d.Leads).ShouldBe(6m);
    }
}
