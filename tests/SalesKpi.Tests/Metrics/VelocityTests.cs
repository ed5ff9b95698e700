using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

public class VelocityTests
{
    [SkippableFact]
    public void Shares_and_contributions_add_up_to_the_change()
    {
        // V₁ = 10 × 0.5 × 1000 ÷ 20 = 250; V₂ = 12 × 0.6 × 1000 ÷ 16 = 450; ln 1.8 = 0.587787.
        // Parts: deals ln 1.2 = 0.182322, win rate ln 1.2, size 0, cycle −ln 0.8 = 0.223144.
        var change = VelocityDecomposition.Compute(new VelocityFactors(10, 0.5m, 1000, 20), new VelocityFactors(12, 0.6m, 1000, 16));
        (change.Before, change.After).ShouldBe((250m, 450m));
        var parts = change.Parts.ToDictionary(p => p.Factor);
        parts["deals"].Share!.Value.ShouldBeAbout(0.182322 / 0.587787, 1e-5);
        parts["deal_size"].Contribution.ShouldBe(0m);
        parts["cycle_length"].Contribution.ShouldBeAbout(200 * 0.223144 / 0.587787, 1e-3);
        change.Parts.Sum(p => p.Share!.Value).ShouldBeAbout(1, 1e-12);
        change.Parts.Sum(p => p.Contribution).ShouldBeAbout(200, 1e-9);
    }

    [SkippableFact]
    public void A_longer_cycle_contributes_negatively()
    {
        var change = VelocityDecomposition.Compute(new VelocityFactors(10, 0.5m, 1000, 20), new VelocityFactors(10, 0.5m, 1000, 25));
        change.Parts.Single(p => p.Factor == "cycle_length").Contribution.ShouldBe(change.After - change.Before);
        (change.After - change.Before).ShouldBe(-50m);
    }

    [SkippableFact]
    public void Unchanged_velocity_has_no_shares()
    {
        VelocityDecomposition.Compute(new VelocityFactors(10, 0.5m, 1000, 20), new VelocityFactors(20, 0.5m, 1000, 40)).Parts.ShouldAllBe(p => p.Share == null && p.Contribution == 0);
    }

    [SkippableFact]
    public void Factors_come_from_the_engine_for_both_periods()
    {
        // August: D1 created and won (10 days, 1000); D2 created, lost. September: D3, D4 won (5 days, 3000 each), D5 lost.
        using var f = new KpiFixture(files: ("deals.csv", """
            deal_id,created_at,status,closed_at,amount
            D1,2025-08-01,won,2025-08-11,1000
            D2,2025-08-02,lost,2025-08-20,
            D3,2025-09-01,won,2025-09-06,3000
            D4,2025-09-02,won,2025-09-07,3000
            D5,2025-09-03,lost,2025-09-20,

            """));
        var (change, reason) = VelocityDecomposition.Between(new KpiEngine(f.Ws), Period.Parse("2025-08"), Period.Parse("2025-09"), KpiFixture.At("2026-01-01T00:00:00Z"), new KpiParameters());
        reason.ShouldBeNull();
        change!.Before.ShouldBe(2m * 0.5m * 1000m / 10m);                   // 100 per day
        change.After.ShouldBeAbout(3.0 * (2.0 / 3) * 3000 / 5, 1e-9);        // 1200 per day
        change.Parts.Sum(p => p.Contribution).ShouldBeAbout(1100, 1e-9);
    }
}

public sealed class SurvivalTests
{
    [SkippableFact]
    public void Time_to_win_counts_open_deals_as_censored_and_leaves_lost_deals_out()
    {
        // W1 won after 10 days, W2 after 20; O1 open 30 days at as-of, O2 open 6 days; L1 lost.
        // At risk 4: O2 censored at 6 → 3; W1 at 10: S = 2/3; W2 at 20 (2 at risk): S = 1/3 → median 20.
        using var f = new KpiFixture(files: ("deals.csv", """
            deal_id,created_at,status,closed_at,amount
            W1,2025-09-01,won,2025-09-11,100
            W2,2025-09-02,won,2025-09-22,100
            O1,2025-09-01,open,,
            O2,2025-09-25,open,,
            L1,2025-09-03,lost,2025-09-04,

            """));
        var s = new SurvivalEngine(f.Ws).Run(SalesKpi.Core.Period.Parse("2025-09"), KpiFixture.At("2025-10-01T00:00:00Z"));
        (s.Won, s.Open, s.Lost).ShouldBe((2L, 2L, 1L));
        s.MedianDays.ShouldBe(20m);
        s.PlainMeanDays.ShouldBeAbout(15);
        s.PlainMedianDays.ShouldBeAbout(15);
        s.WonBy(9).ShouldBe(0m);
        s.WonBy(10).ShouldBeAbout(1.0 / 3, 1e-12);
        s.WonBy(25).ShouldBeAbout(2.0 / 3, 1e-12);
    }
}
