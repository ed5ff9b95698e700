using System.Text.Json;
using SalesKpi.Tests.Metrics;

namespace SalesKpi.Tests.Cli;

public sealed class ReportCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public ReportCliTests()
    {
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        dir.Write("data/leads.csv", "lead_id,created_at,channel,qualified_at\nL1,2025-09-01,ads,2025-09-02\nL2,2025-09-02,ads,\nL3,2025-09-03,,2025-09-10\nL4,2025-10-01,ads,\n");
        dir.Write("data/spend.csv", "date,amount,channel\n2025-09-01,300,ads\n");
        InProcessCli.Run(dir.Path, "import", "data").Exit.ShouldBe(0);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Json_report_follows_the_documented_contract()
    {
        var r = InProcessCli.Run(dir.Path, "report", "--period", "2025-Q3", "--grain", "month", "--by", "channel", "--kpi", "leads,lead_to_sql_rate,cost_per_lead", "--as-of", "2025-12-31", "--format", "json");
        r.Exit.ShouldBe(0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        doc.RootElement.GetProperty("as_of").GetString().ShouldBe("2026-01-01T00:00:00Z");
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        var sql = results.Single(x => x.GetProperty("kpi").GetString() == "lead_to_sql_rate" && x.GetProperty("period").GetString() == "2025-09" && !x.GetProperty("slice").EnumerateObject().Any());
        sql.GetProperty("start").GetString().ShouldBe("2025-09-01");
        sql.GetProperty("end").GetString().ShouldBe("2025-09-30");
        sql.GetProperty("value").GetDecimal().ShouldBe(2m / 3, 1e-9m);
        sql.GetProperty("n").GetInt64().ShouldBe(3);
        sql.GetProperty("numerator").GetDecimal().ShouldBe(2m);
        sql.GetProperty("denominator").GetDecimal().ShouldBe(3m);
        sql.GetProperty("ci95").GetArrayLength().ShouldBe(2);
        var july = results.First(x => x.GetProperty("kpi").GetString() == "lead_to_sql_rate" && x.GetProperty("period").GetString() == "2025-07");
        july.GetProperty("value").ValueKind.ShouldBe(JsonValueKind.Null);
        july.GetProperty("reason").GetString().ShouldBe("no leads created in the period");
        var ads = results.Single(x => x.GetProperty("kpi").GetString() == "cost_per_lead" && x.GetProperty("period").GetString() == "2025-09" && x.GetProperty("slice").TryGetProperty("channel", out var c) && c.GetString() == "ads");
        ads.GetProperty("value").GetDecimal().ShouldBe(150m);
        results.Count(x => x.GetProperty("slice").ToString().Contains("(none)", StringComparison.Ordinal)).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Csv_report_has_one_row_per_result()
    {
        var r = InProcessCli.Run(dir.Path, "report", "--period", "2025-09", "--kpi", "leads", "--by", "channel", "--as-of", "2025-12-31", "--format", "csv");
        r.Exit.ShouldBe(0, r.Err);
        var lines = r.Out.Trim().Split('\n');
        lines[0].ShouldStartWith("kpi,period,start,end,slice,value,n");
        lines.Skip(1).ShouldBe(["leads,2025-09,2025-09-01,2025-09-30,,3,3,,,,,,,", "leads,2025-09,2025-09-01,2025-09-30,channel=(none),1,1,,,,,,,", "leads,2025-09,2025-09-01,2025-09-30,channel=ads,2,2,,,,,,,"]);
    }

    [Fact]
    public void Table_report_formats_values_by_unit_and_lists_notes()
    {
        var r = InProcessCli.Run(dir.Path, "report", "--period", "2025-09", "--kpi", "lead_to_sql_rate,cost_per_lead", "--by", "owner", "--as-of", "2025-12-31");
        r.Exit.ShouldBe(0, r.Err);
        r.Out.ShouldContain("66.7 %");
        r.Out.ShouldContain("100.00 RUB");
        r.Out.ShouldContain("cost_per_lead is not reported by owner");
        var ru = InProcessCli.Run(dir.Path, "report", "--period", "2025-09", "--kpi", "lead_to_sql_rate", "--as-of", "2025-12-31", "--lang", "ru");
        ru.Out.ShouldContain("66,7 %");
        ru.Out.ShouldContain("Конверсия лидов в SQL");
    }

    [Fact]
    public void Explain_shows_the_formula_with_numbers_and_the_records()
    {
        var r = InProcessCli.Run(dir.Path, "explain", "lead_to_sql_rate", "--period", "2025-09", "--as-of", "2025-12-31");
        r.Exit.ShouldBe(0, r.Err);
        r.Out.ShouldContain("lead_to_sql_rate = 2 ÷ 3 = 66.7 %");
        r.Out.ShouldContain("L1");
        r.Out.ShouldContain("L3");
        r.Out.ShouldNotContain("L4");
        var sliced = InProcessCli.Run(dir.Path, "explain", "leads", "--period", "2025-09", "--slice", "channel=ads", "--as-of", "2025-12-31");
        sliced.Out.ShouldContain("channel=ads");
        sliced.Out.ShouldNotContain("L3");
    }

    [Fact]
    public void Params_are_stored_in_the_workspace_and_change_the_definitions()
    {
        InProcessCli.Run(dir.Path, "params", "set", "lead_to_sql_window_days", "3").Exit.ShouldBe(0);
        var r = InProcessCli.Run(dir.Path, "report", "--period", "2025-09", "--kpi", "lead_to_sql_rate", "--as-of", "2025-12-31", "--format", "csv");
        r.Out.ShouldContain(",1,3,"); // L3 qualified 7 days later no longer converts
        var bad = InProcessCli.Run(dir.Path, "params", "set", "lead_to_sql_window_days", "-1");
        bad.Exit.ShouldBe(1);
        bad.Err.ShouldContain("not a valid value for lead_to_sql_window_days: give whole days from 1 to 36500 (now 3)");
        InProcessCli.Run(dir.Path, "params", "reset").Out.ShouldNotContain("│ 3 ");
    }

    [Fact]
    public void Bad_period_grain_kpi_and_dimension_are_clear_errors()
    {
        InProcessCli.Run(dir.Path, "report", "--period", "Q3").Err.ShouldContain("is not a period");
        InProcessCli.Run(dir.Path, "report", "--grain", "fortnight").Err.ShouldContain("is not a grain");
        InProcessCli.Run(dir.Path, "report", "--kpi", "roi").Err.ShouldContain("Unknown KPI 'roi'");
        InProcessCli.Run(dir.Path, "report", "--by", "colour").Err.ShouldContain("Unknown dimension 'colour'");
        InProcessCli.Run(dir.Path, "report", "--format", "xml").Err.ShouldContain("--format 'xml' is not supported");
        InProcessCli.Run(dir.Path, "diagnose", "--compare", "decade").Err.ShouldContain("--compare 'decade' is not supported");
        InProcessCli.Run(dir.Path, "diagnose", "--format", "csv").Err.ShouldContain("--format 'csv' is not supported");
        InProcessCli.Run(dir.Path, "velocity", "--compare", "decade", "--lang", "xx").Exit.ShouldBe(1);
    }
}
