using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;
using P = SalesKpi.Core.Period;

namespace SalesKpi.Tests.Web;

/// <summary>
/// The brief computes the KPI totals its sections share once and hands them to each section: the numbers must be
/// those each section's own service gives when called alone (the demo workspace with its KPI system and targets).
/// </summary>
public class BriefSharingTests(DemoServer server) : IClassFixture<DemoServer>
{
    // The last complete quarter at the fixture's clock (2026-11-15): the trend's eight quarters hold the scorecard's
    // three periods and the review's four.
    private const string Period = "2026-Q3";

    private RequestContext Ctx => new(Language.En, DemoServer.Clock, "test", server.Db);

    [SkippableFact]
    public void The_brief_shows_the_numbers_the_separate_services_give()
    {
        var brief = new BriefService().Run(new BriefQuery(Period, null, null), Ctx);

        // The scorecard: values, targets, status, changes against both baselines, pacing, goals — as one document.
        var scorecard = new ScorecardService().Run(new ScorecardQuery(Period, null, null), Ctx);
        ScorecardOutput.Json(brief.Scorecard.Scorecard, Language.En).ShouldBe(ScorecardOutput.Json(scorecard.Scorecard, Language.En));

        // The trend: each KPI over the eight quarters, as the report gives them.
        var ids = brief.Trends.Select(t => t.Kpi.Id).ToList();
        ids.Count.ShouldBe(18);
        var report = new ReportService().Run(new ReportQuery("2024-10-01..2026-09-30", null, "quarter", [], ids), Ctx).Report.Results;
        foreach (var trend in brief.Trends)
        {
            var alone = report.Where(r => r.Kpi.Id == trend.Kpi.Id).ToList();
            trend.Points.Select(p => p.Label).ShouldBe(alone.Select(r => r.Period.Label));
            trend.Points.Select(p => p.Value).ShouldBe(alone.Select(r => r.Value), trend.Kpi.Id);
            trend.Points.Select(p => p.Ci95).ShouldBe(alone.Select(r => r.Ci95), trend.Kpi.Id);
        }

        // The velocity, the what-if and the target review.
        var velocity = new AnalysisService().Velocity(new AnalysisWindow(Period, null), false, Ctx).Report;
        var shownVelocity = brief.Velocity!.Report;
        shownVelocity.Change.ShouldNotBeNull();
        (shownVelocity.Change.Before, shownVelocity.Change.After).ShouldBe((velocity.Change!.Before, velocity.Change.After));
        shownVelocity.Change.Parts.ToList().ShouldBe([.. velocity.Change.Parts]);

        var simulation = new AnalysisService().Simulate(new AnalysisWindow(Period, null), [], BriefService.SimulationRuns, 1, Ctx).Report;
        var shownSimulation = brief.Simulation!.Report;
        (shownSimulation.BaselineWon, shownSimulation.BaselineRevenue).ShouldBe((simulation.BaselineWon, simulation.BaselineRevenue));
        shownSimulation.Ranking.ToList().ShouldBe([.. simulation.Ranking]);

        var review = new KpiSystemHistoryService().Review(BriefService.ReviewPeriods, "quarter", null, Ctx).Review;
        brief.Review!.Periods.ShouldBe(review.Periods);
        brief.Review.Kpis.ShouldBe(review.Kpis);
        brief.Review.Kpis.ShouldNotBeEmpty("the demo's targets give the review findings to compare");
    }

    [SkippableFact]
    public void Each_kpi_total_the_brief_shows_is_computed_once()
    {
        var brief = new BriefService().Run(new BriefQuery(Period, null, null), Ctx);

        // The 18 catalogue KPIs over the trend's eight quarters, once; the scorecard's three quarters (18 × 3), the
        // trend's (18 × 8), the velocity's two, the what-if's four totals and the review's targeted KPIs are served.
        brief.TotalsComputed.ShouldBe(18 * 8);
        brief.TotalsServed.ShouldBeGreaterThanOrEqualTo((18 * 3) + (18 * 8) + 2 + 4);
    }

