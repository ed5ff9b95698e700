using SalesKpi.Import;

namespace SalesKpi.Tests.Import;

/// <summary>Values with more digits than the workspace keeps are rejected on every path into it, never rounded.</summary>
public sealed class OverPreciseValueTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static string[] RejectLines(ImportReport r) => File.ReadAllLines(r.Files.Single().RejectsPath!);

    [Fact]
    public void Over_precise_money_and_quality_scores_in_canonical_csv_are_rejected_not_rounded()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at,quality_score\nL1,2025-01-01,1.00000000000000000000000000001\nL2,2025-01-01,0.00000000000000000000000000000000000000001\nL3,2025-01-01,12.5000000\nL4,2025-01-01,99.12345\n");
        dir.Write("deals.csv", "deal_id,created_at,status,closed_at,amount\nD1,2025-01-01,won,2025-02-01,1.00000000000000000000000000001\nD2,2025-01-01,won,2025-02-01,0.00000000000000000000000000000000000000001\nD3,2025-01-01,won,2025-02-01,100.50000\n");
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.csv"), dir.File("deals.csv")] });

        var leads = r.Files.Single(f => f.Entity == "leads");
        (leads.Read, leads.Stored, leads.Rejected).ShouldBe((4L, 1L, 3L));
        ws.Scalar("SELECT string_agg(lead_id || '=' || quality_score, ',') FROM leads").ShouldBe("L3=12.5");
        var leadRejects = File.ReadAllLines(leads.RejectsPath!);
        leadRejects.Length.ShouldBe(4);
        leadRejects.Skip(1).ShouldAllBe(l => l.Contains(",quality_score,") && l.Contains("at most 11 digits before and 4 after the decimal point"));

        var deals = r.Files.Single(f => f.Entity == "deals");
        (deals.Read, deals.Stored, deals.Rejected).ShouldBe((3L, 1L, 2L));
        ws.Scalar("SELECT amount FROM deals").ShouldBe(100.5m);
        File.ReadAllLines(deals.RejectsPath!).Skip(1).ShouldAllBe(l => l.Contains(",amount,") && l.Contains("at most 14 digits before and 4 after"));
    }

    [Fact]
    public void Over_precise_russian_numbers_through_a_profile_are_rejected_not_rounded()
    {
        using var ws = Ws.Create(dir);
        dir.Write("crm-deals.csv", "ID;Создана;Бюджет\n1;2025-09-01;1 234,5\n2;2025-09-01;1,00000000000000000000000000001\n3;2025-09-01;0,00001\n");
        var profile = MappingProfile.Load(dir.Write("p.yaml", "files:\n  - match: crm-*.csv\n    entity: deals\n    columns:\n      deal_id: ID\n      created_at: Создана\n      status: { const: open }\n      amount: Бюджет\n"));
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("crm-deals.csv")], Profile = profile });
        var f = r.Files.Single();
        (f.Read, f.Stored, f.Rejected).ShouldBe((3L, 1L, 2L));
        ws.Scalar("SELECT amount FROM deals").ShouldBe(1234.5m);
        var rejects = RejectLines(r);
        rejects[1].ShouldStartWith("2;");
        rejects[2].ShouldStartWith("3;");
        rejects.Skip(1).ShouldAllBe(l => l.Contains("out of range"));
    }

    [Fact]
    public void Tiny_and_huge_workbook_numbers_are_written_out_in_full_and_checked()
    {
        MiniExcelLibs.MiniExcel.SaveAs(dir.File("leads.xlsx"), new List<Dictionary<string, object?>>
        {
            new() { ["lead_id"] = "L1", ["created_at"] = new DateTime(2025, 9, 1), ["quality_score"] = 1e-41 },
            new() { ["lead_id"] = "L2", ["created_at"] = new DateTime(2025, 9, 1), ["quality_score"] = 0.00001 },
            new() { ["lead_id"] = "L3", ["created_at"] = new DateTime(2025, 9, 1), ["quality_score"] = 0.0005 },
            new() { ["lead_id"] = "L4", ["created_at"] = new DateTime(2025, 9, 1), ["quality_score"] = 1e20 },
        });
        using var ws = Ws.Create(dir);
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.xlsx")] });
        var f = r.Files.Single();
        (f.Read, f.Stored, f.Rejected).ShouldBe((4L, 1L, 3L));
        ws.Scalar("SELECT lead_id FROM leads").ShouldBe("L3");
        var rejects = RejectLines(r);
        rejects[1].ShouldContain("0.00000000000000000000000000000000000000001");
        rejects[1].ShouldContain("more digits than are kept");
        rejects[2].ShouldContain("0.00001");
        rejects[3].ShouldContain("100000000000000000000");
    }
}
