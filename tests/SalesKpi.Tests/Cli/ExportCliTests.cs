using System.Globalization;
using System.Text.Json;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Tests.Cli;

/// <summary>
/// <c>saleskpi export</c> as a process: the workbook reads back with the values and types of the JSON documents, and
/// text a spreadsheet would run comes out inert in xlsx and CSV while numbers stay numbers.
/// </summary>
public sealed class ExportCliTests : IDisposable
{
    private const string Company = "=HYPERLINK(\"http://x\",\"y\")";
    private readonly TempDir dir = new();
    private readonly string db;

    public ExportCliTests()
    {
        db = dir.File("w.duckdb");
        var data = dir.File("data");
        Directory.CreateDirectory(data);
        // Six leads in Q2 and three in Q3: the lead count falls by 3, a negative change; one Q3 lead's company is a formula.
        var leads = new List<string> { "lead_id,created_at,channel,owner,company" };
        leads.AddRange(Enumerable.Range(1, 6).Select(i => $"Q2-{i},2025-05-{i:00} 10:00,web,Anna,Acme {i}"));
        leads.Add("Q3-1,2025-07-02 10:00,web,Anna,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        leads.Add("Q3-2,2025-08-03 10:00,referral,Boris,-minus Ltd");
        leads.Add("Q3-3,2025-09-04 10:00,referral,Boris,Plain");
        File.WriteAllLines(Path.Combine(data, "leads.csv"), leads);
        File.WriteAllLines(Path.Combine(data, "deals.csv"),
        [
            "deal_id,created_at,status,closed_at,amount,lead_id,owner",
            "D1,2025-07-05 10:00,won,2025-08-20 12:00,1500.50,Q3-1,Anna",
            "D2,2025-08-06 10:00,lost,2025-09-01 12:00,,Q3-2,Boris",
        ]);
        Cli("init", "--db", db).Exit.ShouldBe(0);
        Cli("import", data, "--db", db).Exit.ShouldBe(0);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Export_xlsx_reads_back_with_the_values_and_types_of_scorecard_and_report_json()
    {
        var xlsx = dir.File("q3.xlsx");
        var run = Cli("export", "--db", db, "--period", "2025-Q3", "--as-of", "2025-12-31", "--lang", "ru", "--out", xlsx);
        run.Exit.ShouldBe(0, run.Err);
        var scorecard = JsonDocument.Parse(Cli("scorecard", "--db", db, "--period", "2025-Q3", "--as-of", "2025-12-31", "--format", "json", "--lang", "ru").Out).RootElement;
        var report = JsonDocument.Parse(Cli("report", "--db", db, "--period", "2025-Q3", "--grain", "month", "--as-of", "2025-12-31", "--format", "json").Out).RootElement;

        MiniExcelLibs.MiniExcel.GetSheetNames(xlsx).ShouldBe(["Скоркард", "KPI по периодам", "Разбивка — Канал", "Воронка", "Лиды", "Сделки"]);
        var card = Sheet(xlsx, "Скоркард");
        card[0][0].ShouldBe("KPI");
        var kpis = scorecard.GetProperty("kpis").EnumerateArray().ToList();
        kpis.Count.ShouldBeGreaterThan(5);
        foreach (var k in kpis)
        {
            var row = card.Single(r => Equals(r[0], k.GetProperty("kpi").GetString()));
            row[1].ShouldBe(k.GetProperty("name").GetString());
            SameNumber(row[4], k.GetProperty("value"));
            SameNumber(row[5], k.GetProperty("n"));
            SameNumber(row[12], k.GetProperty("vs_previous").GetProperty("delta"));
        }

        // The count of leads fell from 6 to 3: a negative change, written as a number.
        card.Single(r => Equals(r[0], "leads"))[12].ShouldBeOfType<double>().ShouldBe(-3d);

        var byPeriod = Sheet(xlsx, "KPI по периодам");
        var header = byPeriod[0];
        var results = report.GetProperty("results").EnumerateArray().ToList();
        results.Count.ShouldBe(3 * KpiCatalog.All.Length);
        foreach (var r in results)
        {
            var row = byPeriod.Single(x => Equals(x[0], r.GetProperty("period").GetString()));
            row[1].ShouldBeOfType<DateTime>().ShouldBe(DateTime.Parse(r.GetProperty("start").GetString()!, CultureInfo.InvariantCulture));
            row[2].ShouldBeOfType<DateTime>().ShouldBe(DateTime.Parse(r.GetProperty("end").GetString()!, CultureInfo.InvariantCulture));
            SameNumber(row[Array.IndexOf(header, KpiCatalog.Get(r.GetProperty("kpi").GetString()!).NameRu)], r.GetProperty("value"));
        }

        var deals = Sheet(xlsx, "Сделки");
        deals[0].ShouldBe(["deal_id", "created_at", "status", "closed_at", "amount", "currency", "lead_id", "customer_id", "owner", "service_line", "segment", "region", "stage", "lost_reason"]);
        deals[1][1].ShouldBeOfType<DateTime>().ShouldBe(new DateTime(2025, 7, 5, 10, 0, 0));
        deals[1][4].ShouldBeOfType<double>().ShouldBe(1500.5);
    }

    [Fact]
    public void A_formula_in_a_leads_company_comes_out_inert_in_xlsx_and_csv_and_numbers_stay_numbers()
    {
        var xlsx = dir.File("inj.xlsx");
        var csv = dir.File("inj.csv");
        Cli("export", "--db", db, "--period", "2025-Q3", "--as-of", "2025-12-31", "--out", xlsx).Exit.ShouldBe(0);
        Cli("export", "--db", db, "--period", "2025-Q3", "--as-of", "2025-12-31", "--format", "csv", "--out", csv).Exit.ShouldBe(0);

        var leads = Sheet(xlsx, "Leads");
        var company = Array.IndexOf(leads[0], "company");
        leads.Select(r => r[company]).Skip(1).ShouldBe(["'" + Company, "'-minus Ltd", "Plain"]);

        var bytes = File.ReadAllBytes(dir.File("inj-leads.csv"));
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var text = File.ReadAllText(dir.File("inj-leads.csv"));
        text.ShouldContain(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",");
        text.ShouldContain(",'-minus Ltd,");
        text.ShouldNotContain(",=HYPERLINK");
        var scorecard = File.ReadAllLines(dir.File("inj-scorecard.csv"));
        var head = scorecard[0].Split(',');
        var leadsRow = scorecard.Single(l => l.StartsWith("leads,", StringComparison.Ordinal)).Split(',');
        leadsRow[Array.IndexOf(head, "delta_previous")].ShouldBe("-3");
        File.Exists(dir.File("inj-report.csv")).ShouldBeTrue();
        File.Exists(dir.File("inj-funnel.csv")).ShouldBeTrue();
        File.Exists(dir.File("inj-deals.csv")).ShouldBeTrue();
    }

    [Fact]
    public void No_records_leaves_out_the_leads_and_deals_sheets()
    {
        var xlsx = dir.File("lean.xlsx");
        Cli("export", "--db", db, "--period", "2025-Q3", "--as-of", "2025-12-31", "--no-records", "--grain", "week", "--by", "owner", "--out", xlsx).Exit.ShouldBe(0);

        MiniExcelLibs.MiniExcel.GetSheetNames(xlsx).ShouldBe(["Scorecard", "KPIs by period", "By Owner", "Funnel"]);
        Sheet(xlsx, "By Owner").Skip(1).Select(r => r[0]).ShouldBe(["Anna", "Boris"], ignoreOrder: true);
    }

    [Fact]
    public void A_rejects_file_keeps_the_raw_record_for_reimport_formula_and_all()
    {
        var bad = dir.File("leads-bad.csv");
        File.WriteAllLines(bad, ["lead_id,created_at,channel,owner,company", "X1,not a date,web,Anna,=SUM(A1)", "X2,2025-10-01 10:00,web,Anna,ok"]);

        Cli("import", bad, "--db", db).Exit.ShouldBe(2);

        var rejects = Directory.GetFiles(dir.File("w-rejects"), "*leads-bad.rejects.csv").ShouldHaveSingleItem();
        File.ReadAllLines(rejects)[1].ShouldStartWith("X1,not a date,web,Anna,=SUM(A1),");
    }

    private CliRunner.Result Cli(params string[] args) => CliRunner.Run(dir.Path, args);

    private static List<object?[]> Sheet(string path, string name) =>
        [.. MiniExcelLibs.MiniExcel.Query(path, useHeaderRow: false, sheetName: name).Cast<IDictionary<string, object?>>().Select(r => r.Values.ToArray())];

    // The JSON rounds to ten decimals; the workbook keeps the engine's decimal.
    private static void SameNumber(object? cell, JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            cell.ShouldBeNull();
            return;
        }

        Math.Abs(cell.ShouldBeOfType<double>() - json.GetDouble()).ShouldBeLessThan(1e-6 * Math.Max(1, Math.Abs(json.GetDouble())));
    }
}
