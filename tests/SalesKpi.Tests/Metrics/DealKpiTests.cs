using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Tests.Metrics;

/// <summary>KPIs 7–10 and 14 on deals closed in September 2025 (RUB workspace), hand-computed in the comments.</summary>
public class DealKpiTests : IDisposable
{
    // Closed in September: won D1 (40 d), D2 (4 d), D6 (USD, 10 d), D7 (closed before created → 0 d); lost D3, D9.
    // D4 and D5 close one second either side of September; D8 is open.
    private const string Deals = """
        deal_id,created_at,status,closed_at,amount,currency,lead_id,owner,service_line
        D1,2025-08-01,won,2025-09-10,1000,,L9,Ann,consulting
        D2,2025-09-01,won,2025-09-05,3000,RUB,,Bob,training
        D3,2025-08-15,lost,2025-09-20,,,,Ann,consulting
        D4,2025-09-02,won,2025-10-01 00:00:00,500,,,Ann,
        D5,2025-08-02,won,2025-08-31 23:59:59,700,,,Ann,
        D6,2025-09-03,won,2025-09-13,2000,USD,,Bob,training
        D7,2025-09-25,won,2025-09-24,4000,,,,consulting
        D8,2025-09-10,open,,,,,Ann,
        D9,2025-09-01 00:00:00,lost,2025-09-30 23:59:59,,,,Bob,

        """;

    // Won deals: D1 2 calls + 1 meeting (+ an e-mail, not counted); D2 1 meeting; D7 1 call (+ 1 after as-of).
    // D3 is lost, so its calls do not count.
    private const string Activities = """
        activity_id,occurred_at,type,deal_id
        A1,2025-08-05,call,D1
        A2,2025-08-06,call,D1
        A3,2025-08-07,meeting,D1
        A4,2025-08-08,email,D1
        A5,2025-09-02,meeting,D2
        A6,2025-09-24,call,D7
        A7,2026-02-01,call,D7
        A8,2025-09-01,call,D3
        A9,2025-09-02,call,D3

        """;

    private readonly KpiFixture f = new(files:
    [
        ("deals.csv", Deals),
        ("activities.csv", Activities),
        ("leads.csv", "lead_id,created_at,channel\nL9,2025-07-02,ads\n"),
    ]);

    public void Dispose() => f.Dispose();

    private const string AsOf = "2026-01-01T00:00:00Z";

    [SkippableFact]
    public void Win_rate_counts_only_deals_closed_in_the_period()
    {
        var r = f.One("2025-09", "win_rate", AsOf);
        (r.Numerator, r.Denominator).ShouldBe((4m, 6m));
        r.Value.ShouldBeAbout(4.0 / 6);
        r.Ci95!.Low.ShouldBeAbout(0.299988, 1e-6);
        r.Ci95!.High.ShouldBeAbout(0.903231, 1e-6);
    }

    [SkippableFact]
    public void Win_rate_on_the_created_basis_counts_deals_created_in_the_period_and_closed_by_as_of()
    {
        // Created in September: D2 won, D4 won (1 Oct), D6 won, D7 won, D8 open, D9 lost → 4 / 5.
        var p = new KpiParameters { WinRateBasis = WinRateBasis.Created };
        var r = f.One("2025-09", "win_rate", AsOf, p);
        (r.Numerator, r.Denominator).ShouldBe((4m, 5m));
        // As of 30 Sep D4 is still open: 3 / 4.
        f.One("2025-09", "win_rate", "2025-09-30T12:00:00Z", p).Denominator.ShouldBe(3m);
    }

    [SkippableFact]
    public void Win_rate_slices_add_up_to_the_total_in_numerator_and_denominator()
    {
        var report = f.Run("2025-09", ["win_rate"], AsOf, by: ["owner"]);
        report.Slice("win_rate", "owner", "Ann").Value.ShouldBe(0.5m);
        report.Slice("win_rate", "owner", "Bob").Value.ShouldBeAbout(2.0 / 3);
        report.Slice("win_rate", "owner", "(none)").Value.ShouldBe(1m);
        var slices = report.Results.Where(r => !r.IsTotal).ToList();
        slices.Sum(r => r.Numerator).ShouldBe(4m);
        slices.Sum(r => r.Denominator).ShouldBe(6m);
    }

