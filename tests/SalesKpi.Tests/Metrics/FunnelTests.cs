using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

public class FunnelTests : IDisposable
{
    // Deals created in September 2025, pipeline a → b → c:
    // F1 a, b, c, won; F2 a, c (skips b), lost at c; F3 a, lost at a; F4 a, b, still open;
    // F5 never entered a stage, lost; F6 only a, won (won deals pass every stage). G1 is August.
    private const string Deals = """
        deal_id,created_at,status,closed_at,amount
        F1,2025-09-01,won,2025-09-11,100
        F2,2025-09-01,lost,2025-09-15,50
        F3,2025-09-02,lost,2025-09-03,
        F4,2025-09-03,open,,
        F5,2025-09-04,lost,2025-09-05,70
        F6,2025-09-05,won,2025-09-15,300
        G1,2025-08-31,won,2025-09-10,10

        """;

    // Days in a: F1 2, F2 4, F3 1, F4 1.5, F6 10 (to closing); in b: F1 3, F4 censored at as-of; in c: F1 5, F2 10.
    private const string Stages = """
        deal_id,stage,entered_at
        F1,a,2025-09-01
        F1,b,2025-09-03
        F1,c,2025-09-06
        F2,a,2025-09-01
        F2,c,2025-09-05
        F3,a,2025-09-02
        F4,a,2025-09-03
        F4,b,2025-09-04 12:00
        F6,a,2025-09-05
        G1,a,2025-08-31

        """;

    private readonly KpiFixture f = new(files: [("deals.csv", Deals), ("deal_stages.csv", Stages), ("leads.csv", "lead_id,created_at,qualified_at\nL1,2025-09-01,2025-09-03\nL2,2025-09-02,\n")]);

    public void Dispose() => f.Dispose();

    private FunnelReport Run(KpiParameters? p = null) =>
        new FunnelEngine(f.Ws).Run(Period.Parse("2025-09"), KpiFixture.At("2025-12-01T00:00:00Z"), p ?? new KpiParameters().Set("pipeline_stages", "a,b,c"));

    [SkippableFact]
    public void Skipped_stages_count_as_passed_won_deals_pass_all_and_losses_sit_at_the_furthest_stage()
    {
        var steps = Run().Steps.Where(s => s.Section == "deals").ToDictionary(s => s.Name);
        steps["deals"].Count.ShouldBe(6);
        (steps["a"].Count, steps["b"].Count, steps["c"].Count, steps["won"].Count).ShouldBe((5L, 4L, 3L, 2L));
        steps["b"].StepConversion.ShouldBe(0.8m);
        steps["won"].StepConversion.ShouldBeAbout(2.0 / 3);
        steps["won"].CumulativeConversion.ShouldBeAbout(2.0 / 6);
        (steps["deals"].Lost, steps["a"].Lost, steps["b"].Lost, steps["c"].Lost).ShouldBe((1L, 1L, 0L, 1L));
        (steps["deals"].LostValue, steps["c"].LostValue).ShouldBe((70m, 50m));
    }

    [SkippableFact]
    public void Lost_deals_without_an_amount_are_counted_apart_so_a_zero_value_is_not_read_as_nothing_lost()
    {
        // a: F3 lost without an amount (value 0, but unknown); c: F2 lost with 50; before any stage: F5 with 70.
        var steps = Run().Steps.Where(s => s.Section == "deals").ToDictionary(s => s.Name);
        (steps["a"].Lost, steps["a"].LostWithAmount, steps["a"].LostValue).ShouldBe((1L, 0L, 0m));
        (steps["c"].LostWithAmount, steps["deals"].LostWithAmount, steps["b"].LostWithAmount).ShouldBe((1L, 1L, 0L));
    }

    [SkippableFact]
    public void Time_in_stage_censors_open_deals_at_as_of()
    {
        var steps = Run().Steps.ToDictionary(s => s.Name);
        // Time in a (shown on b): 1, 1.5, 2, 4, 10 days, all left → median 2, p90 10.
        (steps["b"].MedianDays, steps["b"].P90Days).ShouldBe((2m, 10m));
        // Time in b (shown on c): F1 left after 3 days, F4 is still there → S(3) = 0.5; p90 never reached.
        steps["c"].MedianDays.ShouldBe(3m);
        steps["c"].P90Days.ShouldBeNull();
        // Time in c (shown on won): 5 and 10 days.
        (steps["won"].MedianDays, steps["won"].P90Days).ShouldBe((5m, 10m));
    }

    [SkippableFact]
    public void Revenue_at_stake_weighs_losses_by_the_conversion_still_needed_and_the_average_won_deal()
    {
        // Average won deal (F1 100, F6 300) = 200. a: 1 lost × 2/5 × 200 = 80; c: 1 lost × 2/3 × 200.
        var report = Run();
        var steps = report.Steps.Where(s => report.Stages.Contains(s.Name)).ToDictionary(s => s.Name);
        steps["a"].RevenueAtStake.ShouldBe(80m);
        steps["b"].RevenueAtStake.ShouldBe(0m);
        steps["c"].RevenueAtStake.ShouldBeAbout(400.0 / 3, 1e-9);
        report.ByRevenueAtStake.Select(s => s.Name).ShouldBe(["c", "a", "b"]);
        (steps["a"].DaysInStageMedian, steps["a"].DaysInStageP90).ShouldBe((2m, 10m));
        report.ByDelay[0].Name.ShouldBe("c");
    }

