using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

public class SimulationTests
{
    // Channel A: 100 leads, 30 SQL; B: 50 leads, 5 SQL; SQL → opportunity 10/20; win 4/10; deal size 1000 (no spread); cycle 20 days.
    // Point estimate: (100 × 0.3 + 50 × 0.1) × 0.5 × 0.4 = 7 won, revenue 7000.
    private static Levers Levers(ImmutableArray<(string Channel, double? Hours, bool Sql)>? response = null) => new(
        new Dictionary<string, (long, long)> { ["A"] = (100, 30), ["B"] = (50, 5) }.ToImmutableDictionary(),
        (10, 20), (4, 10), (1000m, 0m, 4), 20m, response ?? [], 1);

    [SkippableTheory]
    [InlineData("leads=+10%", "leads", "relative", 0.1)]
    [InlineData("leads.referral=-5%", "leads.referral", "relative", -0.05)]
    [InlineData("win_rate=+2pp", "win_rate", "points", 0.02)]
    [InlineData("win_rate=0.3", "win_rate", "absolute", 0.3)]
    [InlineData("sales_cycle_length=-10%", "sales_cycle_length", "relative", -0.1)]
    public void Lever_changes_parse(string text, string lever, string kind, double amount) =>
        LeverChange.Parse(text).ShouldBe(new LeverChange(lever, kind, (decimal)amount));

    [SkippableTheory]
    [InlineData("roi=+10%")]
    [InlineData("leads=lots")]
    [InlineData("leads=+2pp")]
    public void Bad_lever_changes_say_what_is_accepted(string text) =>
        Should.Throw<SalesKpiException>(() => LeverChange.Parse(text)).Message.ShouldContain("--set");

    [SkippableFact]
    public void Levers_are_ranked_by_the_revenue_of_a_10_percent_improvement()
    {
        var r = Simulation.Run(Levers(), Period.Parse("2025-Q3"), [], 200, 1);
        // Every multiplicative lever adds 700; a 10 % shorter cycle adds 7000 × (20 ÷ 18 − 1) = 777.78; response time has no data.
        r.Ranking[0].Lever.ShouldBe("sales_cycle_length");
        r.Ranking[0].Gain.ShouldBeAbout(777.7778, 1e-3);
        r.Ranking.Where(x => x.Lever is not ("sales_cycle_length" or "lead_response_time")).ShouldAllBe(x => Math.Abs(x.Gain - 700m) < 0.001m);
        r.Ranking[^1].ShouldBe(("lead_response_time", 0m));
        r.Next.Label.ShouldBe("2025-Q4");
    }

    [SkippableFact]
    public void The_interval_comes_from_redrawing_the_base_period_and_the_gain_uses_the_same_draws()
    {
        var r = Simulation.Run(Levers(), Period.Parse("2025-Q3"), [LeverChange.Parse("leads=+10%")], 4000, 7);
        ((double)r.BaselineRevenue.Median).ShouldBe(7000, 700);
        r.BaselineRevenue.Low.ShouldBeLessThan(r.BaselineRevenue.Median);
        r.BaselineRevenue.High.ShouldBeGreaterThan(r.BaselineRevenue.Median);
        // +10 % leads scales every draw's revenue by 1.1, so the gain's median is exactly a tenth of the baseline's.
        r.RevenueGain.Median.ShouldBeAbout((double)r.BaselineRevenue.Median * 0.1, 1e-6);
        var again = Simulation.Run(Levers(), Period.Parse("2025-Q3"), [LeverChange.Parse("leads=+10%")], 4000, 7);
        (again.BaselineRevenue, again.ScenarioRevenue, again.RevenueGain).ShouldBe((r.BaselineRevenue, r.ScenarioRevenue, r.RevenueGain)); // same seed, same interval
    }

    [SkippableFact]
    public void The_same_seed_gives_the_same_runs_whatever_order_the_channels_are_held_in()
    {
        // String hashes differ from process to process, and with them the order a dictionary holds the channels in:
        // two comparers that order A and B oppositely stand in for two server starts. A shared link must not change.
        var aFirst = Levers() with { LeadsByChannel = Levers().LeadsByChannel.WithComparers(new Hashes("A")) };
        var bFirst = Levers() with { LeadsByChannel = Levers().LeadsByChannel.WithComparers(new Hashes("B")) };
        aFirst.LeadsByChannel.Keys.First().ShouldNotBe(bFirst.LeadsByChannel.Keys.First());

        var one = Simulation.Run(aFirst, Period.Parse("2025-Q3"), [LeverChange.Parse("win_rate=+5%")], 500, 11);
        var two = Simulation.Run(bFirst, Period.Parse("2025-Q3"), [LeverChange.Parse("win_rate=+5%")], 500, 11);

        two.ScenarioRevenueRuns.ShouldBe(one.ScenarioRevenueRuns);
        (two.BaselineRevenue, two.ScenarioRevenue, two.BaselineWon).ShouldBe((one.BaselineRevenue, one.ScenarioRevenue, one.BaselineWon));
    }

    [SkippableFact]
    public void Faster_responses_convert_at_the_within_sla_rate()
    {
        // 10 leads answered in 0.5 h (5 SQL), 10 in 2 h (1 SQL): rates 0.5 and 0.1, half within the 1-hour SLA → 0.3.
        // Halving every response time puts all within the SLA → 0.5, a factor of 5/3.
        var leads = Enumerable.Repeat(((double?)0.5, true), 5).Concat(Enumerable.Repeat(((double?)0.5, false), 5))
            .Concat(Enumerable.Repeat(((double?)2.0, true), 1)).Concat(Enumerable.Repeat(((double?)2.0, false), 9)).ToList();
        Simulation.ResponseFactor(leads, 1, [LeverChange.Parse("lead_response_time=-50%")]).ShouldBe(5.0 / 3, 1e-12);
        Simulation.ResponseFactor(leads, 1, []).ShouldBe(1);
    }

    [SkippableFact]
    public void Response_effects_are_measured_within_each_channel()
    {
        // Channel A is answered fast and converts worse; channel B slow and converts better. Within each channel
        // speed does not matter (same rate either side of the SLA), so faster answers change nothing — a pooled
        // comparison would wrongly say they hurt.
        var response = Enumerable.Repeat(("A", (double?)0.5, false), 8).Concat(Enumerable.Repeat(("A", (double?)0.5, true), 2))
            .Concat(Enumerable.Repeat(("A", (double?)2.0, false), 4)).Concat(Enumerable.Repeat(("A", (double?)2.0, true), 1))
            .Concat(Enumerable.Repeat(("B", (double?)0.5, true), 3)).Concat(Enumerable.Repeat(("B", (double?)0.5, false), 2))
            .Concat(Enumerable.Repeat(("B", (double?)3.0, true), 12)).Concat(Enumerable.Repeat(("B", (double?)3.0, false), 8)).ToImmutableArray();
        var factors = Simulation.ResponseFactors(Levers(response), [LeverChange.Parse("lead_response_time=-80%")]);
        factors["A"].ShouldBe(1, 1e-12);
        factors["B"].ShouldBe(1, 1e-12);
    }

    // Hashes the given key lowest, so it comes first in an immutable dictionary.
    private sealed class Hashes(string first) : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => obj == first ? 1 : 2;
    }
}
