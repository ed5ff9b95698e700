using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

/// <summary>The sample-size rules shared by diagnose and the scorecard (SignificanceRules).</summary>
public sealed class SignificanceRuleTests
{
    [SkippableFact]
    public void Proportions_need_five_expected_successes_and_failures_in_each_period()
    {
        // 4/10 against 0/10: pooled 0.2, 10 × 0.2 = 2 expected successes per period, below 5.
        var small = SignificanceRules.Proportions(4, 10, 0, 10);
        small.PValue.ShouldBeNull();
        small.NotTestedReason.ShouldNotBeNull().En().ShouldContain("expected successes");
        // 30/100 against 45/100: pooled 0.375, 37.5 expected successes and 62.5 failures per period.
        SignificanceRules.Proportions(30, 100, 45, 100).PValue!.Value.ShouldBe(0.028460, 1e-5);
    }

    [SkippableFact]
    public void Nps_needs_thirty_answers_per_period_and_uses_the_pooled_standard_error()
    {
        SignificanceRules.Nps(4, 0, 4, 3, 1, 6).PValue.ShouldBeNull();
        // 30 promoters (NPS 100) against 20 promoters, 4 detractors of 30 (53.3): pooled p₊ = 50/60, p₋ = 4/60,
        // variance 0.9 − 0.7667² = 0.312222, SE = 100·√(0.312222 · 2/30) = 14.4273, z = 46.667 / 14.4273 = 3.2346.
        // The unpooled error would rest on the second period alone (the first has SE 0): z = 3.56, p = 0.0004.
        SignificanceRules.Nps(30, 0, 30, 20, 4, 30).PValue!.Value.ShouldBe(0.001218, 1e-5);
    }

    [SkippableFact]
    public void A_slice_needs_ten_units_in_each_period_to_drive_a_change()
    {
        var win = KpiCatalog.Get("win_rate");
        KpiResult R(decimal denominator) => new() { Kpi = win, Period = Period.Parse("2025-09"), Numerator = 1, Denominator = denominator, N = (long)denominator, Value = 1 / denominator };
        SignificanceRules.CanDrive(win, R(10), R(12)).ShouldBeTrue();
        SignificanceRules.CanDrive(win, R(1), R(30)).ShouldBeFalse();
        SignificanceRules.CanDrive(win, null, R(30)).ShouldBeFalse();
    }
}

/// <summary>Diagnose and the scorecard on NPS with 4 answers in Q2 (all promoters) and 6 in Q3 — the canonical samples' case.</summary>
public class SmallSampleTests : IDisposable
{
    // Q2: 4 promoters (NPS 100). Q3: 3 promoters, 2 passives, 1 detractor (NPS 33.3).
    private const string Nps = """
        response_id,responded_at,score
        A1,2025-05-02,10
        A2,2025-05-03,9
        A3,2025-06-04,10
        A4,2025-06-05,9
        B1,2025-08-01,10
        B2,2025-08-02,9
        B3,2025-08-03,9
        B4,2025-08-04,8
        B5,2025-09-05,7
        B6,2025-09-06,3

        """;

    private static readonly DateTimeOffset AsOf = KpiFixture.At("2026-01-01T00:00:00Z");

    private readonly KpiFixture f = new(files: ("nps.csv", Nps));

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Diagnose_does_not_test_nps_with_four_and_six_answers()
    {
        var report = new DiagnoseEngine(f.Ws).Run(Period.Parse("2025-Q3"), Period.Parse("2025-Q2"), AsOf, new KpiParameters(), string.Empty);
        report.Findings.ShouldNotContain(x => x.Kpi == "nps");
        report.NotTested.ShouldContain(x => x.Kpi == "nps" && x.Reason.En() == "too few answers to test: 4 and 6, at least 30 in each period are needed");
    }

    [SkippableFact]
    public void The_scorecard_does_not_mark_the_same_change_significant()
    {
        var config = new KpiSystemConfig { Active = ["nps"] };
        var nps = new ScorecardEngine(f.Ws).Evaluate(config, null, Period.Parse("2025-Q3"), AsOf, []).Rows.Single(r => r.Kpi.Id == "nps" && r.Result.IsTotal);
        nps.VsPrevious.Delta!.Value.ShouldBe(-66.7m, 0.05m);
        nps.VsPrevious.PValue.ShouldBeNull();
        nps.VsPrevious.Significant.ShouldBeNull();
        nps.VsPrevious.NotTestedReason.En().ShouldBe("too few answers to test: 4 and 6, at least 30 in each period are needed");
    }
}
