using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

public class FunnelLostReasonsTests : IDisposable
{
    private readonly KpiFixture f;

    public FunnelLostReasonsTests()
    {
        // September 2025, pipeline a → b. Lost at a: price ×4, timing ×3, budget ×2, rival ×1;
        // lost at b (passed a): two without a reason; one won deal; an August deal lost at a for price is outside the period.
        var deals = new StringBuilder("deal_id,created_at,status,closed_at,amount,lost_reason\n");
        var stages = new StringBuilder("deal_id,stage,entered_at\n");
        var n = 0;
        void Deal(string created, string status, string? reason, params string[] path)
        {
            var id = "D" + (++n).ToString(CultureInfo.InvariantCulture);
            deals.Append(CultureInfo.InvariantCulture, $"{id},{created},{status},{(status == "open" ? "" : "2025-09-20")},{(status == "won" ? "100" : "")},{reason}\n");
            foreach (var s in path)
            {
                stages.Append(CultureInfo.InvariantCulture, $"{id},{s},{created}\n");
            }
        }

        foreach (var (reason, count) in new[] { ("price", 4), ("timing", 3), ("budget", 2), ("rival", 1) })
        {
            for (var i = 0; i < count; i++)
            {
                Deal("2025-09-02", "lost", reason, "a");
            }
        }

        Deal("2025-09-03", "lost", null, "a", "b");
        Deal("2025-09-03", "lost", "", "a", "b");
        Deal("2025-09-04", "won", null, "a", "b");
        Deal("2025-08-30", "lost", "price", "a");
        f = new(files: [("deals.csv", deals.ToString()), ("deal_stages.csv", stages.ToString()), ("leads.csv", "lead_id,created_at\nL1,2025-09-01\n")]);
    }

    public void Dispose() => f.Dispose();

    [SkippableFact]
    public void Each_stage_keeps_the_three_most_frequent_reasons_of_the_deals_lost_there_and_names_missing_ones()
    {
        var steps = new FunnelEngine(f.Ws).Run(Period.Parse("2025-09"), KpiFixture.At("2025-12-01T00:00:00Z"), new KpiParameters().Set("pipeline_stages", "a,b"))
            .Steps.Where(s => s.Section == "deals").ToDictionary(s => s.Name);

        (steps["a"].Lost, steps["b"].Lost).ShouldBe((10L, 2L));
        steps["a"].LostReasons.ShouldBe([new LostReason("price", 4), new LostReason("timing", 3), new LostReason("budget", 2)]);
        steps["b"].LostReasons.ShouldBe([new LostReason("(none)", 2)]);
        steps["won"].LostReasons.ShouldBeEmpty();
    }
}
