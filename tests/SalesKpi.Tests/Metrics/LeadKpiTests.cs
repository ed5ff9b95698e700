using SalesKpi.Core.Kpis;

namespace SalesKpi.Tests.Metrics;

/// <summary>KPIs 1–6 and 17 on leads of September 2025 (UTC workspace), hand-computed in the comments.</summary>
public class LeadKpiTests : IDisposable
{
    // L0 and L5 sit one second either side of September; L1..L4 are the September cohort.
    private const string Leads = """
        lead_id,created_at,channel,campaign,owner,segment,job_title,company_size,need,quality_score,first_response_at,qualified_at
        L0,2025-08-31 23:59:59,ads,c1,Ann,SMB,,,,,,
        L1,2025-09-01 00:00:00,ads,c1,Ann,SMB,Генеральный директор,60,CRM,,2025-09-01 02:00,2025-10-01 00:00:00
        L2,2025-09-30 23:59:59,ads,c2,Bob,,Manager,20,,,,2025-10-31 00:00:00
        L3,2025-09-15 10:00,referral,,Ann,SMB,,,,55,,2025-09-14 10:00
        L4,2025-09-20 12:00,,c1,,Enterprise,VP Sales,10000,Audit,,2025-09-20 13:00,
        L5,2025-10-01 00:00:00,ads,c1,Ann,SMB,,,,,,

        """;

    // L2: an inbound call (ignored), an outbound call before the lead existed (ignored), an e-mail 30 min after.
    // L4: a call with unknown direction 15 min after creation beats first_response_at (+1 h).
    private const string Activities = """
        activity_id,occurred_at,type,lead_id,direction
        A1,2025-10-01 00:05:00,call,L2,inbound
        A2,2025-09-30 20:00:00,call,L2,outbound
        A3,2025-10-01 00:29:59,email,L2,outbound
        A4,2025-09-20 12:15:00,call,L4,

        """;

    // L1 is won exactly 180 days after creation; L4 one second too late; L3's deal is lost.
    private const string Deals = """
        deal_id,created_at,status,closed_at,amount,lead_id
        D1,2025-10-05,won,2026-02-28 00:00:00,100,L1
        D4,2025-10-06,won,2026-03-19 12:00:01,100,L4
        D3,2025-10-07,lost,2025-11-01,,L3

        """;

    private readonly KpiFixture f = new(files: [("leads.csv", Leads), ("activities.csv", Activities), ("deals.csv", Deals)]);

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Leads_counts_creations_in_the_period_including_00_00_and_23_59_59()
    {
        var r = f.One("2025-09", "leads");
        r.Value.ShouldBe(4m);
        r.N.ShouldBe(4);
        r.Flags.ShouldBeEmpty();
    }

    [SkippableFact]
    public void Slices_report_missing_values_as_none_and_add_up_to_the_total()
    {
        var report = f.Run("2025-09", ["leads"], by: ["channel"]);
        report.Slice("leads", "channel", "ads").Value.ShouldBe(2m);
        report.Slice("leads", "channel", "referral").Value.ShouldBe(1m);
        report.Slice("leads", "channel", "(none)").Value.ShouldBe(1m);
        report.Results.Where(r => !r.IsTotal).Sum(r => r.Value).ShouldBe(report.Total("leads").Value);
    }

    [SkippableFact]
    public void Lead_quality_uses_the_source_score_else_the_rules_capped_at_100()
    {
        // L1 director 40 + size 60 → 30 + need 30 = 100; L2 manager 0 + size 20 → 15 = 15;
        // L3 source score 55; L4 "VP" 40 + size 10000 → 0 + need 30 = 70. Mean 240 / 4 = 60; ≥ 60: L1, L4.
        var r = f.One("2025-09", "lead_quality");
        r.Value.ShouldBe(60m);
        r.Details["high_quality_share"].ShouldBe(0.5m);
        r.N.ShouldBe(4);
    }

    [SkippableFact]
    public void Lead_quality_scores_the_title_of_a_lead_created_exactly_at_as_of()
    {
        // As of L4's creation (20 Sep 12:00): L1 100, L3 55, L4 "VP Sales" 40 + 0 + 30 = 70 → 225 / 3 = 75; L2 does not exist yet.
        var r = f.One("2025-09", "lead_quality", asOf: "2025-09-20T12:00:00Z");
        r.Value.ShouldBe(75m);
        r.N.ShouldBe(3);
    }