    [SkippableFact]
    public void Average_deal_size_is_the_mean_of_won_amounts_in_the_workspace_currency()
    {
        // D1 1000, D2 3000, D7 4000; D6 is in USD and left out.
        var r = f.One("2025-09", "average_deal_size", AsOf);
        r.Value.ShouldBeAbout(8000.0 / 3);
        r.N.ShouldBe(3);
        r.Details["median"].ShouldBe(3000m);
        r.Details["excluded_other_currency"].ShouldBe(1m);
    }

    [SkippableFact]
    public void Sales_cycle_length_is_the_mean_days_with_negative_durations_clamped()
    {
        // 40, 4, 10 and 0 (closed before created) days → mean 13.5, median 7, p90 10 + 0.7 × 30 = 31.
        var r = f.One("2025-09", "sales_cycle_length", AsOf);
        r.Value.ShouldBeAbout(13.5);
        r.Details["median_days"].ShouldBeAbout(7);
        r.Details["p90_days"].ShouldBeAbout(31);
    }

    [SkippableFact]
    public void Sales_cycle_can_start_at_the_lead()
    {
        // D1's lead L9 was created 2 Jul: 70 days instead of 40 → (70 + 4 + 10 + 0) / 4 = 21.
        var r = f.One("2025-09", "sales_cycle_length", AsOf, new KpiParameters { CycleStart = CycleStart.Lead });
        r.Value.ShouldBeAbout(21);
    }

    [SkippableFact]
    public void Activities_per_deal_counts_calls_and_meetings_of_won_deals_up_to_as_of()
    {
        // calls 2 (D1) + 1 (D7) = 3, meetings 1 (D1) + 1 (D2) = 2, over 4 won deals.
        var r = f.One("2025-09", "activities_per_deal", AsOf);
        r.Value.ShouldBe(1.25m);
        r.Details["calls_per_deal"].ShouldBe(0.75m);
        r.Details["meetings_per_deal"].ShouldBe(0.5m);
    }

    [SkippableFact]
    public void Sales_velocity_multiplies_created_deals_win_rate_and_size_over_cycle()
    {
        // 6 deals created in September × 4/6 × 8000/3 ÷ 13.5.
        var r = f.One("2025-09", "sales_velocity", AsOf);
        r.Value.ShouldBeAbout(790.1234567901, 1e-6);
        r.N.ShouldBe(6);
    }

    [SkippableFact]
    public void Deal_kpis_slice_by_the_channel_of_the_lead()
    {
        var report = f.Run("2025-09", ["win_rate"], AsOf, by: ["channel"]);
        report.Slice("win_rate", "channel", "ads").Denominator.ShouldBe(1m); // only D1 has a lead
        report.Slice("win_rate", "channel", "(none)").Denominator.ShouldBe(5m);
    }

    [SkippableFact]
    public void A_deal_takes_the_channel_of_its_lead_as_last_imported_and_none_before_the_lead_existed()
    {
        // Only the lead is imported again, now as a referral: its deal D1 moves with it (the kept deal_leads is rebuilt).
        f.Import(("leads.csv", "lead_id,created_at,channel\nL9,2025-07-02,referral\n")).Rejected.ShouldBe(0);
        var report = f.Run("2025-09", ["win_rate"], AsOf, by: ["channel"]);
        report.Slice("win_rate", "channel", "referral").Denominator.ShouldBe(1m);
        report.Results.ShouldNotContain(r => r.Slice.ContainsValue("ads"));

        // A lead created after as-of was not known then: its deal has no channel, and the cycle starts at the deal.
        f.Import(("leads.csv", "lead_id,created_at,channel\nL9,2025-12-01,referral\n")).Rejected.ShouldBe(0);
        f.Run("2025-09", ["win_rate"], "2025-11-01T00:00:00Z", by: ["channel"]).Slice("win_rate", "channel", "(none)").Denominator.ShouldBe(6m);
        // (40 + 4 + 10 + 0) / 4, D1 counted from its own creation.
        f.One("2025-09", "sales_cycle_length", "2025-11-01T00:00:00Z", new KpiParameters { CycleStart = CycleStart.Lead }).Value.ShouldBeAbout(13.5);
    }

