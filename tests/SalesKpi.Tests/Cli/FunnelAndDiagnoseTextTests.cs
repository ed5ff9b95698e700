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
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        InProcessCli.Run(dir.Path, "import", "data").Exit.ShouldBe(0);
        InProcessCli.Run(dir.Path, "params", "set", "pipeline_stages", "a,b").Exit.ShouldBe(0);

        var text = InProcessCli.Run(dir.Path, "funnel", "--period", "2025-09", "--as-of", "2025-12-31");
        text.Exit.ShouldBe(0, text.Err);
        text.Out.ShouldContain("median days from previous step");
        text.Out.ShouldContain("1 (no amount recorded)"); // a: D2
        text.Out.ShouldContain("2 (50 RUB for 1 with an amount)"); // b: D3 and D4
        text.Out.ShouldNotContain("(0 RUB)");

        var json = JsonDocument.Parse(InProcessCli.Run(dir.Path, "funnel", "--period", "2025-09", "--as-of", "2025-12-31", "--format", "json").Out);
        var b = json.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "b");
        (b.GetProperty("lost").GetInt64(), b.GetProperty("lost_value").GetDecimal(), b.GetProperty("lost_with_amount").GetInt64()).ShouldBe((2L, 50m, 1L));
    }

    [Fact]
    public void Russian_diagnose_formats_p_with_a_comma_and_translates_why_a_kpi_is_not_tested()
    {
        using var dir = new TempDir();
        // August: 50 of 100 closed deals won; September: 30 of 100 (p = 0.004). Nobody is a customer, so retention has no data on either side.
        var rows = new System.Text.StringBuilder("deal_id,created_at,status,closed_at,amount\n");
        for (var i = 0; i < 100; i++)
        {
            rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"A{i},2025-08-01,{(i < 50 ? "won" : "lost")},2025-08-11,{(i < 50 ? "100" : string.Empty)}\n");
            rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"S{i},2025-09-01,{(i < 30 ? "won" : "lost")},2025-09-11,{(i < 30 ? "100" : string.Empty)}\n");
        }

        dir.Write("data/deals.csv", rows.ToString());
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        InProcessCli.Run(dir.Path, "import", "data").Exit.ShouldBe(0);
        var ru = InProcessCli.Run(dir.Path, "diagnose", "--period", "2025-09", "--as-of", "2026-01-01", "--lang", "ru");
        ru.Exit.ShouldBe(0, ru.Err);
        ru.Out.ShouldContain("p = 0,004");
        ru.Out.ShouldNotContain("p = 0.");
    }

    [Fact]
    public void Russian_diagnose_on_the_samples_gives_translated_reasons_for_changes_too_small_to_test()
    {
        using var dir = new TempDir();
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        InProcessCli.Run(dir.Path, "import", Path.Combine(SalesKpi.Tests.Metrics.ConsistencyTests.RepoRoot(), "samples", "canonical")).Exit.ShouldBe(0);
        var ru = InProcessCli.Run(dir.Path, "diagnose", "--period", "2025-Q3", "--as-of", "2026-11-29", "--lang", "ru");
        ru.Exit.ShouldBe(0, ru.Err);
        // Retention is 100 % in both quarters: no failures to expect, so the z-test's approximation does not hold.
        ru.Out.ShouldContain("Не проверено: retention_rate (слишком мало данных для проверки");
        // NPS: 4 answers in Q2, 6 in Q3.
        ru.Out.ShouldContain("Не проверено: nps (слишком мало ответов для проверки: 4 и 6");
        ru.Out.ShouldNotContain("two-proportion z");
    }
}
