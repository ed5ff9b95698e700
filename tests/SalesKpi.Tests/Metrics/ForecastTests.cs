using System.Globalization;
using System.Text;
using SalesKpi.Application.Contracts;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;

namespace SalesKpi.Tests.Metrics;

public sealed class ForecastTests
{
    private static readonly DateTimeOffset June = KpiFixture.At("2025-06-01T00:00:00Z");

    /// <summary>
    /// A history in stage <c>proposal</c>: each entry (count, outcome, days from entry to it) is that many deals created and
    /// entering the stage on 2025-01-05 (amount 1000); <c>open</c> deals entered it <c>days</c> before 2025-06-01 and are
    /// still open. Plus the deal to forecast: O1, created 2025-02-01, in proposal since 2025-06-01, amount 1000.
    /// </summary>
    private static KpiFixture Fixture(IEnumerable<(int Count, string Outcome, int Days)> history, string extraDeals = "", string extraStages = "")
    {
        var deals = new StringBuilder("deal_id,created_at,status,closed_at,amount,owner\n");
        var stages = new StringBuilder("deal_id,stage,entered_at\n");
        var n = 0;
        var start = new DateTime(2025, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        foreach (var (count, outcome, days) in history)
        {
            for (var i = 0; i < count; i++)
            {
                var id = "H" + (++n).ToString("D3", CultureInfo.InvariantCulture);
                var entered = outcome == "open" ? June.UtcDateTime.AddDays(-days) : start;
                var closed = outcome == "open" ? string.Empty : entered.AddDays(days).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
                deals.Append(CultureInfo.InvariantCulture, $"{id},{entered:yyyy-MM-dd HH:mm},{outcome},{closed},1000,Ann\n");
                stages.Append(CultureInfo.InvariantCulture, $"{id},proposal,{entered:yyyy-MM-dd HH:mm}\n");
            }
        }

        deals.Append("O1,2025-02-01,open,,1000,Bob\n").Append(extraDeals);
        stages.Append("O1,proposal,2025-06-01\n").Append(extraStages);
        return new KpiFixture(files: [("deals.csv", deals.ToString()), ("deal_stages.csv", stages.ToString())]);
    }

    private static ForecastDeal O1(ForecastReport r) => r.TopDeals.Concat(r.Slipping).First(d => d.DealId == "O1");

    [Fact]
    public void A_deal_in_a_stage_whose_history_wins_half_within_30_days_is_expected_to_bring_half_its_amount_in_a_month()
    {
        // 20 of 40 deals that entered proposal were won 10 days later, 20 lost 10 days later: 50 % within 30 days.
        using var f = Fixture([(20, "won", 10), (20, "lost", 10)]);

        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions());

        r.Reason.ShouldBeNull();
        O1(r).WinChance.ShouldBe(0.5m);
        r.Total!.Parts.OpenExpectedDeals.ShouldBe(0.5m);
        r.Total.Parts.OpenExpectedRevenue.ShouldBe(500m);
        // No deal was created in the 91 days before as-of and none won in June yet: the open deal is all there is.
        r.Total.Parts.NewExpectedDeals.ShouldBe(0m);
        r.Total.Parts.WonDeals.ShouldBe(0);
        r.Total.Figures.Revenue.ShouldBe(500m);
        r.Total.Figures.Revenue95.ShouldBe(new ForecastRange(0m, 1000m));
    }

    [Fact]
    public void A_win_counts_only_inside_the_period()
    {
        // The history's wins come on day 10: a period of the first five days of June gets none of them.
        using var f = Fixture([(20, "won", 10), (20, "lost", 10)]);

        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06-01..2025-06-05"), June, new ForecastOptions());

        r.Total!.Parts.OpenExpectedDeals.ShouldBe(0m);
    }

    [Fact]
    public void Lost_deals_compete_with_wins_instead_of_being_censored()
    {
        // 20 lost on day 5, 20 won on day 20: half were won. 1 − Kaplan–Meier with the lost as censored would say all.
        using var f = Fixture([(20, "lost", 5), (20, "won", 20)]);

        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions());

