using SalesKpi.Storage;

namespace SalesKpi.Tests.Metrics;

/// <summary>
/// The first response, first opportunity and first won deal of each lead are kept by the import (lead_milestones)
/// instead of being searched for by every query: these pin that the KPIs reading them still follow every change of
/// leads, activities and deals, and every as-of.
/// </summary>
public class LeadMilestonesTests : IDisposable
{
    // L1 created 1 Sep 00:00, L2 2 Sep 00:00; nothing answered yet.
    private const string Leads = """
        lead_id,created_at,channel
        L1,2025-09-01 00:00:00,ads
        L2,2025-09-02 00:00:00,ads

        """;

    private readonly KpiFixture f = new(files: [("leads.csv", Leads)]);

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Activities_imported_after_their_leads_answer_them()
    {
        f.One("2025-09", "lead_response_time").Value.ShouldBeNull();

        // L1 answered 2 h after creation; an inbound call to L2 is not an answer.
        f.Import(("activities.csv", """
            activity_id,occurred_at,type,lead_id,direction
            A1,2025-09-01 02:00:00,call,L1,outbound
            A2,2025-09-02 01:00:00,call,L2,inbound

            """)).Rejected.ShouldBe(0);

        var r = f.One("2025-09", "lead_response_time");
        r.Value.ShouldBe(2m);
        r.N.ShouldBe(1);
    }

    [SkippableFact]
    public void A_replaced_activity_moves_the_answer_to_its_new_lead()
    {
        f.Import(("activities.csv", "activity_id,occurred_at,type,lead_id,direction\nA1,2025-09-01 02:00:00,call,L1,outbound\n"));
        f.One("2025-09", "lead_response_time").Value.ShouldBe(2m);

        // The same activity id re-exported on L2, 30 min after L2's creation: L1 is unanswered again.
        f.Import(("activities.csv", "activity_id,occurred_at,type,lead_id,direction\nA1,2025-09-02 00:30:00,call,L2,outbound\n"));

        var r = f.One("2025-09", "lead_response_time");
        r.Value.ShouldBe(0.5m);
        r.N.ShouldBe(1);
    }

    [SkippableFact]
    public void A_lead_re_imported_with_a_later_creation_no_longer_counts_an_earlier_activity()
    {
        f.Import(("activities.csv", "activity_id,occurred_at,type,lead_id,direction\nA1,2025-09-01 02:00:00,call,L1,outbound\nA2,2025-09-01 05:00:00,email,L1,outbound\n"));
        f.One("2025-09", "lead_response_time").Value.ShouldBe(2m);

        // Created at 03:00 after all: the 02:00 call came before the lead existed, the 05:00 e-mail answers it after 2 h.
        f.Import(("leads.csv", "lead_id,created_at,channel\nL1,2025-09-01 03:00:00,ads\n"));

        f.One("2025-09", "lead_response_time").Value.ShouldBe(2m);
        f.Ws.Scalar("SELECT touched_at FROM lead_milestones WHERE lead_id = 'L1'").ShouldBe(new DateTime(2025, 9, 1, 5, 0, 0));
    }

    [SkippableFact]
    public void A_lead_re_imported_into_another_month_takes_its_answer_with_it()
    {
        // L1 answered on 5 Oct at 02:00: in September's cohort, 34 days and 2 h after its creation.
        f.Import(("activities.csv", "activity_id,occurred_at,type,lead_id,direction\nA1,2025-10-05 02:00:00,call,L1,outbound\n"));
        f.One("2025-09", "lead_response_time").Value.ShouldBe(818m);
        f.One("2025-10", "lead_response_time").Value.ShouldBeNull();

        // Re-exported as created on 5 Oct: September has only the unanswered L2, October L1 answered after 2 h.
        f.Import(("leads.csv", "lead_id,created_at,channel\nL1,2025-10-05 00:00:00,ads\n"));
        f.One("2025-09", "lead_response_time").Value.ShouldBeNull();
        var october = f.One("2025-10", "lead_response_time");
        october.Value.ShouldBe(2m);
        october.N.ShouldBe(1);
        f.Ws.Milestones().ShouldBe([("L1", new DateTime(2025, 10, 5), new DateTime(2025, 10, 5, 2, 0, 0), null, null)]);
    }

    [SkippableFact]
    public void Milestones_an_older_version_wrote_without_the_leads_creation_are_still_read()
    {
        f.Import(("activities.csv", "activity_id,occurred_at,type,lead_id,direction\nA1,2025-09-01 02:00:00,call,L1,outbound\n"));

        // An import by a process of the previous schema, still running after the upgrade, fills no lead_created_at.
        f.Ws.Execute($"UPDATE {LeadMilestones.Table} SET lead_created_at = NULL");

        var r = f.One("2025-09", "lead_response_time");
        r.Value.ShouldBe(2m);
        r.N.ShouldBe(1);
        f.One("2025-10", "lead_response_time").Value.ShouldBeNull();
    }