    [SkippableFact]
    public void Lead_quality_rules_come_from_the_parameters()
    {
        var p = new KpiParameters().Set("quality_title_words", "manager").Set("quality_threshold", "50");
        // L1 0 + 30 + 30 = 60; L2 40 + 15 = 55; L3 55; L4 0 + 0 + 30 = 30 → mean 50; ≥ 50: L1, L2, L3.
        var r = f.One("2025-09", "lead_quality", parameters: p);
        r.Value.ShouldBe(50m);
        r.Details["high_quality_share"].ShouldBe(0.75m);
    }

    [SkippableFact]
    public void Title_words_match_whatever_the_letter_case_of_the_word_and_the_title()
    {
        // L2 re-exported as "ДИРЕКТОР ПО ПРОДАЖАМ". "Директор" finds it and L1's "Генеральный директор", "SALES" L4's
        // "VP Sales": L1 40 + 30 + 30 = 100; L2 40 + 15 = 55; L3 55; L4 40 + 0 + 30 = 70 → mean 280 / 4 = 70; ≥ 60: L1, L4.
        f.Import(("leads.csv", "lead_id,created_at,channel,campaign,owner,job_title,company_size\nL2,2025-09-30 23:59:59,ads,c2,Bob,ДИРЕКТОР ПО ПРОДАЖАМ,20\n"));
        var p = new KpiParameters().Set("quality_title_words", "Директор, SALES");
        var r = f.One("2025-09", "lead_quality", parameters: p);
        r.Value.ShouldBe(70m);
        r.Details["high_quality_share"].ShouldBe(0.5m);

        // Neither word in any title: L1 60, L2 15, L3 55, L4 30 → 40.
        f.One("2025-09", "lead_quality", parameters: new KpiParameters().Set("quality_title_words", "ГЛАВА, Owner")).Value.ShouldBe(40m);
    }

    [SkippableFact]
    public void Lead_to_sql_counts_the_window_at_exactly_the_limit_and_clamps_qualification_before_creation()
    {
        // L1 qualified exactly 30 days later (in), L2 30 days + 1 s (out), L3 a day before creation (clamped, in), L4 never.
        var r = f.One("2025-09", "lead_to_sql_rate");
        (r.Numerator, r.Denominator, r.Value).ShouldBe((2m, 4m, 0.5m));
        r.Ci95!.Low.ShouldBeAbout(0.150036, 1e-6);
        r.Ci95!.High.ShouldBeAbout(0.849964, 1e-6);
        r.Flags.ShouldBeEmpty();
    }

    [SkippableFact]
    public void Lead_to_sql_ignores_data_after_as_of_and_flags_partial_and_immature()
    {
        // As of 25 Sep: L2 does not exist yet; L1's qualification (1 Oct) is in the future → 1 of 3.
        var r = f.One("2025-09", "lead_to_sql_rate", asOf: "2025-09-25T00:00:00Z");
        (r.Numerator, r.Denominator).ShouldBe((1m, 3m));
        r.Flags.ShouldBe(["partial", "immature"]);
    }

    [SkippableFact]
    public void Cohort_is_immature_until_the_window_has_elapsed_after_the_period()
    {
        f.One("2025-09", "lead_to_sql_rate", asOf: "2025-10-30T23:59:59Z").Flags.ShouldBe(["immature"]);
        f.One("2025-09", "lead_to_sql_rate", asOf: "2025-10-31T00:00:00Z").Flags.ShouldBeEmpty();
    }

    [SkippableFact]
    public void Response_time_takes_the_earliest_of_first_response_and_non_inbound_activities_after_creation()
    {
        // L1 2 h (first_response_at), L2 0.5 h (e-mail), L3 unanswered, L4 0.25 h (call beats +1 h).
        var r = f.One("2025-09", "lead_response_time");
        r.Value.ShouldBeAbout(0.5);
        r.N.ShouldBe(3);
        r.Details["mean_hours"].ShouldBeAbout(2.75 / 3);
        r.Details["p90_hours"].ShouldBeAbout(1.7); // sorted 0.25, 0.5, 2 → 0.5 + 0.8 × 1.5
        r.Details["unanswered"].ShouldBe(1m);
        r.Details["within_sla_share"].ShouldBe(0.5m); // L2 and L4 within 1 h, of 4 leads
    }

    [SkippableFact]
    public void Response_sla_is_a_parameter()
    {
        var r = f.One("2025-09", "lead_response_time", parameters: new KpiParameters().Set("response_sla_hours", "2"));
        r.Details["within_sla_share"].ShouldBe(0.75m);
    }

    [SkippableFact]
    public void Lead_to_win_counts_won_deals_within_180_days_exactly()
    {
        // L1 won at exactly 180 days (in), L4 at 180 days + 1 s (out), L3 lost, L2 no deal → 1 / 4.
        var r = f.One("2025-09", "lead_to_win_rate");
        (r.Numerator, r.Denominator).ShouldBe((1m, 4m));
        r.Ci95!.Low.ShouldBeAbout(0.045586, 1e-6);
        r.Ci95!.High.ShouldBeAbout(0.699364, 1e-6);
    }

