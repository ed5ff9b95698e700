using System.Diagnostics;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Cli;

/// <summary>
/// The command line end to end. Most run in-process (<see cref="InProcessCli"/>); the real process is kept
/// where the process itself is the subject: its version, the exit codes a shell sees on a smoke run, and a
/// kill before the commit.
/// </summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private CliRunner.Result Run(params string[] args) => InProcessCli.Run(dir.Path, args);

    private CliRunner.Result Process(params string[] args) => CliRunner.Run(dir.Path, args);

    [Theory]
    [InlineData("init", "--timezone")]
    [InlineData("import", "--strict")]
    [InlineData("status", "--db")]
    public void Every_command_has_help_with_examples(string command, string option)
    {
        var r = Run(command, "--help");
        r.Exit.ShouldBe(0);
        r.Out.ShouldContain("EXAMPLES:");
        r.Out.ShouldContain("saleskpi " + command);
        r.Out.ShouldContain(option);
    }

    [Fact]
    public void Version_prints_the_product_version()
    {
        var r = Process("--version");
        r.Exit.ShouldBe(0);
        r.Out.Trim().ShouldBe("0.1.0");
    }

    [Fact]
    public void Init_import_status_run_end_to_end_with_documented_exit_codes()
    {
        Process("init", "--timezone", "Europe/Moscow", "--currency", "EUR").Exit.ShouldBe(0);
        File.Exists(dir.Db).ShouldBeTrue();

        dir.Write("good/leads.csv", "lead_id,created_at,channel\nL1,2025-01-05 10:00,ads\nL2,2025-02-01,referral\n");
        var ok = Process("import", "good");
        ok.Exit.ShouldBe(0);
        ok.Out.ShouldContain("leads.csv → leads: read 2 = stored 2 + rejected 0");

        dir.Write("bad/deals.csv", "deal_id,created_at,status,closed_at,amount\nD1,2025-01-10,won,2025-02-01,10\nD2,2025-01-10,won,,\n");
        var partial = Process("import", "bad");
        partial.Exit.ShouldBe(2);
        partial.Out.ShouldContain("read 2 = stored 1 + rejected 1");
        partial.Out.ShouldContain("import-2-deals.rejects.csv");
        File.Exists(Path.Combine(dir.Path, "saleskpi-rejects", "import-2-deals.rejects.csv")).ShouldBeTrue();

        dir.Write("worse/leads.csv", "lead_id,created_at\nL9,never\n");
        Process("import", "worse").Exit.ShouldBe(1);

        var status = Process("status");
        status.Exit.ShouldBe(0);
        status.Out.ShouldContain("time zone Europe/Moscow, currency EUR");
        status.Out.ShouldMatch(@"leads\s+│\s+2\s+│ 2025-01-05 10:00 │ 2025-02-01 00:00");
        status.Out.ShouldMatch(@"deals\s+│\s+1\s+│");
        status.Out.ShouldContain("Last imports");
    }

    [Fact]
    public void Strict_import_exits_1_and_stores_nothing()
    {
        Run("init").Exit.ShouldBe(0);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,bad\n");
        var r = Run("import", "leads.csv", "--strict");
        r.Exit.ShouldBe(1);
        r.Out.ShouldContain("nothing was stored");
        using var ws = Workspace.Open(dir.Db);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(0);
    }

    [Fact]
    public void Errors_are_one_sentence_without_a_stack_trace_unless_verbose()
    {
        var r = Run("status", "--db", "missing.duckdb");
        r.Exit.ShouldBe(1);
        r.Err.ShouldStartWith("error: No workspace at");
        r.Err.ShouldContain("saleskpi init");
        r.Err.ShouldNotContain("   at ");

        var verbose = Run("status", "--db", "missing.duckdb", "--verbose");
        verbose.Err.ShouldContain("   at ");
    }

    [Fact]
    public void Unknown_options_point_to_help()
    {
        var r = Run("import", "--frobnicate");
        r.Exit.ShouldBe(1);
        r.Err.ShouldContain("Unknown option '--frobnicate' for 'import': nothing was done; see 'saleskpi import --help'.");
    }

    [Fact]
    public void Workspace_path_comes_from_SALESKPI_DB_when_db_is_not_given()
    {
        var env = new Dictionary<string, string> { ["SALESKPI_DB"] = dir.File("from-env.duckdb") };
        InProcessCli.Run(dir.Path, env, "init").Exit.ShouldBe(0);
        File.Exists(dir.File("from-env.duckdb")).ShouldBeTrue();
        File.Exists(dir.Db).ShouldBeFalse();
        InProcessCli.Run(dir.Path, env, "status").Out.ShouldContain("from-env.duckdb");
    }

    [Fact]
    public void Russian_output_with_lang_ru()
    {
        Run("init", "--lang", "ru").Out.ShouldContain("Создана рабочая область");
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,плохо\n");
        var r = Run("import", "leads.csv", "--lang", "ru");
        r.Exit.ShouldBe(2);
        r.Out.ShouldContain("прочитано 2 = сохранено 1 + отклонено 1");
        File.ReadAllText(Path.Combine(dir.Path, "saleskpi-rejects", "import-1-leads.rejects.csv")).ShouldContain("не метка времени");
        Run("import", "--help", "--lang", "ru").Out.ShouldContain("Ничего не сохранять");
    }

    [Fact]
    public void Killing_an_import_before_commit_leaves_the_workspace_as_it_was()
    {
        Run("init").Exit.ShouldBe(0);
        dir.Write("first/leads.csv", "lead_id,created_at,channel\nL1,2025-01-01,ads\n");
        Run("import", "first").Exit.ShouldBe(0);

        var rows = string.Concat(Enumerable.Range(2, 50_000).Select(i => $"L{i},2025-01-02,referral\n"));
        dir.Write("second/leads.csv", "lead_id,created_at,channel\nL1,2025-01-01,changed\n" + rows);
        var env = new Dictionary<string, string> { ["SALESKPI_FAULT"] = "pause-before-commit" };
        using (var p = System.Diagnostics.Process.Start(CliRunner.StartInfo(dir.Path, env, "import", "second"))!)
        {
            // The marker is printed after every row is staged and upserted, just before COMMIT; on a slow
            // machine progress lines ("… leads.csv: 100% of bytes") may come first.
            var line = p.StandardError.ReadLine();
            while (line is not null && line.StartsWith('…'))
            {
                line = p.StandardError.ReadLine();
            }

            line.ShouldBe("fault: paused before commit");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        using var ws = Workspace.Open(dir.Db);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(1);
        ws.Scalar("SELECT channel FROM leads").ShouldBe("ads");
        ws.Count("SELECT count(*) FROM imports").ShouldBe(1);
        ws.Count("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '\\_%' ESCAPE '\\'").ShouldBe(0);
    }
}