    [SkippableFact]
    public void Zero_closed_deals_give_null_not_zero()
    {
        var r = f.One("2025-06", "win_rate", AsOf);
        r.Value.ShouldBeNull();
        r.Reason.En().ShouldBe("no deals won or lost in the period");
        f.One("2025-06", "sales_velocity", AsOf).Value.ShouldBeNull();
    }
}

/// <summary>KPIs 11–13, 15, 16 and 18 on customers, revenue, spend and NPS of September 2025 (30 days).</summary>
public sealed class CustomerKpiTests : IDisposable
{
    // Active at 1 Sep (S): C1, C2, C3 (churned exactly at the start still counts), C6 → 4.
    // Active at 1 Oct (E): C1, C5, C6 (churned exactly at the end is still active) → 3. Lost from S: C2, C3.
    private const string Customers = """
        customer_id,acquired_at,churned_at,segment,channel
        C1,2025-01-01,,SMB,ads
        C2,2025-02-01,2025-09-15,SMB,ads
        C3,2025-03-01,2025-09-01 00:00:00,Ent,referral
        C4,2025-04-01,2025-08-31 23:59:59,Ent,referral
        C5,2025-09-10,,SMB,ads
        C6,2025-05-01,2025-10-01 00:00:00,,ads

        """;

    // Gross profit in September: 600 + 600 + 100 − 100 (credit note) = 1200. R4 is October.
    // Lifetime profit: C2 600 + 300 = 900; C3 500.
    private const string Revenue = """
        invoice_id,customer_id,date,amount,cost
        R1,C1,2025-09-05,1000,400
        R2,C2,2025-09-10,800,200
        R3,C5,2025-09-30,100,
        R4,C1,2025-10-01,999,0
        R5,C6,2025-09-20,-100,0
        R6,C2,2025-03-01,400,100
        R7,C3,2025-04-01,500,0

        """;

    private const string Spend = """
        date,amount,channel
        2025-09-01,1000,ads
        2025-09-15,2000,ads
        2025-09-20,500,

        """;

    // Scores 10, 9 promoters; 8, 7 passives; 6, 0 detractors → NPS 0. N7 is October.
    private const string Nps = """
        response_id,responded_at,score,customer_id
        N1,2025-09-01,10,C1
        N2,2025-09-02,9,C1
        N3,2025-09-03,8,C2
        N4,2025-09-04,7,C5
        N5,2025-09-05,6,C3
        N6,2025-09-30 23:59:59,0,C6
        N7,2025-10-01 00:00:00,0,C6

        """;

    private readonly KpiFixture f = new(files: [("customers.csv", Customers), ("revenue.csv", Revenue), ("spend.csv", Spend), ("nps.csv", Nps)]);

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Retention_is_the_share_of_start_customers_still_there_at_the_end()
    {
        var r = f.One("2025-09", "retention_rate");
        (r.Numerator, r.Denominator, r.Value).ShouldBe((2m, 4m, 0.5m));
        r.Ci95!.Low.ShouldBeAbout(0.150036, 1e-6);
    }

