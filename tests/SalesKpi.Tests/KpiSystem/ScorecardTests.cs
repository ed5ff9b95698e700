using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Tests.Metrics;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.KpiSystem;

/// <summary>The scorecard on hand-made data: status, pacing, significance of changes, goals and custom KPIs.</summary>
public class ScorecardTests : IDisposable
{
    private static readonly DateTimeOffset AsOf = KpiFixture.At("2026-01-11T00:00:00Z");

    private readonly KpiFixture f = new(files:
    [
        ("leads.csv", Leads()),
        ("deals.csv", Deals()),
    ]);

    public void Dispose() => f.Dispose();

    // January 2026: 5 leads (2 referral) by the 10th; December 2025: 4; January 2025: 2.
    private static string Leads()
    {
        var sb = new StringBuilder("lead_id,created_at,channel\n");
        string[] jan = ["2026-01-02", "2026-01-03", "2026-01-05", "2026-01-08", "2026-01-10"];
        for (var i = 0; i < jan.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"J{i},{jan[i]},{(i < 2 ? "referral" : "ads")}\n");
        }

        for (var i = 0; i < 4; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"D{i},2025-12-1{i},ads\n");
        }

        sb.Append("Y0,2025-01-04,ads\nY1,2025-01-05,ads\n");
        return sb.ToString();
    }

    // Closed: December 2025 10 won of 100; January 2026 (by the 5th) 30 of 100 — 20 of the 40 consulting deals;
    // January 2025 25 of 100.
    private static string Deals()
    {
        var sb = new StringBuilder("deal_id,created_at,status,closed_at,amount,service_line\n");
        void Add(string prefix, string created, string closed, int count, Func<int, string> line, Func<int, bool> isWon)
        {
            for (var i = 0; i < count; i++)
            {
                var w = isWon(i);
                sb.Append(CultureInfo.InvariantCulture, $"{prefix}{i},{created},{(w ? "won" : "lost")},{closed},{(w ? "100" : string.Empty)},{line(i)}\n");
            }
        }

        Add("DEC", "2025-11-01", "2025-12-05", 100, _ => "audit", i => i < 10);
        Add("JAN", "2025-12-01", "2026-01-05", 100, i => i < 40 ? "consulting" : "audit", i => i < 20 || (i >= 40 && i < 50));
        Add("Y", "2024-12-01", "2025-01-05", 100, _ => "audit", i => i < 25);
        return sb.ToString();
    }

    private static KpiSystemConfig Config(params Target[] targets) => new()
    {
        Active = ["leads", "win_rate", "nps", "consulting_win_rate", "leads_per_win_rate"],
        Custom =
        [
            new CustomKpi { Id = "consulting_win_rate", Title = new("Consulting win rate", "Консалтинг"), Base = "win_rate", Filter = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("service_line", "consulting")]) },
            new CustomKpi { Id = "leads_per_win_rate", Title = new("Leads ÷ win rate", "Лиды ÷ коэффициент"), Numerator = "leads", Denominator = "win_rate", Unit = KpiUnit.Multiple, Direction = KpiDirection.Neutral },
        ],
        Goals = [new Goal { Id = "g", Title = new("G", "Г"), Kpis = [new GoalKpi("win_rate", 2), new GoalKpi("leads", 1), new GoalKpi("nps", 1)] }],
        Targets = [.. targets],
    };

    private static Target T(string kpi, decimal value, decimal tolerance = 5, string period = "2026-01") =>
        new() { Kpi = kpi, Period = period, Value = value, TolerancePercent = tolerance };

    private ScorecardResult Run(KpiSystemConfig config, params string[] by) =>
        new ScorecardEngine(f.Ws).Evaluate(config, null, Period.Parse("2026-01"), AsOf, by);

    [SkippableFact]
    public void A_count_in_a_running_period_is_judged_on_its_projected_end_value()
    {
        var s = Run(Config(T("leads", 14, 10)));
        s.Elapsed.ShouldBeAbout(10.0 / 31);
        var leads = s.Rows.Single(r => r.Kpi.Id == "leads");
        leads.Result.Value.ShouldBe(5);
        leads.Projected.ShouldBeAbout(15.5); // 5 ÷ (10/31)
        leads.Status.ShouldBe(TargetStatus.OnTrack);
        leads.VsPrevious.Delta.ShouldBeAbout(11.5); // 15.5 − 4
        leads.VsPrevious.Significant.ShouldBeNull(); // counts are not tested
        s.Notes.ShouldContain(n => n.En()!.Contains("2026-01", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_rate_below_its_band_is_off_track_and_within_it_at_risk()
    {
        Run(Config(T("win_rate", 0.35m, 10))).Rows.Single(r => r.Kpi.Id == "win_rate").Status.ShouldBe(TargetStatus.OffTrack); // 0.30 < 0.35 − 0.035
        Run(Config(T("win_rate", 0.32m, 10))).Rows.Single(r => r.Kpi.Id == "win_rate").Status.ShouldBe(TargetStatus.AtRisk); // 0.30 ≥ 0.32 − 0.032
        Run(Config(T("win_rate", 0.30m, 0))).Rows.Single(r => r.Kpi.Id == "win_rate").Status.ShouldBe(TargetStatus.OnTrack);
    }

    [SkippableFact]
    public void Changes_of_proportions_are_flagged_only_when_significant()
    {
        var win = Run(Config()).Rows.Single(r => r.Kpi.Id == "win_rate" && r.Result.IsTotal);
        win.Result.Value.ShouldBeAbout(0.30);
        win.VsPrevious.Before.ShouldBeAbout(0.10);
        win.VsPrevious.Delta.ShouldBeAbout(0.20);
        win.VsPrevious.PValue!.Value.ShouldBe(0.000407, 1e-6); // pooled z = 3.536
        win.VsPrevious.Significant.ShouldBe(true);
        win.VsYearBefore.Before.ShouldBeAbout(0.25);
        win.VsYearBefore.PValue!.Value.ShouldBe(0.428473, 1e-5); // pooled z = 0.792
        win.VsYearBefore.Significant.ShouldBe(false);
    }

    [SkippableFact]
    public void Goal_attainment_is_the_weighted_share_of_linked_kpis_on_track_among_those_with_a_target()
    {
        // win_rate (weight 2) off track, leads (weight 1) on track, nps has no target: 1 ÷ 3.
        var g = Run(Config(T("win_rate", 0.35m), T("leads", 14))).Goals.Single();
        g.Attainment.ShouldBeAbout(1.0 / 3);
        (g.OnTrack, g.WithTarget).ShouldBe((1, 2));
        Run(Config()).Goals.Single().Attainment.ShouldBeNull();
    }

    [SkippableFact]
    public void Custom_kpis_are_a_filtered_catalogue_kpi_and_a_ratio_of_two()
    {
        var s = Run(Config(T("consulting_win_rate", 0.45m)));
        var consulting = s.Rows.Single(r => r.Kpi.Id == "consulting_win_rate");
        consulting.Result.Value.ShouldBeAbout(0.5); // 20 of 40
        consulting.Result.Slice.ShouldBeEmpty();
        consulting.Status.ShouldBe(TargetStatus.OnTrack);
        var ratio = s.Rows.Single(r => r.Kpi.Id == "leads_per_win_rate");
        ratio.Result.Value.ShouldBeAbout(5 / 0.3);
        ratio.Result.N.ShouldBe(30); // per win: the 30 wins behind the win rate, not min(5 leads, 100 closed deals)
        ratio.VsPrevious.Significant.ShouldBeNull();
    }

    [SkippableFact]
    public void Slice_targets_apply_to_their_slice_when_sliced_by_its_dimension()
    {
        var t = T("leads", 6) with { Slice = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("channel", "referral")]) };
        var total = Run(Config(t));
        total.Rows.Where(r => r.Kpi.Id == "leads").ShouldAllBe(r => r.Status == TargetStatus.NoTarget);
        total.Notes.ShouldContain(n => n.En()!.Contains("--by channel", StringComparison.Ordinal));
        var referral = Run(Config(t), "channel").Rows.Single(r => r.Kpi.Id == "leads" && r.Result.Slice.GetValueOrDefault("channel") == "referral");
        referral.Projected.ShouldBeAbout(6.2); // 2 ÷ (10/31)
        referral.Status.ShouldBe(TargetStatus.OnTrack);
    }

    [SkippableFact]
    public void A_period_not_yet_begun_is_too_early_to_judge()
    {
        var s = new ScorecardEngine(f.Ws).Evaluate(Config(T("leads", 10, 5, "2026-02")), null, Period.Parse("2026-02"), AsOf, []);
        s.Elapsed.ShouldBe(0);
        s.Rows.Single(r => r.Kpi.Id == "leads").Status.ShouldBe(TargetStatus.Pending);
    }

    [SkippableFact]
    public void A_cohort_still_inside_its_window_is_too_early_to_judge()
    {
        var config = Config() with { Active = ["lead_to_sql_rate"], Goals = [], Targets = [T("lead_to_sql_rate", 0.5m)] };
        var row = Run(config).Rows.Single();
        row.Result.Flags.ShouldContain("immature");
        row.Status.ShouldBe(TargetStatus.Pending);
        row.VsPrevious.Significant.ShouldBeNull(); // a cohort still converting is not compared by a test
    }
}