    [SkippableFact]
    public void A_total_served_from_the_memo_is_the_one_the_engine_computes_for_those_buckets_alone()
    {
        using var ws = Workspace.Open(server.Db, WorkspaceAccess.ReadOnly, null);
        var asOf = DemoServer.Clock.GetUtcNow();
        var quarter = P.Parse(Period);
        var parameters = ParameterStore.For(ws, quarter, asOf);
        var memo = new KpiMemo();
        new KpiEngine(ws, memo).Run(new ReportRequest { Period = P.Parse("2024-10-01..2026-09-30"), Grain = Grain.Quarter, AsOf = asOf, Parameters = parameters });
        memo.Computed.ShouldBe(18 * 8);

        var three = new[] { quarter.YearBefore(), quarter.Previous(), quarter };
        var request = new ReportRequest { Period = P.Range(three[0].Start, quarter.End), Grain = Grain.Quarter, Buckets = three, AsOf = asOf, Parameters = parameters };
        var served = new KpiEngine(ws, memo).Run(request).Results;
        var alone = new KpiEngine(ws).Run(request).Results;

        memo.Served.ShouldBe(18 * 3);
        memo.Computed.ShouldBe(18 * 8);
        served.Count.ShouldBe(alone.Count);
        foreach (var (s, a) in served.Zip(alone))
        {
            (s.Kpi.Id, s.Period, s.N, s.Numerator, s.Denominator, s.Reason?.Code).ShouldBe((a.Kpi.Id, a.Period, a.N, a.Numerator, a.Denominator, a.Reason?.Code));
            s.Flags.ToList().ShouldBe([.. a.Flags]);
            Same(s.Value, a.Value, s.Kpi.Id);
            Same(s.Ci95?.Low, a.Ci95?.Low, s.Kpi.Id);
            Same(s.Ci95?.High, a.Ci95?.High, s.Kpi.Id);
            s.Details.Keys.ShouldBe(a.Details.Keys);
            foreach (var (key, value) in a.Details)
            {
                Same(s.Details[key], value, s.Kpi.Id + " " + key);
            }
        }
    }

    // Equal, but for the last digits of a double aggregate (a standard deviation), which DuckDB sums in whatever order
    // its threads meet the rows: two runs of one request can differ there too (docs/benchmarks.md).
    private static void Same(decimal? actual, decimal? expected, string what)
    {
        if (actual is null || expected is null)
        {
            actual.ShouldBe(expected, what);
            return;
        }

        Math.Abs(actual.Value - expected.Value).ShouldBeLessThanOrEqualTo(Math.Abs(expected.Value) * 1e-12m, what);
    }

    [SkippableFact]
    public void The_review_computes_only_the_kpis_that_have_a_target()
    {
        using var ws = Workspace.Open(server.Db, WorkspaceAccess.ReadOnly, null);
        var asOf = DemoServer.Clock.GetUtcNow();
        var memo = new KpiMemo();

        var review = new ReviewEngine(ws, memo).Run(BriefService.ReviewPeriods, Grain.Quarter, asOf);

        // The catalogue KPIs behind each total target of the four quarters (a ratio KPI reads its two parts; a filtered
        // KPI is a slice, which the memo does not keep), each once per quarter — not every active KPI.
        var config = ConfigStore.Current(ws);
        var labels = review.Periods.Select(p => p.Label).ToHashSet(StringComparer.Ordinal);
        var needed = config.Targets
            .Where(t => labels.Contains(t.Period) && t.Slice.IsEmpty)
            .SelectMany(t => config.Find(t.Kpi)!.Custom switch
            {
                null => [(t.Kpi, t.Period)],
                { IsRatio: true } c => new[] { (c.Numerator!, t.Period), (c.Denominator!, t.Period) },
                _ => [],
            })
            .Distinct().Count();
        needed.ShouldBeGreaterThan(0);
        needed.ShouldBeLessThan(18 * 4);
        memo.Computed.ShouldBe(needed);
        review.Kpis.ShouldNotBeEmpty();
    }
}