    [SkippableFact]
    public void Lead_to_sql_window_is_a_parameter()
    {
        var r = f.One("2025-09", "lead_to_sql_rate", parameters: new KpiParameters().Set("lead_to_sql_window_days", "31"));
        r.Numerator.ShouldBe(3m); // L2 (30 days + 1 s) now within 31 days
    }

    [SkippableFact]
    public void A_period_without_leads_is_null_with_a_reason_not_zero()
    {
        var r = f.One("2024-09", "lead_to_sql_rate");
        r.Value.ShouldBeNull();
        r.Reason.En().ShouldBe("no leads created in the period");
        r.Ci95.ShouldBeNull();
        f.One("2024-09", "leads").Value.ShouldBe(0m);
    }

    [SkippableFact]
    public void A_null_kpis_reason_is_a_code_with_its_english_and_russian_text()
    {
        var empty = f.One("2024-09", "lead_to_sql_rate").Reason.ShouldNotBeNull();
        empty.Code.ShouldBe("no_leads_created");
        empty.En().ShouldBe("no leads created in the period");
        empty.Ru().ShouldBe("нет лидов, созданных в периоде");

        // The missing file is an argument, not part of the text: the same code names any file.
        var missing = f.One("2025-09", "nps").Reason.ShouldNotBeNull();
        missing.Code.ShouldBe("no_data_imported");
        missing.Args.ShouldBe(["nps"]);
        missing.En().ShouldBe("no nps.csv data imported");
        missing.Ru().ShouldBe("не импортированы данные nps.csv");
    }

    [SkippableFact]
    public void Monthly_grain_gives_one_result_per_bucket_and_cuts_partial_edges()
    {
        var report = f.Run("2025-08-15..2025-10-10", ["leads"], grain: "month");
        report.Results.Select(r => (r.Period.Label, r.Value)).ShouldBe([("2025-08-15..2025-08-31", 1m), ("2025-09", 4m), ("2025-10-01..2025-10-10", 1m)]);
    }
}

public sealed class SqlToOpportunityTests : IDisposable
{
    private readonly KpiFixture f = new(files:
    [
        ("leads.csv", """
            lead_id,created_at,qualified_at,channel
            Q1,2025-08-01,2025-09-05 00:00:00,ads
            Q2,2025-08-01,2025-09-10 00:00:00,ads
            Q3,2025-08-01,2025-09-15 00:00:00,referral
            Q4,2025-08-01,2025-09-20 00:00:00,
            Q5,2025-08-01,2025-08-31 23:59:59,ads

            """),
        ("deals.csv", """
            deal_id,created_at,status,lead_id
            O1,2025-11-04 00:00:00,open,Q1
            O2,2025-11-09 00:00:01,open,Q2
            O3,2025-09-01 00:00:00,open,Q3
            O5,2025-09-01 00:00:00,open,Q5

            """),
    ]);

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Sql_to_opportunity_counts_deals_within_60_days_of_qualification_exactly()
    {
        // Q1 deal at exactly 60 days (in), Q2 60 days + 1 s (out), Q3 deal before qualification (clamped, in), Q4 none.
        var r = f.One("2025-09", "sql_to_opportunity_rate");
        (r.Numerator, r.Denominator, r.Value).ShouldBe((2m, 4m, 0.5m));
    }

    [SkippableFact]
    public void Deals_created_after_as_of_do_not_convert()
    {
        var r = f.One("2025-09", "sql_to_opportunity_rate", asOf: "2025-11-01T00:00:00Z");
        r.Numerator.ShouldBe(1m); // only Q3; Q1's deal (4 Nov) is after as-of
        r.Flags.ShouldBe(["immature"]);
    }
}

public sealed class CostPerLeadTests : IDisposable
{
    private readonly KpiFixture f = new(files:
    [
        ("leads.csv", """
            lead_id,created_at,channel,campaign,owner
            L1,2025-09-01,ads,c1,Ann
            L2,2025-09-02,ads,c2,Bob
            L3,2025-09-03,referral,,Ann
            L4,2025-09-04,,,Bob

            """),
        ("spend.csv", """
            date,amount,channel,campaign
            2025-09-01,1000,ads,c1
            2025-09-30,500,ads,c2
            2025-09-15,200,events,
            2025-10-01,999,ads,c1
            2025-08-31,999,ads,c1

            """),
    ]);

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Cost_per_lead_divides_spend_by_leads_within_each_channel()
    {
        var report = f.Run("2025-09", ["cost_per_lead"], by: ["channel"]);
        var total = report.Total("cost_per_lead");
        (total.Numerator, total.Denominator, total.Value).ShouldBe((1700m, 4m, 425m));
        report.Slice("cost_per_lead", "channel", "ads").Value.ShouldBe(750m);
        report.Slice("cost_per_lead", "channel", "referral").Value.ShouldBe(0m);
        var events = report.Slice("cost_per_lead", "channel", "events");
        events.Value.ShouldBeNull();
        events.Reason.En().ShouldBe("no leads created in the period");
        report.Results.Where(r => !r.IsTotal).Sum(r => r.Numerator).ShouldBe(total.Numerator);
        report.Results.Where(r => !r.IsTotal).Sum(r => r.Denominator).ShouldBe(total.Denominator);
    }

