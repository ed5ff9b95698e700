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

/// <summary>Versions, targets from history, snapshots, the review and the business calendar, on the real engine.</summary>
public class KpiSystemStoreTests
{
    private static readonly FixedClock Now = FixedClock.At("2026-01-15T12:00:00Z");

    private static Target T(string kpi, string period, decimal value, decimal tolerance = 5) =>
        new() { Kpi = kpi, Period = period, Value = value, TolerancePercent = tolerance };

    [SkippableFact]
    public void Each_change_is_a_version_and_a_period_uses_the_version_in_force_on_its_last_day()
    {
        using var f = new KpiFixture();
        var v1 = ConfigStore.Apply(f.Ws, new KpiSystemConfig(), "init", "ann", Now, new DateOnly(2025, 7, 1))!;
        ConfigStore.Apply(f.Ws, new KpiSystemConfig(), "same again", "ann", Now).ShouldBeNull();
        var v2 = ConfigStore.Apply(f.Ws, new KpiSystemConfig { Parameters = new KpiParameters { ResponseSlaHours = 2 } }, "SLA 2 h", "bob", Now, new DateOnly(2025, 10, 1))!;
        (v1.Number, v2.Number).ShouldBe((1, 2));
        ConfigStore.Versions(f.Ws).Select(v => (v.Author, v.Reason)).ShouldBe([("ann", "init"), ("bob", "SLA 2 h")]);

        var asOf = KpiFixture.At("2026-01-15T00:00:00Z");
        ConfigStore.For(f.Ws, Period.Parse("2025-Q3"), asOf).Version!.Number.ShouldBe(1);
        ConfigStore.For(f.Ws, Period.Parse("2025-Q4"), asOf).Version!.Number.ShouldBe(2);
        ConfigStore.For(f.Ws, Period.Parse("2025-Q3"), asOf).Config.Parameters.ResponseSlaHours.ShouldBe(1);
        // Before the first version there was no KPI system: the latest one applies.
        ConfigStore.For(f.Ws, Period.Parse("2025-Q1"), asOf).Version!.Number.ShouldBe(2);
        // Asked otherwise, any version.
        ConfigStore.For(f.Ws, Period.Parse("2025-Q4"), asOf, version: 1).Config.Parameters.ResponseSlaHours.ShouldBe(1);
        Should.Throw<SalesKpiException>(() => ConfigStore.Get(f.Ws, 7)).Message.ShouldContain("1 to 2");
        Should.Throw<SalesKpiException>(() => ConfigStore.Apply(f.Ws, new KpiSystemConfig(), " ", "ann", Now));
    }

    [SkippableFact]
    public void Params_set_is_a_new_version_and_report_reads_it()
    {
        using var f = new KpiFixture();
        ParameterStore.Set(f.Ws, "lead_to_sql_window_days", "45", Now, "ann");
        ParameterStore.Load(f.Ws).LeadToSqlWindowDays.ShouldBe(45);
        ConfigStore.Latest(f.Ws)!.Reason.ShouldBe("params set lead_to_sql_window_days 45");
        ParameterStore.Reset(f.Ws, "lead_to_sql_window_days", Now, "ann");
        ParameterStore.Load(f.Ws).LeadToSqlWindowDays.ShouldBe(30);
        ConfigStore.Versions(f.Ws).Count.ShouldBe(2);
    }

    // Monthly leads growing by exactly 2 a month: 10 in 2024-01 … 56 in 2025-12.
    private static string LinearLeads()
    {
        var sb = new StringBuilder("lead_id,created_at,channel\n");
        var id = 0;
        for (var m = 0; m < 24; m++)
        {
            var month = new DateOnly(2024, 1, 1).AddMonths(m);
            for (var i = 0; i < 10 + (2 * m); i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"L{id++},{month.AddDays(i % 28):yyyy-MM-dd},ads\n");
            }
        }