    [SkippableFact]
    public void Without_a_configured_pipeline_stages_are_ordered_by_their_median_first_entry()
    {
        var report = Run(new KpiParameters());
        report.StageOrderFromData.ShouldBeTrue();
        report.Stages.ShouldBe(["a", "b", "c"]);
    }

    [SkippableFact]
    public void Lead_steps_use_the_cohort_of_leads_created_in_the_period()
    {
        var steps = Run().Steps.Where(s => s.Section == "leads").ToList();
        steps.Select(s => (s.Name, s.Count)).ShouldBe([("leads", 2L), ("sql", 1L), ("opportunity", 0L)]);
        steps[1].MedianDays.ShouldBe(2m);
    }
}

public sealed class KaplanMeierTests
{
    [SkippableFact]
    public void Events_at_a_tie_count_before_censored_units_leave()
    {
        // 4 at risk: at 1 h one event (S = 3/4); at 2 h one event and one censored (S = 3/4 · 2/3 = 1/2); one left, censored at 5 h.
        var curve = KaplanMeier.Curve([(1, 1, 0), (2, 1, 1), (5, 0, 1)]);
        curve.Select(c => c.Time).ShouldBe([1.0, 2.0]);
        curve[1].Survival.ShouldBe(0.5, 1e-12);
        KaplanMeier.Quantile(curve, 0.5).ShouldBe(2.0);
        KaplanMeier.Quantile(curve, 0.9).ShouldBeNull();
    }
}

public sealed class StalledDealTests : IDisposable
{
    // Nine deals leave stage a after one day (its p90 is 1 day); H10 has sat in a since 1 October.
    private readonly KpiFixture f = new(files:
    [
        ("deals.csv", "deal_id,created_at,status,closed_at,amount,owner\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"H{i},2025-10-01,won,2025-10-05,100,Ann\n")) + "H10,2025-10-01,open,,500,Bob\n"),
        ("deal_stages.csv", "deal_id,stage,entered_at\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"H{i},a,2025-10-01\nH{i},b,2025-10-02\n")) + "H10,a,2025-10-01\n"),
    ]);

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Open_deals_in_a_stage_longer_than_its_p90_are_listed_with_their_owner()
    {
        var report = new FunnelEngine(f.Ws).Run(Period.Parse("2025-10"), KpiFixture.At("2025-12-01T00:00:00Z"), new KpiParameters().Set("pipeline_stages", "a,b"));
        var stalled = report.Stalled.ShouldHaveSingleItem();
        (stalled.DealId, stalled.Owner, stalled.Stage, stalled.Days, stalled.StageP90Days, stalled.Amount).ShouldBe(("H10", "Bob", "a", 61m, 1m, 500m));
        report.Steps.Single(s => s.Name == "a" && s.Section == "deals").Stalled.ShouldBe(1);
    }
}

public sealed class FunnelSliceTests : IDisposable
{
    // Ann: nine deals through a and b, all won. Bob: one deal, stuck in a.
    private readonly KpiFixture f = new(files:
    [
        ("deals.csv", "deal_id,created_at,status,closed_at,amount,owner\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"H{i},2025-10-01,won,2025-10-05,100,Ann\n")) + "H10,2025-10-01,open,,500,Bob\n"),
        ("deal_stages.csv", "deal_id,stage,entered_at\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"H{i},a,2025-10-01\nH{i},b,2025-10-02\n")) + "H10,a,2025-10-01\n"),
    ]);

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Slices_come_from_the_same_queries_and_add_up_to_the_total()
    {
        var report = new FunnelEngine(f.Ws).Run(Period.Parse("2025-10"), KpiFixture.At("2025-12-01T00:00:00Z"), new KpiParameters().Set("pipeline_stages", "a,b"), "owner");
        report.By.ShouldBe("owner");
        report.Slices.Keys.ShouldBe(["Ann", "Bob"]);
        static long C(IEnumerable<FunnelStep> steps, string name) => steps.Single(s => s.Name == name && s.Section == "deals").Count;
        (C(report.Slices["Ann"], "deals"), C(report.Slices["Ann"], "b"), C(report.Slices["Ann"], "won")).ShouldBe((9L, 9L, 9L));
        (C(report.Slices["Bob"], "deals"), C(report.Slices["Bob"], "a"), C(report.Slices["Bob"], "b")).ShouldBe((1L, 1L, 0L));
        foreach (var step in new[] { "deals", "a", "b", "won" })
        {
            report.Slices.Values.Sum(s => C(s, step)).ShouldBe(C(report.Steps, step));
        }
    }
}