    [SkippableFact]
    public void A_deal_of_a_lead_never_imported_keeps_no_milestones()
    {
        f.Import(("deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id\nD1,2025-09-10 00:00:00,won,2025-09-20 00:00:00,1000,L1\nD9,2025-09-11 00:00:00,won,2025-09-21 00:00:00,500,L9\n"));

        f.Ws.Milestones().ShouldBe([("L1", new DateTime(2025, 9, 1), null, new DateTime(2025, 9, 10), new DateTime(2025, 9, 20))]);
        f.One("2025-09", "lead_to_win_rate").Numerator.ShouldBe(1m);
    }

    [SkippableFact]
    public void A_first_touch_after_as_of_was_not_known_at_as_of()
    {
        f.Import(("activities.csv", "activity_id,occurred_at,type,lead_id,direction\nA1,2025-09-01 02:00:00,call,L1,outbound\nA2,2025-09-03 00:00:00,call,L2,outbound\n"));

        // At 2 Sep 12:00 only L1's answer had happened; at 4 Sep both (L1 2 h, L2 24 h: median 13 h).
        var early = f.One("2025-09", "lead_response_time", asOf: "2025-09-02T12:00:00Z");
        early.Value.ShouldBe(2m);
        early.N.ShouldBe(1);
        f.One("2025-09", "lead_response_time", asOf: "2025-09-04T00:00:00Z").Value.ShouldBe(13m);
    }

    [SkippableFact]
    public void A_dry_run_leaves_the_first_touches_as_they_were()
    {
        var report = new SalesKpi.Import.Importer(f.Ws, FixedClock.At("2026-01-01T00:00:00Z"));
        var folder = Path.Combine(Path.GetTempPath(), "saleskpi-ft-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "activities.csv"), "activity_id,occurred_at,type,lead_id,direction\nA1,2025-09-01 02:00:00,call,L1,outbound\n");
            report.Run(new SalesKpi.Import.ImportOptions { Paths = [folder], DryRun = true }).RolledBack.ShouldBeTrue();
        }
        finally
        {
            Directory.Delete(folder, true);
        }

        f.Ws.Count($"SELECT count(*) FROM {LeadMilestones.Table}").ShouldBe(0);
        f.One("2025-09", "lead_response_time").Value.ShouldBeNull();
    }

    [SkippableFact]
    public void Deals_imported_alone_move_the_win_and_opportunity_rates()
    {
        f.Import(("leads.csv", "lead_id,created_at,channel,qualified_at\nL1,2025-09-01 00:00:00,ads,2025-09-02 00:00:00\nL2,2025-09-02 00:00:00,ads,2025-09-03 00:00:00\n"));
        f.One("2025-09", "lead_to_win_rate").Numerator.ShouldBe(0m);
        f.One("2025-09", "sql_to_opportunity_rate").Numerator.ShouldBe(0m);

        // L1: an opportunity on 5 Sep, lost; then a second one won on 1 Oct. L2: nothing yet.
        f.Import(("deals.csv", """
            deal_id,created_at,status,closed_at,amount,lead_id
            D1,2025-09-05 00:00:00,lost,2025-09-20 00:00:00,,L1
            D2,2025-09-21 00:00:00,won,2025-10-01 00:00:00,1000,L1

            """)).Rejected.ShouldBe(0);

        f.One("2025-09", "lead_to_win_rate").Numerator.ShouldBe(1m);
        f.One("2025-09", "sql_to_opportunity_rate").Numerator.ShouldBe(1m);
        f.Ws.Query("SELECT lead_id, opportunity_at, won_at FROM lead_milestones ORDER BY lead_id", r => (r.GetString(0), r.GetDateTime(1), r.GetDateTime(2)))
            .ShouldBe([("L1", new DateTime(2025, 9, 5), new DateTime(2025, 10, 1))]);

        // Re-exported with D2 lost after all: L1 is no longer won.
        f.Import(("deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id\nD2,2025-09-21 00:00:00,lost,2025-10-01 00:00:00,,L1\n"));
        f.One("2025-09", "lead_to_win_rate").Numerator.ShouldBe(0m);
        f.One("2025-09", "sql_to_opportunity_rate").Numerator.ShouldBe(1m);
    }

    [SkippableFact]
    public void A_first_win_or_opportunity_after_as_of_was_not_known_at_as_of()
    {
        f.Import(("leads.csv", "lead_id,created_at,channel,qualified_at\nL1,2025-09-01 00:00:00,ads,2025-09-02 00:00:00\n"));
        f.Import(("deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id\nD1,2025-09-10 00:00:00,won,2025-10-01 00:00:00,1000,L1\n"));

        // On 15 Sep the opportunity existed but the win did not; on 5 Sep neither.
        f.One("2025-09", "lead_to_win_rate", asOf: "2025-09-15T00:00:00Z").Numerator.ShouldBe(0m);
        f.One("2025-09", "sql_to_opportunity_rate", asOf: "2025-09-15T00:00:00Z").Numerator.ShouldBe(1m);
        f.One("2025-09", "sql_to_opportunity_rate", asOf: "2025-09-05T00:00:00Z").Numerator.ShouldBe(0m);
        f.One("2025-09", "lead_to_win_rate", asOf: "2025-10-02T00:00:00Z").Numerator.ShouldBe(1m);
    }
}