    [SkippableFact]
    public void Retention_slices_by_customer_channel_add_up()
    {
        var report = f.Run("2025-09", ["retention_rate"], by: ["channel"]);
        report.Slice("retention_rate", "channel", "ads").Value.ShouldBeAbout(2.0 / 3); // C1, C2, C6; C2 lost
        report.Slice("retention_rate", "channel", "referral").Value.ShouldBe(0m);       // C3 lost
        report.Results.Where(r => !r.IsTotal && r.Denominator > 0).Sum(r => r.Denominator).ShouldBe(4m);
    }

    [SkippableFact]
    public void Lifetime_value_follows_the_specified_formula()
    {
        // months = 30 / 30.4375; churn 2/4 → monthly 1 − 0.5^(1/months) = 0.5050287;
        // monthly profit per customer = 1200 / 3.5 / months = 347.857; LTV = 688.7868.
        var r = f.One("2025-09", "customer_lifetime_value");
        r.Value.ShouldBeAbout(688.7868271771, 1e-6);
        r.Details["monthly_churn"].ShouldBeAbout(0.5050287391, 1e-9);
        r.Details["monthly_gross_profit_per_customer"].ShouldBeAbout(347.8571428571, 1e-6);
        r.N.ShouldBe(4);
    }

    [SkippableFact]
    public void Lifetime_value_without_churn_is_null_with_the_reason()
    {
        var r = f.One("2025-06", "customer_lifetime_value");
        r.Value.ShouldBeNull();
        r.Reason.En().ShouldBe("no churn observed");
    }

    [SkippableFact]
    public void Lifetime_value_of_a_period_not_begun_by_as_of_is_null_with_the_reason()
    {
        // As-of exactly at the start: no days to spread profit and churn over (it used to divide by zero).
        var r = f.One("2025-09", "customer_lifetime_value", "2025-09-01T00:00:00Z");
        r.Value.ShouldBeNull();
        r.Reason.En().ShouldBe("the period had not begun by as-of");
        f.One("2025-09", "customer_lifetime_value", "2025-08-20T00:00:00Z").Reason.En().ShouldBe("the period starts after the as-of moment");
    }

    [SkippableFact]
    public void Realized_value_is_the_mean_lifetime_profit_of_customers_churned_in_the_period()
    {
        var r = f.One("2025-09", "realized_lifetime_value");
        r.Value.ShouldBe(700m); // (900 + 500) / 2
        r.N.ShouldBe(2);
    }

    [SkippableFact]
    public void Nps_counts_answers_in_the_period_with_its_interval()
    {
        var r = f.One("2025-09", "nps");
        r.Value.ShouldBe(0m);
        r.N.ShouldBe(6);
        (r.Details["promoters"], r.Details["passives"], r.Details["detractors"]).ShouldBe((2m, 2m, 2m));
        r.Ci95!.Low.ShouldBeAbout(-65.333333, 1e-5);
        r.Ci95!.High.ShouldBeAbout(65.333333, 1e-5);
    }

    [SkippableFact]
    public void Nps_interval_is_clamped_to_100()
    {
        // 10, 9, 8 → NPS 66.7; SE = 100·√((2/3 − 4/9) / 3) = 27.2, so the upper bound 120 is clamped.
        var r = f.One("2025-09-01..2025-09-03", "nps");
        r.Value.ShouldBeAbout(200.0 / 3);
        r.Ci95!.High.ShouldBe(100m);
    }

    [SkippableFact]
    public void Acquisition_cost_and_ltv_to_cac()
    {
        var report = f.Run("2025-09", ["customer_acquisition_cost", "ltv_to_cac"], by: ["channel"]);
        var cac = report.Total("customer_acquisition_cost");
        (cac.Numerator, cac.Denominator, cac.Value).ShouldBe((3500m, 1m, 3500m)); // C5 is the only new customer
        report.Slice("customer_acquisition_cost", "channel", "ads").Value.ShouldBe(3000m);
        report.Slice("customer_acquisition_cost", "channel", "(none)").Reason.En().ShouldBe("no customers acquired in the period");
        report.Total("ltv_to_cac").Value.ShouldBeAbout(688.7868271771 / 3500, 1e-9);
    }
}
