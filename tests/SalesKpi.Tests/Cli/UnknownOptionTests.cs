using SalesKpi.Storage;

namespace SalesKpi.Tests.Cli;

public sealed class UnknownOptionTests : IDisposable
{
    private readonly TempDir dir = new();

    public UnknownOptionTests()
    {
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-03-01\nL2,2026-03-01\n");
    }

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("--stirct", "--strict")]
    [InlineData("--dryrun", "--dry-run")]
    [InlineData("--profil", "--profile")]
    public void A_mistyped_import_option_stores_nothing_and_names_the_option_meant(string typo, string meant)
    {
        foreach (var args in new[] { new[] { "import", "leads.csv", typo }, ["import", typo, "leads.csv"] })
        {
            var r = InProcessCli.Run(dir.Path, args);
            r.Exit.ShouldBe(1, r.Out + r.Err);
            r.Err.ShouldContain($"Unknown option '{typo}' for 'import': did you mean '{meant}'?");
        }

        using var ws = Workspace.Open(dir.Db);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(0);
    }

    [Fact]
    public void A_mistyped_report_option_prints_no_report_in_either_language()
    {
        var en = InProcessCli.Run(dir.Path, "report", "--perod", "2025");
        en.Exit.ShouldBe(1);
        en.Out.ShouldBeEmpty();
        en.Err.ShouldContain("Unknown option '--perod' for 'report': did you mean '--period'? Nothing was done.");

        var ru = InProcessCli.Run(dir.Path, "report", "--perod", "2025", "--lang", "ru");
        ru.Exit.ShouldBe(1);
        ru.Err.ShouldContain("Неизвестный параметр «--perod» команды «report»: может быть, «--period»?");
    }

    [Fact]
    public void A_nested_command_suggests_its_own_option_and_check_keeps_its_error_code()
    {
        var set = InProcessCli.Run(dir.Path, "targets", "set", "win_rate", "2026-Q1", "30%", "--tolerence", "5");
        set.Exit.ShouldBe(1);
        set.Err.ShouldContain("Unknown option '--tolerence' for 'targets set': did you mean '--tolerance'?");

        var check = InProcessCli.Run(dir.Path, "check", "--perod", "2026-Q1");
        check.Exit.ShouldBe(3);
        check.Err.ShouldContain("did you mean '--period'?");
    }

    [Fact]
    public void An_option_far_from_every_valid_one_points_to_the_help()
    {
        var r = InProcessCli.Run(dir.Path, "status", "--colour", "red");
        r.Exit.ShouldBe(1);
        r.Err.ShouldContain("Unknown option '--colour' for 'status': nothing was done; see 'saleskpi status --help'.");
    }
}
