using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Import;

/// <summary>Rejects and warnings files belong to one workspace and never replace a file that exists.</summary>
public sealed class RejectsFileNameTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private Workspace Create(string name) =>
        Workspace.Create(dir.File(name), new WorkspaceSettings("UTC", "RUB"), FixedClock.At("2026-01-01T00:00:00Z"));

    private ImportReport Import(Workspace ws, string file) =>
        new Importer(ws, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = [dir.File(file)] });

    [Fact]
    public void Two_workspaces_in_one_folder_keep_their_own_rejects_files()
    {
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,bad-for-sales\n");
        using var sales = Create("sales.duckdb");
        var salesRejects = Import(sales, "leads.csv").Files.Single().RejectsPath!;

        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,bad-for-other\n");
        using var other = Create("other.duckdb");
        var otherRejects = Import(other, "leads.csv").Files.Single().RejectsPath!;

        salesRejects.ShouldBe(Path.Combine(dir.Path, "sales-rejects", "import-1-leads.rejects.csv"));
        otherRejects.ShouldBe(Path.Combine(dir.Path, "other-rejects", "import-1-leads.rejects.csv"));
        File.ReadAllText(salesRejects).ShouldContain("bad-for-sales");
        File.ReadAllText(otherRejects).ShouldContain("bad-for-other");
    }

    [Fact]
    public void An_existing_rejects_file_is_never_overwritten()
    {
        // A workspace made again from scratch counts imports from 1 and meets the old files.
        var folder = Directory.CreateDirectory(dir.File("sales-rejects")).FullName;
        File.WriteAllText(Path.Combine(folder, "import-1-leads.rejects.csv"), "the user's corrections");
        File.WriteAllText(Path.Combine(folder, "import-1-warnings.csv"), "older warnings");
        dir.Write("leads.csv", "lead_id,created_at,qualified_at\nL1,2025-01-02,2025-01-01\nL2,bad\n");
        using var sales = Create("sales.duckdb");

        var report = Import(sales, "leads.csv");

        File.ReadAllText(Path.Combine(folder, "import-1-leads.rejects.csv")).ShouldBe("the user's corrections");
        File.ReadAllText(Path.Combine(folder, "import-1-warnings.csv")).ShouldBe("older warnings");
        report.Files.Single().RejectsPath.ShouldBe(Path.Combine(folder, "import-1-leads-2.rejects.csv"));
        report.WarningsPath.ShouldBe(Path.Combine(folder, "import-1-warnings-2.csv"));
        File.ReadAllText(report.Files.Single().RejectsPath!).ShouldContain("L2,bad");
        File.ReadAllText(report.WarningsPath!).ShouldContain("qualified_at");
    }

    [Fact]
    public void Two_inputs_with_one_name_get_two_rejects_files()
    {
        Directory.CreateDirectory(dir.File("a"));
        Directory.CreateDirectory(dir.File("b"));
        dir.Write("a/leads.csv", "lead_id,created_at\nL1,bad-a\n");
        dir.Write("b/leads.csv", "lead_id,created_at\nL2,bad-b\n");
        using var sales = Create("sales.duckdb");

        var files = new Importer(sales, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = [dir.File("a/leads.csv"), dir.File("b/leads.csv")] }).Files;

        files.Select(f => Path.GetFileName(f.RejectsPath)).ShouldBe(["import-1-leads.rejects.csv", "import-1-leads-2.rejects.csv"]);
        File.ReadAllText(files[1].RejectsPath!).ShouldContain("bad-b");
    }
}
