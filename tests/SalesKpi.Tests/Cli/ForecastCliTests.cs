using System.Text.Json;

namespace SalesKpi.Tests.Cli;

public sealed class ForecastCliTests
{
    [Fact]
    public void Forecast_json_gives_the_parts_and_a_workspace_without_wins_gets_the_reason_in_russian()
    {
        using var dir = new TempDir();
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        dir.Write("deals.csv", "deal_id,created_at,status,closed_at,amount\nO1,2025-05-01,open,,1000\n");
        InProcessCli.Run(dir.Path, "import", "deals.csv").Exit.ShouldBe(0);

        var ru = InProcessCli.Run(dir.Path, new Dictionary<string, string> { ["SALESKPI_LANG"] = "ru" }, "forecast", "--period", "2025-06", "--as-of", "2025-05-31");
        ru.Exit.ShouldBe(0);
        ru.Out.ShouldContain("Прогноза нет");

        var json = InProcessCli.Run(dir.Path, "forecast", "--period", "2025-06", "--as-of", "2025-05-31", "--format", "json");
        json.Exit.ShouldBe(0);
        using var doc = JsonDocument.Parse(json.Out);
        doc.RootElement.GetProperty("reason_code").GetString().ShouldBe("forecast.no_history");
        doc.RootElement.GetProperty("total").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void A_backtest_range_must_name_two_periods_of_one_kind()
    {
        using var dir = new TempDir();
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);

        var r = InProcessCli.Run(dir.Path, "forecast", "--backtest", "2025-Q1..2025-06");

        r.Exit.ShouldNotBe(0);
        r.Err.ShouldContain("is not a range of periods");
    }
}
