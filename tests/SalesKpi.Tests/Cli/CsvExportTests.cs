using System.Text.Json;
using SalesKpi.Import;

namespace SalesKpi.Tests.Cli;

/// <summary>CSV meant for people: slices are not dropped, and no text cell can run as a spreadsheet formula.</summary>
public sealed class CsvExportTests : IDisposable
{
    private readonly TempDir dir = new();

    public CsvExportTests()
    {
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        dir.Write("data/leads.csv", "lead_id,created_at,channel,qualified_at\nL1,2025-07-01,ads,2025-07-02\nL2,2025-07-02,ads,2025-07-03\nL3,2025-07-03,referral,2025-07-04\n");
        dir.Write("data/deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id\nD1,2025-07-05,won,2025-08-01,1000,L1\nD2,2025-07-06,lost,2025-08-02,,L2\nD3,2025-07-07,open,,,L3\n");
        dir.Write("data/deal_stages.csv", "deal_id,stage,entered_at\nD1,qualification,2025-07-05\nD1,=proposal(),2025-07-10\nD2,qualification,2025-07-06\nD2,=proposal(),2025-07-12\nD3,qualification,2025-07-07\n");
        dir.Write("data/customers.csv", "customer_id,acquired_at\nC1,2025-01-01\n");
        dir.Write("data/nps.csv", "response_id,responded_at,score,customer_id\nN1,2025-07-20,2,C1\nN2,2025-07-21,5,C1\n");
        var import = InProcessCli.Run(dir.Path, "import", "data");
        import.Exit.ShouldBe(0, import.Out + import.Err);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Funnel_csv_lists_the_total_and_every_slice_of_by()
    {
        var json = InProcessCli.Run(dir.Path, "funnel", "--period", "2025-Q3", "--by", "channel", "--as-of", "2025-12-31", "--format", "json");
        json.Exit.ShouldBe(0, json.Err);
        using var doc = JsonDocument.Parse(json.Out);
        var steps = doc.RootElement.GetProperty("steps").GetArrayLength();
        var slices = doc.RootElement.GetProperty("slices").EnumerateArray().ToDictionary(s => s.GetProperty("value").GetString()!, s => s.GetProperty("steps").EnumerateArray().ToList());
        slices.Keys.Order(StringComparer.Ordinal).ShouldBe(["ads", "referral"]);

        var csv = Rows(InProcessCli.Run(dir.Path, "funnel", "--period", "2025-Q3", "--by", "channel", "--as-of", "2025-12-31", "--format", "csv").Out);
        csv[0][..4].ShouldBe(["slice", "section", "step", "count"]);
        var body = csv.Skip(1).ToList();
        body.Count(r => r[0].Length == 0).ShouldBe(steps);
        foreach (var (value, sliceSteps) in slices)
        {
            var rows = body.Where(r => r[0] == "channel=" + value).ToList();
            rows.Count.ShouldBe(sliceSteps.Count);
            rows.Select(r => long.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(sliceSteps.Select(s => s.GetProperty("count").GetInt64()));
        }

        body.Single(r => r[0] == "channel=ads" && r[2] == "leads")[3].ShouldBe("2");
    }

    [Fact]
    public void Text_cells_that_would_start_a_formula_get_a_quote_and_numbers_stay_numbers()
    {
        var funnel = InProcessCli.Run(dir.Path, "funnel", "--period", "2025-Q3", "--by", "channel", "--as-of", "2025-12-31", "--format", "csv");
        funnel.Exit.ShouldBe(0, funnel.Err);
        var rows = Rows(funnel.Out);
        rows.Count(r => r[2] == "'=proposal()").ShouldBe(3, "the total and the two slices");
        rows.SelectMany(r => r).ShouldAllBe(c => c.Length == 0 || "=+-@\t\r".IndexOf(c[0]) < 0);

        // JSON is for programs and keeps the name as it is.
        InProcessCli.Run(dir.Path, "funnel", "--period", "2025-Q3", "--as-of", "2025-12-31", "--format", "json").Out.ShouldContain("\"=proposal()\"");

        // NPS of two detractors is -100: a number cell, written as a number.
        var report = Rows(InProcessCli.Run(dir.Path, "report", "--period", "2025-Q3", "--kpi", "nps", "--as-of", "2025-12-31", "--format", "csv").Out);
        report[1][0].ShouldBe("nps");
        report[1][5].ShouldBe("-100");
    }

    private static List<string[]> Rows(string csv)
    {
        var reader = new CsvRecordReader(new StringReader(csv));
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString())]);
        }

        return rows;
    }
}