    [SkippableFact]
    public void Cost_per_lead_is_not_reported_by_a_dimension_it_does_not_have()
    {
        var report = f.Run("2025-09", ["cost_per_lead", "leads"], by: ["owner"]);
        report.Results.Where(r => r.Kpi.Id == "cost_per_lead").ShouldHaveSingleItem().IsTotal.ShouldBeTrue();
        report.Results.Count(r => r.Kpi.Id == "leads").ShouldBe(3);
        report.Notes.ShouldHaveSingleItem().En().ShouldContain("cost_per_lead is not reported by owner");
    }
}

public sealed class MissingInputTests : IDisposable
{
    private readonly KpiFixture f = new(files: [("leads.csv", "lead_id,created_at\nL1,2025-09-01\n")]);

    public void Dispose() => f.Dispose();

    [SkippableTheory]
    [InlineData("cost_per_lead", "no spend.csv data imported")]
    [InlineData("win_rate", "no deals.csv data imported")]
    [InlineData("nps", "no nps.csv data imported")]
    [InlineData("retention_rate", "no customers.csv data imported")]
    public void A_kpi_whose_input_is_absent_is_null_with_a_reason(string kpi, string reason)
    {
        var r = f.One("2025-09", kpi);
        r.Value.ShouldBeNull();
        r.Reason.En().ShouldBe(reason);
    }

    [SkippableFact]
    public void A_period_after_as_of_is_null_and_partial()
    {
        var r = f.One("2025-09", "leads", asOf: "2025-08-01T00:00:00Z");
        r.Value.ShouldBeNull();
        r.Reason.En().ShouldBe("the period starts after the as-of moment");
        r.Flags.ShouldContain("partial");
    }
}

public sealed class TimeZoneBoundaryTests : IDisposable
{
    // Moscow is UTC+3: local midnight of 1 Sep is 31 Aug 21:00 UTC.
    private readonly KpiFixture f = new("Europe/Moscow", ("leads.csv", """
        lead_id,created_at
        M1,2025-09-01 00:00
        M2,2025-08-31 23:59:59
        M3,2025-08-31T21:30:00Z
        M4,2025-09-30T21:00:00Z

        """));

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Periods_are_cut_at_local_midnight_of_the_workspace_zone()
    {
        f.One("2025-09", "leads").Value.ShouldBe(2m); // M1, M3 (00:30 local); M2 is August, M4 is 1 Oct 00:00 local
    }
}

public sealed class BucketJoinTests
{
    [SkippableFact]
    public void Boundaries_off_the_quarter_hour_grid_use_the_range_join_with_the_same_result()
    {
        // In 1910 Moscow kept local mean time, UTC+2:30:17: local midnight is not on a UTC quarter-hour.
        using var f = new KpiFixture("Europe/Moscow", ("leads.csv", "lead_id,created_at\nA,1910-09-01 00:00\nB,1910-08-31 23:59:59\nC,1910-09-30 23:59:59\nD,1910-10-01 00:00\n"));
        f.One("1910-09", "leads", asOf: "1911-01-01T00:00:00Z").Value.ShouldBe(2m);
        f.Run("1910-08-31..1910-10-01", ["leads"], asOf: "1911-01-01T00:00:00Z", grain: "month").Results.Select(r => r.Value).ShouldBe([1m, 2m, 1m]);
    }

    [SkippableFact]
    public void Half_hour_zones_cut_buckets_at_local_midnight()
    {
        // Kolkata is UTC+5:30: 18:29:59Z on 31 Aug is 23:59:59 local (August), 18:30Z is 1 Sep 00:00 local.
        using var f = new KpiFixture("Asia/Kolkata", ("leads.csv", "lead_id,created_at\nA,2025-08-31T18:29:59Z\nB,2025-08-31T18:30:00Z\nC,2025-09-30 23:59:59\n"));
        f.One("2025-09", "leads").Value.ShouldBe(2m);
    }
}
