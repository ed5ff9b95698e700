using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Import;

/// <summary>What a new user's first imports ran into: folders with extra files, file names, previews.</summary>
public sealed class ImportTrialTests : IDisposable
{
    private const string Profile = "files:\n  - match: pipeline*.csv\n    entity: deals\n    columns:\n      deal_id: id\n      created_at: opened\n      status: state\n";

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private ImportReport Import(Workspace ws, MappingProfile? profile, params string[] paths) =>
        new Importer(ws, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = paths.Select(dir.File).ToList(), Profile = profile });

    private void ExportFolder()
    {
        Directory.CreateDirectory(dir.File("export"));
        dir.Write("export/pipeline.csv", "id,opened,state\nD1,2025-01-01,open\nD2,2025-01-02,open\n");
        dir.Write("export/accounts.csv", "account,sector\nA1,retail\nA2,retail\nA3,tech\n");
    }

    [Fact]
    public void Files_of_a_folder_the_profile_does_not_map_are_skipped_and_not_counted()
    {
        ExportFolder();
        using var ws = Ws.Create(dir);

        var report = Import(ws, MappingProfile.Load(dir.Write("p.yaml", Profile)), "export");

        report.Files.Select(f => Path.GetFileName(f.Path)).ShouldBe(["pipeline.csv"]);
        report.Skipped.Select(s => Path.GetFileName(s.Path)).ShouldBe(["accounts.csv"]);
        (report.Read, report.Rejected, report.ExitCode).ShouldBe((2L, 0L, 0));
        Directory.Exists(dir.File("saleskpi-rejects")).ShouldBeFalse();
    }

    [Fact]
    public void A_file_named_on_its_own_that_the_profile_does_not_map_stays_rejected()
    {
        ExportFolder();
        using var ws = Ws.Create(dir);

        var report = Import(ws, MappingProfile.Load(dir.Write("p.yaml", Profile)), "export", "export/accounts.csv");

        report.Skipped.ShouldBeEmpty();
        var accounts = report.Files.Single(f => Path.GetFileName(f.Path) == "accounts.csv");
        accounts.Error!.Render(Language.En).ShouldContain("neither the name nor the header row places this file in profile");
        (accounts.Rejected, report.ExitCode).ShouldBe((3L, 2));
    }

    [Fact]
    public void The_cli_prints_one_line_per_skipped_file()
    {
        ExportFolder();
        dir.Write("p.yaml", Profile);
        CliRunner.Run(dir.Path, "init").Exit.ShouldBe(0);

        var r = CliRunner.Run(dir.Path, "import", "export", "--profile", "p.yaml");

        r.Exit.ShouldBe(0);
        r.Out.ShouldContain("skipped accounts.csv: the profile maps no entity to it");
        r.Out.ShouldContain("Total: read 2 = stored 2 + rejected 0");
    }

    [Theory]
    [InlineData("spend2.csv", "spend")]
    [InlineData("deals2025.csv", "deals")]
    [InlineData("deals_q1.csv", "deals")]
    [InlineData("deal_stages-2025.csv", "deal_stages")]
    [InlineData("leads.2025.csv", "leads")]
    [InlineData("leadsheet.csv", null)]
    [InlineData("spending.csv", null)]
    public void An_entity_name_followed_by_a_separator_or_a_digit_names_the_entity(string file, string? entity) =>
        EntityCatalog.FromFileName(file)?.Name.ShouldBe(entity);

    [Fact]
    public void A_name_that_is_no_entity_is_told_the_accepted_pattern()
    {
        using var ws = Ws.Create(dir);
        dir.Write("spending.csv", "date,amount\n2025-01-01,10\n");
        dir.Write("spend2.csv", "date,amount\n2025-01-01,10\n");

        var report = Import(ws, null, "spending.csv", "spend2.csv");

        report.Files[0].Error!.Render(Language.En).ShouldContain("call it leads.csv, customers.csv, deals.csv, deal_stages.csv, activities.csv, spend.csv, revenue.csv, nps.csv, or start it with one of these names followed by -, _, . or a digit (deals-2025.csv, deals_q1.csv, spend2.csv)");
        (report.Files[1].Error, report.Files[1].Stored).ShouldBe((null, 1L));
    }

    [Fact]
    public void A_dry_run_preview_prints_dates_in_iso_order()
    {
        dir.Write("spend.csv", "date,amount,channel\n2025-02-01,10,ads\n");
        CliRunner.Run(dir.Path, "init").Exit.ShouldBe(0);

        var r = CliRunner.Run(dir.Path, "import", "spend.csv", "--dry-run");

        r.Out.ShouldContain("2025-02-01");
        r.Out.ShouldNotContain("02/01/2025");
    }
}
