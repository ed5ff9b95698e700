using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Tests.Metrics;

namespace SalesKpi.Tests.KpiSystem;

/// <summary>The scorecard paces the average deal size of a running period on the pipeline forecast (docs/kpi-system.md).</summary>
public class ScorecardForecastTests : IDisposable
{
    private static readonly DateTimeOffset AsOf = KpiFixture.At("2025-06-11T00:00:00Z");

    private readonly KpiFixture f = new(files: [("deals.csv", Deals()), ("deal_stages.csv", Stages())]);

    public void Dispose() => f.Dispose();

    // History: 40 of Ann's deals entered proposal on 2025-01-05, 20 won and 20 lost 10 days later (amount 1000): half of
    // the deals in proposal are won within 10 days. June by the 11th: Bob won W1 and W2 at 500 each (created in February,
    // before the 91 days whose creation rate stands for deals still to come, so none are expected); O1, Bob's, 1000, in
    // proposal since 8 June: chance 0.5 to be won in June.
    private static string Deals()
    {
        var sb = new StringBuilder("deal_id,created_at,status,closed_at,amount,owner\n");
        for (var i = 0; i < 40; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"H{i},2025-01-05,{(i < 20 ? "won" : "lost")},2025-01-15,1000,Ann\n");
        }

        return sb.Append("W1,2025-02-01,won,2025-06-05,500,Bob\nW2,2025-02-01,won,2025-06-06,500,Bob\nO1,2025-02-01,open,,1000,Bob\n").ToString();
    }

    private static string Stages() =>
        "deal_id,stage,entered_at\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"H{i},proposal,2025-01-05\n")) + "O1,proposal,2025-06-08\n";

    private static KpiSystemConfig Config(params Target[] targets) => new()
    {
        Active = ["average_deal_size", "leads", "bob_deal_size"],
        Custom = [new CustomKpi { Id = "bob_deal_size", Title = new("Bob's deal size", "Средний чек Боба"), Base = "average_deal_size", Filter = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("owner", "Bob")]) }],
        Goals = [new Goal { Id = "g", Title = new("G", "Г"), Kpis = [new GoalKpi("average_deal_size", 1)] }],
        Targets = [.. targets],
    };

    private static Target T(string kpi, decimal value, string period = "2025-06") => new() { Kpi = kpi, Period = period, Value = value, TolerancePercent = 5 };

    private ScorecardResult Run(KpiSystemConfig config, string period = "2025-06") =>
        new ScorecardEngine(f.Ws).Evaluate(config, null, Period.Parse(period), AsOf, []);

    [SkippableFact]
    public void An_average_deal_size_with_a_target_in_a_running_period_is_judged_on_the_forecasts_expected_end_value()
    {
        var s = Run(Config(T("average_deal_size", 600), T("bob_deal_size", 600)));

        foreach (var id in new[] { "average_deal_size", "bob_deal_size" })
        {
            var row = s.Rows.Single(r => r.Kpi.Id == id && r.Result.IsTotal);
            // To date: (500 + 500) ÷ 2 = 500, off track against 600. Expected at the end: (1000 + 0.5 × 1000) ÷ (2 + 0.5) = 600.
            row.Result.Value.ShouldBe(500m);
            row.Projected.ShouldBe(600m);
            row.Evaluated.ShouldBe(600m);
            row.Status.ShouldBe(TargetStatus.OnTrack);
            // Runs where O1 is won end at 2000 ÷ 3 ≈ 667 ≥ 600, the others at 500: about half reach the target.
            row.TargetChance!.Value.ShouldBeInRange(0.4m, 0.6m);
        }

        s.Goals.Single().Attainment.ShouldBe(1m);
        s.Notes.ShouldContain(n => n.Code == "scorecard.forecast_paced");
    }

    [SkippableFact]
    public void An_average_deal_size_without_a_target_or_in_a_finished_period_is_not_forecast()
    {
        // Without a target there is nothing to judge and the forecast's seconds are not spent: the value to date stands.
        var untargeted = Run(Config()).Rows.Single(r => r.Kpi.Id == "average_deal_size" && r.Result.IsTotal);
        untargeted.Projected.ShouldBeNull();
        untargeted.TargetChance.ShouldBeNull();

        // January 2025 is over: its value is final (20 won at 1000).
        var done = Run(Config(T("average_deal_size", 600, "2025-01")), "2025-01").Rows.Single(r => r.Kpi.Id == "average_deal_size" && r.Result.IsTotal);
        done.Result.Value.ShouldBe(1000m);
        done.Projected.ShouldBeNull();
        done.Status.ShouldBe(TargetStatus.OnTrack);
    }
}