        O1(r).WinChance.ShouldBe(0.5m);
    }

    [Fact]
    public void Deals_still_open_in_the_history_are_censored_not_counted_as_lost()
    {
        // 20 won on day 10; 20 more entered proposal 5 days before as-of and are open (followed 5 days, then censored).
        // By day 10 every deal still followed was won: the chance is 1 — counting the open ones as lost would give 0.5.
        var incidence = Incidence.Of([(5, 0L, 0L, 20L), (10, 20L, 0L, 0L)]);
        incidence.At(30).ShouldBe(1.0);
        incidence.At(10).ShouldBe(0.0);
        incidence.At(11).ShouldBe(1.0);

        using var f = Fixture([(20, "won", 10), (20, "open", 5)]);
        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions());
        // O1 and the 20 open ones (5 days in the stage: the same age band as O1) are each expected to be won.
        r.Total!.Parts.OpenDeals.ShouldBe(21);
        r.Total.Parts.OpenExpectedDeals.ShouldBe(21m);
    }

    [Fact]
    public void No_history_gives_a_reason_instead_of_a_number()
    {
        using var f = new KpiFixture(files: [("deals.csv", "deal_id,created_at,status,closed_at,amount\nO1,2025-05-01,open,,1000\nO2,2025-05-02,lost,2025-05-20,\n")]);

        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions());

        r.Total.ShouldBeNull();
        r.Reason!.Code.ShouldBe("forecast.no_history");
        r.Reason.Render(Language.En).ShouldContain("no deal was won");
        r.Reason.Render(Language.Ru).ShouldContain("не выиграно ни одной сделки");
        ForecastOutput.Json(r, "RUB", Language.En).ShouldContain("\"reason_code\": \"forecast.no_history\"");
    }

    [Fact]
    public void The_same_seed_gives_the_same_forecast_and_another_seed_other_draws()
    {
        using var f = Fixture([(20, "won", 10), (20, "lost", 10)], extraDeals: string.Concat(Enumerable.Range(2, 30).Select(i => $"O{i},2025-02-01,open,,{i * 100},Bob\n")), extraStages: string.Concat(Enumerable.Range(2, 30).Select(i => $"O{i},proposal,2025-06-01\n")));
        string Run(int seed) => ForecastOutput.Json(new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions(Runs: 500, Seed: seed)), "RUB", Language.En);

        Run(7).ShouldBe(Run(7));
        Run(8).ShouldNotBe(Run(7));
    }

    [Fact]
    public void Slices_add_up_to_the_total_run_by_run()
    {
        using var f = Fixture([(20, "won", 10), (20, "lost", 10)], extraDeals: "O2,2025-02-01,open,,3000,Ann\n", extraStages: "O2,proposal,2025-06-01\n");

        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions(By: "owner"));

        r.Slices.Select(s => s.Value).ShouldBe(["Ann", "Bob"]);
        r.Slices.Sum(s => s.Figures.Revenue).ShouldBe(r.Total!.Figures.Revenue);
        // Bob has no history of his own (fewer than 30 landmarks): his deal is judged on everyone's, and says so.
        r.Slices.Single(s => s.Value == "Bob").PooledDeals.ShouldBe(1);
        r.Notes.Select(n => n.Code).ShouldContain("forecast.pooled");
    }

    [Fact]
    public void A_backtest_forecasts_with_only_what_was_known_at_the_start_of_each_period()
    {
        // The same history, then 40 deals created and won in June: they change what happened in June, not the forecast made on 1 June.
        var later = string.Concat(Enumerable.Range(1, 40).Select(i => $"L{i},2025-06-10,won,2025-06-12,1000,Ann\n"));
        var laterStages = string.Concat(Enumerable.Range(1, 40).Select(i => $"L{i},proposal,2025-06-10\n"));
        using var before = Fixture([(20, "won", 10), (20, "lost", 10)]);
        using var after = Fixture([(20, "won", 10), (20, "lost", 10)], later, laterStages);
        var now = KpiFixture.At("2025-12-31T00:00:00Z");
        BacktestReport Run(KpiFixture f) => new ForecastEngine(f.Ws).Backtest([Period.Parse("2025-06")], mid: false, now, new ForecastOptions(Runs: 500));

        var a = Run(before).Periods.Single();
        var b = Run(after).Periods.Single();

        b.Methods["forecast"].ShouldBe(a.Methods["forecast"]);
        b.Methods["weighted_pipeline"].ShouldBe(a.Methods["weighted_pipeline"]);
        a.Methods["forecast"].Expected.ShouldBe(500m);
        // Weighted pipeline: the stage's historic win rate (20 of 40 closed) × 1000.
        a.Methods["weighted_pipeline"].Expected.ShouldBe(500m);
        (a.ActualDeals, b.ActualDeals).ShouldBe((0L, 40L));
        b.ActualRevenue.ShouldBe(40_000m);
    }

    [Fact]
    public void A_revenue_target_is_judged_by_the_share_of_runs_reaching_it_and_the_pipeline_covering_it()
    {
        using var f = Fixture([(20, "won", 10), (20, "lost", 10)]);

        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions(Runs: 1000), new ForecastTargets(1000m, null));

        var t = r.Targets.Single();
        // One deal of 1000 won with chance 0.5: about half of the runs reach 1000; the pipeline (1000) covers it once.
        t.Probability.ShouldBeInRange(0.45m, 0.55m);
        t.Coverage.ShouldBe(1m);
        t.Gap.ShouldBe(500m);
    }

    [Fact]
    public void Deal_counts_that_vary_more_than_chance_give_the_rate_its_extra_dispersion()
    {
        // Mean 20, sample variance (6 × 10²) ÷ 5 = 120: (120 − 20) ÷ 20² = 0.25, a Gamma rate with coefficient of variation 0.5.
        ForecastEngine.ExtraDispersion([10, 30, 10, 30, 10, 30])!.Value.ShouldBe(0.25, 1e-12);
        // Steady counts are Poisson at most; three spans with deals are too few to tell.
        ForecastEngine.ExtraDispersion([20, 20, 20, 20]).ShouldBe(0);
        ForecastEngine.ExtraDispersion([5, 0, 0, 7, 9, 0]).ShouldBeNull();
    }

    [Fact]
    public void A_chance_learned_from_few_landmarks_is_drawn_more_widely_than_one_learned_from_many()
    {
        // 15 of 30 won: σ² = ln(1 + 0.5 ÷ 15); 150 of 300: ln(1 + 0.5 ÷ 150). The factor's mean is 1 (−σ²/2 in the exponent).
        var few = Incidence.Of([(10, 15L, 15L, 0L)]);
        var many = Incidence.Of([(10, 150L, 150L, 0L)]);
        var s2 = Math.Log(1 + (0.5 / 15));
        few.Uncertainty(1).ShouldBe(Math.Exp(Math.Sqrt(s2) - (s2 / 2)), 1e-12);
        few.Uncertainty(0).ShouldBe(Math.Exp(-s2 / 2), 1e-12);
        (many.Uncertainty(1) - 1).ShouldBeLessThan((few.Uncertainty(1) - 1) / 3);
        // Without a win there is nothing to scale.
        Incidence.Of([(10, 0L, 30L, 0L)]).Uncertainty(2).ShouldBe(1);
    }

    [Fact]
    public void An_open_deal_without_an_amount_is_won_at_an_amount_drawn_from_the_won_amounts_not_at_their_mean()
    {
        // The CRM writes amounts only on a win: 10 won at 500, 10 at 1500 (mean 1000), 20 lost without one, all 10 days after
        // entering proposal. O1 has no amount: its estimate is 1000 and its chance 0.5, but when it is won it brings 500 or
        // 1500 like the deals before it, so the top of the 95 % interval is 1500, not 1000.
        var deals = new StringBuilder("deal_id,created_at,status,closed_at,amount,owner\n");
        var stages = new StringBuilder("deal_id,stage,entered_at\n");
        for (var i = 1; i <= 40; i++)
        {
            var (status, amount) = i <= 10 ? ("won", "500") : i <= 20 ? ("won", "1500") : ("lost", string.Empty);
            deals.Append(CultureInfo.InvariantCulture, $"H{i},2025-01-05,{status},2025-01-15,{amount},Ann\n");
            stages.Append(CultureInfo.InvariantCulture, $"H{i},proposal,2025-01-05\n");
        }

        deals.Append("O1,2025-02-01,open,,,Bob\n");
        stages.Append("O1,proposal,2025-06-01\n");
        using var f = new KpiFixture(files: [("deals.csv", deals.ToString()), ("deal_stages.csv", stages.ToString())]);

        var r = new ForecastEngine(f.Ws).Run(Period.Parse("2025-06"), June, new ForecastOptions());

        O1(r).AmountEstimated.ShouldBeTrue();
        O1(r).Amount.ShouldBe(1000m);
        r.Total!.Figures.Revenue.ShouldBe(500m);
        r.Total.Figures.Revenue95.ShouldBe(new ForecastRange(0m, 1500m));
    }
}
