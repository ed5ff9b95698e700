using System.Text.Json;

namespace SalesKpi.Tests.Cli;

/// <summary>What the funnel and diagnose say in words, as a user runs them.</summary>
public sealed class FunnelAndDiagnoseTextTests
{
    [Fact]
    public void The_funnel_says_a_lost_deal_has_no_amount_and_that_its_days_are_from_the_previous_step()
    {
        using var dir = new TempDir();
        // D1 won after 4 days in a; D2 lost in a without an amount; D3 lost in a with 50.
        dir.Write("data/deals.csv", "deal_id,created_at,status,closed_at,amount\nD1,2025-09-01,won,2025-09-05,100\nD2,2025-09-02,lost,2025-09-03,\nD3,2025-09-02,lost,2025-09-04,50\nD4,2025-09-02,lost,2025-09-04,\n");
        dir.Write("data/deal_stages.csv", "deal_id,stage,entered_at\nD1,a,2025-09-01\nD2,a,2025-09-02\nD3,b,2025-09-02\nD4,b,2025-09-02\n");
        CliRunner.Run(dir.Path, "init").Exit.ShouldBe(0);
        CliRunner.Run(dir.Path, "import", "data").Exit.ShouldBe(0);
        CliRunner.Run(dir.Path, "params", "set", "pipeline_stages", "a,b").Exit.ShouldBe(0);

        var text = CliRunner.Run(dir.Path, "funnel", "--period", "2025-09", "--as-of", "2025-12-31");
        text.Exit.ShouldBe(0, text.Err);
        text.Out.ShouldContain("median days from previous step");
        text.Out.ShouldContain("1 (no amount recorded)"); // a: D2
        text.Out.ShouldContain("2 (50 RUB for 1 with an amount)"); // b: D3 and D4
        text.Out.ShouldNotContain("(0 RUB)");

        var json = JsonDocument.Parse(CliRunner.Run(dir.Path, "funnel", "--period", "2025-09", "--as-of", "2025-12-31", "--format", "json").Out);
        var b = json.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "b");
        (b.GetProperty("lost").GetInt64(), b.GetProperty("lost_value").GetDecimal(), b.GetProperty("lost_with_amount").GetInt64()).ShouldBe((2L, 50m, 1L));
    }
}
