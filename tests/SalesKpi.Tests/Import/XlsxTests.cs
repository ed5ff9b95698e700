using SalesKpi.Core;
using MiniExcelLibs;
using SalesKpi.Import;

namespace SalesKpi.Tests.Import;

public sealed class XlsxTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_canonical_workbook_imports_with_sheet_row_numbers_in_the_rejects()
    {
        MiniExcel.SaveAs(dir.File("leads.xlsx"), new List<Dictionary<string, object?>>
        {
            new() { ["lead_id"] = "L1", ["created_at"] = new DateTime(2025, 9, 1, 10, 30, 0), ["channel"] = "ads", ["company_size"] = 120 },
            new() { ["lead_id"] = "L2", ["created_at"] = "not a date", ["channel"] = "seo", ["company_size"] = 5 },
            new() { ["lead_id"] = "L3", ["created_at"] = new DateTime(2025, 9, 2), ["channel"] = null, ["company_size"] = null },
        });
        using var ws = Ws.Create(dir);
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.xlsx")] });
        var f = r.Files.Single();
        (f.Entity, f.Read, f.Stored, f.Rejected).ShouldBe(("leads", 3L, 2L, 1L));
        ws.Scalar("SELECT created_at FROM leads WHERE lead_id = 'L1'").ShouldBe(new DateTime(2025, 9, 1, 10, 30, 0));
        ws.Scalar("SELECT company_size FROM leads WHERE lead_id = 'L1'").ShouldBe(120L);
        var rejects = File.ReadAllLines(f.RejectsPath!);
        rejects[0].ShouldBe("lead_id,created_at,channel,company_size,_reject_line,_reject_column,_reject_reason");
        rejects[1].ShouldStartWith("L2,not a date,seo,5,3,created_at,");
    }

    [Fact]
    public void A_named_sheet_is_read_through_a_profile_and_a_missing_one_is_named()
    {
        MiniExcel.SaveAs(dir.File("crm-export.xlsx"), new Dictionary<string, object>
        {
            ["Contacts"] = new List<Dictionary<string, object?>> { new() { ["Name"] = "Ann" } },
            ["Deals"] = new List<Dictionary<string, object?>>
            {
                new() { ["Id"] = 1, ["Opened"] = new DateTime(2025, 9, 1), ["Stage"] = "Won", ["Closed"] = new DateTime(2025, 9, 20), ["Value"] = 1500.5 },
                new() { ["Id"] = 2, ["Opened"] = new DateTime(2025, 9, 3), ["Stage"] = "Talks", ["Closed"] = null, ["Value"] = null },
            },
        });
        string Profile(string sheet) => dir.Write("p.yaml", $"files:\n  - match: crm-export.xlsx\n    entity: deals\n    sheet: {sheet}\n    columns:\n      deal_id: {{ concat: [\"X-\", \"$Id\"] }}\n      created_at: Opened\n      closed_at: Closed\n      status: {{ source: Stage, map: {{ Won: won }}, default: open }}\n      amount: Value\n");
        using var ws = Ws.Create(dir);
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("crm-export.xlsx")], Profile = MappingProfile.Load(Profile("Deals")) });
        r.Rejected.ShouldBe(0, string.Join("; ", r.Files.Select(x => x.Error)));
        ws.Scalar("SELECT amount FROM deals WHERE deal_id = 'X-1'").ShouldBe(1500.5m);
        ws.Scalar("SELECT status FROM deals WHERE deal_id = 'X-2'").ShouldBe("open");

        var missing = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("crm-export.xlsx")], Profile = MappingProfile.Load(Profile("Sales")) });
        missing.Files.Single().Error!.Render(Language.En).ShouldContain("no sheet 'Sales' (its sheets: Contacts, Deals)");
    }

    [Theory]
    [InlineData("empty", "the file is empty")]
    [InlineData("garbage", "is not an .xlsx workbook")]
    [InlineData("csv", "is not an .xlsx workbook")]
    [InlineData("zip-without-sheet", "damaged or has no worksheet")]
    [InlineData("cut-workbook", "damaged or has no worksheet")]
    public void A_broken_workbook_is_rejected_alone_and_the_other_files_are_stored(string kind, string reason)
    {
        var folder = Path.Combine(dir.Path, "in");
        dir.Write("in/leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,2025-01-02\n");
        var deals = Path.Combine(folder, "deals.xlsx");
        switch (kind)
        {
            case "empty":
                File.WriteAllBytes(deals, []);
                break;
            case "garbage":
                File.WriteAllBytes(deals, [.. Enumerable.Range(0, 3000).Select(i => (byte)((i * 131) + 7))]);
                break;
            case "csv":
                File.WriteAllText(deals, "deal_id,created_at,status\nD1,2025-01-01,open\n");
                break;
            case "zip-without-sheet":
                using (var zip = System.IO.Compression.ZipFile.Open(deals, System.IO.Compression.ZipArchiveMode.Create))
                {
                    using var w = new StreamWriter(zip.CreateEntry("readme.txt").Open());
                    w.Write("not a workbook");
                }

                break;
            default:
                MiniExcel.SaveAs(deals, new List<Dictionary<string, object?>> { new() { ["deal_id"] = "D1", ["created_at"] = new DateTime(2025, 1, 1), ["status"] = "open" } });
                var bytes = File.ReadAllBytes(deals);
                File.WriteAllBytes(deals, bytes[..(bytes.Length / 2)]);
                break;
        }

        using var ws = Ws.Create(dir);
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [folder] });

        r.Files.Single(f => f.Entity == "leads").Stored.ShouldBe(2);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(2);
        var bad = r.Files.Single(f => f.Path == deals);
        bad.Error.ShouldNotBeNull();
        bad.Error!.Render(Language.En).ShouldContain(reason);
        bad.Stored.ShouldBe(0);
        ws.Count("SELECT count(*) FROM deals").ShouldBe(0);
        r.ExitCode.ShouldBe(2);
    }
}
