using System.Globalization;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

/// <summary>As-of is a snapshot of what was known, and a sliced report has one set of slices for all its KPIs.</summary>
public class SnapshotAndSliceTests
{
    private const string AsOf = "2025-09-30T23:59:59Z";

    [SkippableFact]
    public void A_past_report_does_not_change_when_rows_created_after_its_as_of_are_imported()
    {
        // Known at as-of: leads, deals (D9's lead L99 only arrives in October), NPS answers and invoices of
        // C99, a customer acquired in November. No customers.csv at all yet.
        using var fx = new KpiFixture("UTC",
            ("leads.csv", "lead_id,created_at,channel,segment\nL1,2025-07-01,ads,SMB\nL2,2025-07-02,referral,SMB\n"),
            ("deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id\nD1,2025-07-03,won,2025-08-01,1000,L1\nD9,2025-07-05,won,2025-08-05,3000,L99\n"),
            ("nps.csv", "response_id,responded_at,score,customer_id\nN1,2025-08-01,10,C99\nN2,2025-08-02,3,C99\n"),
            ("revenue.csv", "invoice_id,customer_id,date,amount,cost\nI1,C99,2025-08-10,500,100\n"));
        var before = Snapshot(fx);

        using var later = new TempDir();
        later.Write("leads.csv", "lead_id,created_at,channel,segment\nL99,2025-10-15,exhibition,Enterprise\n");
        later.Write("customers.csv", "customer_id,acquired_at,segment,region,channel\nC99,2025-11-01,Enterprise,North,ads\n");
        var import = new Importer(fx.Ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [later.Path] });
        import.Rejected.ShouldBe(0);

        var after = Snapshot(fx);
        after.ShouldBe(before);

        // The row unknown at as-of gives the "(none)" slice — both before and after the import.
        var report = fx.Run("2025-Q3", ["nps", "win_rate"], AsOf, by: ["channel"]);
        report.Slice("nps", "channel", "(none)").N.ShouldBe(2);
        report.Slice("nps", "channel", "ads").N.ShouldBe(0, "ads is a slice of the report (D1), but no answer is known to come from it");
        report.Slice("win_rate", "channel", "(none)").N.ShouldBe(1);
        report.Results.ShouldNotContain(r => r.Slice.Values.Contains("exhibition"));
        fx.Run("2025-Q3", ["customer_lifetime_value"], AsOf).Total("customer_lifetime_value").Reason.En().ShouldBe("no customers.csv data imported");

        // A report as of a later moment does see the rows.
        fx.Run("2025-Q3", ["nps"], "2025-12-31T00:00:00Z", by: ["channel"]).Slice("nps", "channel", "ads").N.ShouldBe(2);
    }

    private static string Snapshot(KpiFixture fx) =>
        string.Join("\n", new[] { "channel", "segment", "region", "owner" }.SelectMany(dim =>
            fx.Run("2025-Q3", [.. KpiCatalog.All.Select(k => k.Id)], AsOf, grain: "month", by: [dim]).Results.Select(r => string.Join("|",
                dim, r.Kpi.Id, r.Period.Label, string.Join(";", r.Slice.Select(kv => kv.Key + "=" + kv.Value)),
                r.Value?.ToString(CultureInfo.InvariantCulture), r.N, r.Numerator?.ToString(CultureInfo.InvariantCulture), r.Denominator?.ToString(CultureInfo.InvariantCulture),
                r.Reason, string.Join(",", r.Flags), string.Join(",", r.Details.Select(d => d.Key + "=" + d.Value?.ToString(CultureInfo.InvariantCulture)))))));

    [SkippableFact]
    public void Every_kpi_of_a_sliced_report_has_a_row_for_every_slice_value_of_the_bucket()
    {
        // exhibition: one deal created in July, still open (no closed deal, no spend, no customer);
        // organic: leads only; referral: spend only.
        using var fx = new KpiFixture("UTC",
            ("leads.csv", "lead_id,created_at,channel\nL1,2025-07-01,ads\nL2,2025-07-02,exhibition\nL3,2025-07-03,organic\nL4,2025-08-01,ads\n"),
            ("deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id\nD1,2025-07-03,won,2025-07-20,1000,L1\nD2,2025-07-04,open,,,L2\nD3,2025-08-02,lost,2025-08-20,,L4\n"),
            ("activities.csv", "activity_id,occurred_at,type,deal_id\nA1,2025-07-10,call,D1\n"),
            ("spend.csv", "date,amount,channel\n2025-07-01,100,ads\n2025-07-01,50,referral\n"),
            ("customers.csv", "customer_id,acquired_at,channel\nC1,2025-07-20,ads\n"));
        var kpis = new[] { "leads", "win_rate", "average_deal_size", "sales_cycle_length", "activities_per_deal", "sales_velocity", "customer_acquisition_cost", "cost_per_lead" };
        var report = fx.Run("2025-Q3", kpis, "2025-12-31T00:00:00Z", grain: "month", by: ["channel"], parameters: new KpiParameters { WinRateBasis = WinRateBasis.Created });

        foreach (var bucket in report.Results.GroupBy(r => r.Period.Label))
        {
            var sets = bucket.Where(r => !r.IsTotal).GroupBy(r => r.Kpi.Id).ToDictionary(g => g.Key, g => g.Select(r => r.Slice["channel"]).Order(StringComparer.Ordinal).ToList());
            if (bucket.Key == "2025-09")
            {
                sets.ShouldBeEmpty("nothing happened in September");
                continue;
            }

            sets.Keys.Order(StringComparer.Ordinal).ShouldBe(kpis.Order(StringComparer.Ordinal), bucket.Key);
            foreach (var (kpi, values) in sets)
            {
                values.ShouldBe(sets["leads"], $"{kpi} in {bucket.Key}");
            }
        }

        var july = report.Results.Where(r => r.Period.Label == "2025-07").ToList();
        july.Where(r => r.Kpi.Id == "leads" && !r.IsTotal).Select(r => r.Slice["channel"]).Order(StringComparer.Ordinal).ShouldBe(["ads", "exhibition", "organic", "referral"]);
        Row(july, "average_deal_size", "exhibition").Value.ShouldBeNull();
        Row(july, "average_deal_size", "exhibition").Reason.En().ShouldBe("no deals won in the period");
        Row(july, "win_rate", "exhibition").Reason.En().ShouldBe("no deals won or lost in the period");
        Row(july, "customer_acquisition_cost", "organic").Reason.En().ShouldBe("no customers acquired in the period");
        Row(july, "customer_acquisition_cost", "referral").Numerator.ShouldBe(50m);
        Row(july, "leads", "referral").Value.ShouldBe(0m);
        Row(july, "average_deal_size", "ads").Value.ShouldBe(1000m);
    }

    private static KpiResult Row(IEnumerable<KpiResult> results, string kpi, string channel) =>
        results.Single(r => r.Kpi.Id == kpi && r.Slice.TryGetValue("channel", out var v) && v == channel);
}