        return sb.ToString();
    }

    [SkippableFact]
    public void A_straight_trend_is_extrapolated_and_a_target_beyond_it_is_flagged()
    {
        using var f = new KpiFixture(files: [("leads.csv", LinearLeads())]);
        var config = new KpiSystemConfig();
        var advisor = new TargetAdvisor(f.Ws, Now);
        var s = advisor.Suggest(config, [config.Find("leads")!], Period.Parse("2026-01"), [], 0.5).Single();
        s.Forecast.History.Count.ShouldBe(24);
        s.Forecast.Slope.ShouldBe(2, 1e-9);
        s.Forecast.Seasonal!.Value.ShouldBe(0, 1e-9);
        s.Value.ShouldBe(58); // 56 + 2
        s.Forecast.Sd!.Value.ShouldBe(0, 1e-6);

        var checks = advisor.Check(config, [T("leads", "2026-01", 57), T("leads", "2026-01", 60) with { TolerancePercent = 1 }]);
        checks[0].Flagged.ShouldBeTrue(); // 57 is above the best month (56)…
        checks[0].BeyondBest.ShouldBeTrue();
        checks[0].Probability!.Value.ShouldBe(1, 1e-9); // …yet the trend reaches it
        checks[1].Probability!.Value.ShouldBe(0, 1e-9);
    }

    // Quarters 2023-Q1 … 2025-Q4: 10 leads, and 14 in every fourth quarter.
    [SkippableFact]
    public void A_seasonal_pattern_is_fitted_with_the_trend_not_mistaken_for_it()
    {
        var sb = new StringBuilder("lead_id,created_at\n");
        var id = 0;
        for (var q = 0; q < 12; q++)
        {
            var start = new DateOnly(2023, 1, 1).AddMonths(3 * q);
            for (var i = 0; i < (q % 4 == 3 ? 14 : 10); i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"L{id++},{start.AddDays(i):yyyy-MM-dd}\n");
            }
        }

        using var f = new KpiFixture(files: [("leads.csv", sb.ToString())]);
        var config = new KpiSystemConfig();
        var advisor = new TargetAdvisor(f.Ws, FixedClock.At("2026-12-01T00:00:00Z"));
        var q1 = advisor.Forecasts(config, config.Find("leads")!, Period.Parse("2026-Q1"), []).Single().Forecast;
        q1.Forecast!.Value.ShouldBe(10, 1e-9);
        q1.Slope.ShouldBe(0, 1e-9);
        q1.Seasonal!.Value.ShouldBe(-1, 1e-9); // 10 against the average quarter of 11
        var q4 = advisor.Forecasts(config, config.Find("leads")!, Period.Parse("2025-Q4"), []).Single().Forecast;
        q4.Forecast!.Value.ShouldBe(14, 1e-9); // from 2023-Q4 … 2025-Q3, which holds two fourth quarters
        q4.Seasonal!.Value.ShouldBe(3, 1e-9);
    }

    [SkippableFact]
    public void Too_little_history_gives_no_suggestion_and_says_so()
    {
        using var f = new KpiFixture(files: [("leads.csv", "lead_id,created_at\nA,2025-11-03\nB,2025-12-03\n")]);
        var config = new KpiSystemConfig();
        var s = new TargetAdvisor(f.Ws, Now).Suggest(config, [config.Find("leads")!], Period.Parse("2026-01"), [], 0.5).Single();
        s.Value.ShouldBeNull();
        s.Forecast.History.Count.ShouldBe(2);
        Should.Throw<SalesKpiException>(() => new TargetAdvisor(f.Ws, Now).Suggest(config, [config.Find("leads")!], Period.Parse("2026-W02"), [], 0.5));
    }

    [SkippableFact]
    public void A_snapshot_keeps_what_was_reported_when_data_and_targets_change_later()
    {
        using var f = new KpiFixture(files: [("leads.csv", "lead_id,created_at\nA,2025-11-03\nB,2025-11-04\n")]);
        var config = new KpiSystemConfig { Active = ["leads"], Targets = [T("leads", "2025-11", 3)] };
        var v = ConfigStore.Apply(f.Ws, config, "plan", "ann", Now)!;
        var asOf = KpiFixture.At("2025-12-01T00:00:00Z");
        var first = new ScorecardEngine(f.Ws).Run(Period.Parse("2025-11"), asOf, []);
        Snapshots.Save(f.Ws, first, v.Document, "{}", Now.GetUtcNow().UtcDateTime);

        f.Ws.Execute("INSERT INTO leads (lead_id, created_at, file_id, source_line) VALUES ('C', TIMESTAMP '2025-11-05', 0, 0)");
        ConfigStore.Apply(f.Ws, config with { Targets = [T("leads", "2025-11", 2)] }, "lower", "ann", Now);
        var history = Snapshots.History(f.Ws, "leads", null).Single();
        (history.Value, history.Target, history.Status, history.ConfigVersion).ShouldBe((2m, 3m, "off_track", 1));

        var second = new ScorecardEngine(f.Ws).Run(Period.Parse("2025-11"), asOf, []);
        second.Rows.Single().Result.Value.ShouldBe(3);
        Snapshots.Save(f.Ws, second, "doc", "{}", Now.GetUtcNow().UtcDateTime);
        Snapshots.History(f.Ws, "leads", null).Single().Value.ShouldBe(3m); // the latest snapshot of the period
        Snapshots.Count(f.Ws).ShouldBe(2);
    }

    [SkippableFact]
    public void History_by_a_dimension_keeps_slice_values_that_contain_commas()
    {
        using var f = new KpiFixture(files: [("leads.csv", "lead_id,created_at,channel,owner\nA,2025-11-03,\"partners, EU\",Ann\nB,2025-11-04,ads,Ann\n")]);
        var config = new KpiSystemConfig { Active = ["leads"] };
        var asOf = KpiFixture.At("2025-12-01T00:00:00Z");
        var engine = new ScorecardEngine(f.Ws);
        Snapshots.Save(f.Ws, engine.Evaluate(config, null, Period.Parse("2025-11"), asOf, ["channel"]), "doc", "{}", Now.GetUtcNow().UtcDateTime);
        Snapshots.Save(f.Ws, engine.Evaluate(config, null, Period.Parse("2025-11"), asOf, ["channel", "owner"]), "doc", "{}", Now.GetUtcNow().UtcDateTime);
        Snapshots.History(f.Ws, "leads", "channel").Select(v => (v.Slice, v.Value)).ShouldBe([("channel=ads", 1m), ("channel=partners, EU", 1m)]);
    }

    [SkippableFact]
    public void The_review_finds_easy_and_unreachable_targets_thin_samples_unlinked_kpis_empty_goals_and_changes()
    {
        // 40 leads a quarter in 2025; win rate on 4 deals a quarter.
        var leads = new StringBuilder("lead_id,created_at\n");
        var deals = new StringBuilder("deal_id,created_at,status,closed_at,amount\n");
        for (var q = 0; q < 4; q++)
        {
            var start = new DateOnly(2025, 1, 1).AddMonths(3 * q);
            for (var i = 0; i < 40; i++)
            {
                leads.Append(CultureInfo.InvariantCulture, $"L{q}_{i},{start.AddDays(i):yyyy-MM-dd}\n");
            }

            for (var i = 0; i < 4; i++)
            {
                deals.Append(CultureInfo.InvariantCulture, $"D{q}_{i},{start:yyyy-MM-dd},{(i == 0 ? "won" : "lost")},{start.AddDays(10):yyyy-MM-dd},{(i == 0 ? "100" : string.Empty)}\n");
            }
        }

        using var f = new KpiFixture(files: [("leads.csv", leads.ToString()), ("deals.csv", deals.ToString())]);
        var quarters = new[] { "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4" };
        var config = new KpiSystemConfig
        {
            Active = ["leads", "win_rate", "nps", "cost_per_lead"],
            Goals = [new Goal { Id = "growth", Title = new("Growth", "Рост"), Kpis = [new GoalKpi("leads", 1), new GoalKpi("win_rate", 1)] }, new Goal { Id = "later", Title = new("Later", "Потом") }],
            Targets = [.. quarters.Select(q => T("leads", q, 30)), .. quarters.Select(q => T("win_rate", q, 0.25m)), T("nps", "2025-Q4", 10), T("cost_per_lead", "2025-Q4", 1000)],
        };
        ConfigStore.Apply(f.Ws, config, "plan", "ann", Now, new DateOnly(2024, 1, 1));
        ConfigStore.Apply(f.Ws, config with { Parameters = new KpiParameters { WinRateBasis = WinRateBasis.Created } }, "basis", "bob", Now, new DateOnly(2025, 8, 1));
        var r = new ReviewEngine(f.Ws).Run(4, Grain.Quarter, KpiFixture.At("2026-01-15T00:00:00Z"));

        r.Periods.Select(p => p.Label).ShouldBe(quarters);
        r.Kpis.Single(k => k.Kpi == "leads").ShouldBe(new KpiReview("leads", string.Empty, ReviewFinding.AlwaysMet, 4, 4, 40));
        // 1 of 4 deals is 25 %: on track every quarter, but 4 deals are far too few to say so.
        r.Kpis.Single(k => k.Kpi == "win_rate").ShouldBe(new KpiReview("win_rate", string.Empty, ReviewFinding.TooFewObservations, 4, 4, 4));
        // No NPS answers and no spend: a target but never a value.
        r.Kpis.Single(k => k.Kpi == "nps").Finding.ShouldBe(ReviewFinding.TooFewObservations);
        r.UnlinkedKpis.ShouldBe(["cost_per_lead", "nps"]);
        r.EmptyGoals.Single().Id.ShouldBe("later");
        r.Changes.Single().Version.Number.ShouldBe(2);
        r.Changes.Single().Parts.ShouldBe(["parameters"]);
    }

    [SkippableFact]
    public void The_review_calls_a_target_missed_in_every_period_unrealistic()
    {
        var leads = new StringBuilder("lead_id,created_at\n");
        for (var m = 0; m < 3; m++)
        {
            for (var i = 0; i < 40; i++)
            {
                leads.Append(CultureInfo.InvariantCulture, $"L{m}_{i},2025-{10 + m:00}-{1 + (i % 28):00}\n");
            }
        }

        using var f = new KpiFixture(files: [("leads.csv", leads.ToString())]);
        var config = new KpiSystemConfig { Active = ["leads"], Targets = [T("leads", "2025-10", 100), T("leads", "2025-11", 100), T("leads", "2025-12", 39)] };
        ConfigStore.Apply(f.Ws, config, "plan", "ann", Now, new DateOnly(2024, 1, 1));
        var review = new ReviewEngine(f.Ws).Run(3, Grain.Month, KpiFixture.At("2026-01-15T00:00:00Z"));
        review.Kpis.ShouldBeEmpty(); // met once (December), missed twice: neither always met nor always missed

        ConfigStore.Apply(f.Ws, config with { Targets = [T("leads", "2025-10", 100), T("leads", "2025-11", 100), T("leads", "2025-12", 100)] }, "stretch", "ann", Now, new DateOnly(2024, 1, 1));
        new ReviewEngine(f.Ws).Run(3, Grain.Month, KpiFixture.At("2026-01-15T00:00:00Z")).Kpis.Single()
            .ShouldBe(new KpiReview("leads", string.Empty, ReviewFinding.AlwaysMissed, 3, 0, 40));
    }

    [SkippableFact]
    public void The_review_judges_slice_targets_on_their_own()
    {
        // Each month of 2025-Q4: 40 referral leads and 40 from ads.
        var leads = new StringBuilder("lead_id,created_at,channel\n");
        for (var m = 0; m < 3; m++)
        {
            for (var i = 0; i < 80; i++)
            {
                leads.Append(CultureInfo.InvariantCulture, $"L{m}_{i},2025-{10 + m:00}-{1 + (i % 28):00},{(i < 40 ? "referral" : "ads")}\n");
            }
        }

        using var f = new KpiFixture(files: [("leads.csv", leads.ToString())]);
        var referral = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("channel", "referral")]);
        var months = new[] { "2025-10", "2025-11", "2025-12" };
        var config = new KpiSystemConfig
        {
            Active = ["leads"],
            Targets = [.. months.Select(m => T("leads", m, 70)), .. months.Select(m => T("leads", m, 50) with { Slice = referral })],
        };
        ConfigStore.Apply(f.Ws, config, "plan", "ann", Now, new DateOnly(2024, 1, 1));
        var r = new ReviewEngine(f.Ws).Run(3, Grain.Month, KpiFixture.At("2026-01-15T00:00:00Z"));
        r.Kpis.ShouldBe(
            [
                new KpiReview("leads", string.Empty, ReviewFinding.AlwaysMet, 3, 3, 80),
                new KpiReview("leads", "channel=referral", ReviewFinding.AlwaysMissed, 3, 0, 40),
            ]);
    }

    // Working time Monday to Friday 09:00–18:00 Moscow (UTC+3), 2026-01-12 (Monday) a holiday.
    // A: Friday 2026-01-09 17:00 → Tuesday 10:00 = 1 h (Fri) + 1 h (Tue) = 2 h; calendar time 89 h.
    // B: Tuesday 08:00 → 08:30, before opening = 0 h.  C: Tuesday 11:00 → 12:30 = 1.5 h.
    [SkippableFact]
    public void A_business_calendar_counts_only_working_hours_of_the_response_time()
    {
        const string leads = """
            lead_id,created_at,first_response_at
            A,2026-01-09T17:00:00+03:00,2026-01-13T10:00:00+03:00
            B,2026-01-13T08:00:00+03:00,2026-01-13T08:30:00+03:00
            C,2026-01-13T11:00:00+03:00,2026-01-13T12:30:00+03:00

            """;
        using var f = new KpiFixture("Europe/Moscow", ("leads.csv", leads));
        var calendar = new KpiParameters { Calendar = new BusinessCalendar { Holidays = [new DateOnly(2026, 1, 12)] } };
        var r = f.One("2026-01", "lead_response_time", "2026-02-01T00:00:00Z", calendar);
        r.Value.ShouldBeAbout(1.5); // median of 0, 1.5, 2
        r.Details["mean_hours"].ShouldBeAbout(3.5 / 3);
        r.Details["within_sla_share"].ShouldBeAbout(1.0 / 3); // only B within 1 working hour
        f.One("2026-01", "lead_response_time", "2026-02-01T00:00:00Z").Details["p90_hours"].ShouldBeAbout(1.5 + (0.8 * (89 - 1.5)));

        var kolkata = new KpiParameters { Calendar = new BusinessCalendar { TimeZone = "Asia/Kolkata", Holidays = [new DateOnly(2026, 1, 12)] } };
        // In Kolkata (UTC+5:30) A is Friday 19:30 → Tuesday 12:30 = 3.5 h; B 10:30 → 11:00 = 0.5 h; C 13:30 → 15:00 = 1.5 h.
        f.One("2026-01", "lead_response_time", "2026-02-01T00:00:00Z", kolkata).Details["mean_hours"].ShouldBeAbout(5.5 / 3);
    }
}
