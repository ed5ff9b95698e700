namespace SalesKpi.Tests.Cli;

/// <summary>
/// Every write command refuses every broken target rule with the validator's <c>file:line:col CODE</c>
/// errors and stores nothing; the old bricking sequence is refused, and a workspace bricked by an older
/// build is repaired with <c>config apply</c>.
/// </summary>
public sealed class WritePathCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public WritePathCliTests()
    {
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        // Closed deals in four quarters of 2025, so targets suggest has history for win_rate.
        dir.Write("data/deals.csv", "deal_id,created_at,status,closed_at,amount,owner\n"
            + "D1,2025-01-02,won,2025-02-01,100,Ann\nD2,2025-01-02,lost,2025-02-01,,Bob\n"
            + "D3,2025-04-02,won,2025-05-01,100,Ann\nD4,2025-04-02,lost,2025-05-01,,Bob\nD5,2025-04-02,lost,2025-05-01,,Bob\n"
            + "D6,2025-07-02,won,2025-08-01,100,Ann\nD7,2025-07-02,won,2025-08-01,100,Bob\nD8,2025-07-02,lost,2025-08-01,,Bob\n"
            + "D9,2025-10-02,won,2025-11-01,100,Ann\nD10,2025-10-02,lost,2025-11-01,,Bob\n");
        InProcessCli.Run(dir.Path, "import", "data").Exit.ShouldBe(0);
        dir.Write("narrow.yaml", "kpis:\n  active: [leads, win_rate, nps]\n");
        Run("config", "apply", "narrow.yaml", "--reason", "narrow").Exit.ShouldBe(0);
    }

    public void Dispose() => dir.Dispose();

    private CliRunner.Result Run(params string[] args) => InProcessCli.Run(dir.Path, args);

    private int Versions()
    {
        using var ws = SalesKpi.Storage.Workspace.Open(dir.File("saleskpi.duckdb"));
        return SalesKpi.Metrics.KpiSystem.ConfigStore.Versions(ws).Count;
    }

    [Fact]
    public void Targets_set_refuses_every_broken_rule_and_stores_nothing()
    {
        var before = Versions();
        var cases = new (string[] Args, string Code)[]
        {
            (["win_rate", "2025-Q3", "0.3", "--tolerance", "500"], "KS140"),
            (["win_rate", "2025-Q3", "0.3", "--tolerance=-1"], "KS140"),
            (["win_rate", "2025-Q3", "130%"], "KS140"),
            (["leads", "2025-Q3", "-10"], "KS140"),
            (["nps", "2025-Q3", "101"], "KS140"),
            (["win_rat", "2025-Q3", "0.3"], "KS110"),
            (["cost_per_lead", "2025-Q3", "100"], "KS115"),
            (["win_rate", "2025-W30", "0.3"], "KS113"),
            (["win_rate", "2025-Q3", "0.3", "--slice", "campaign=x"], "KS141"),
        };
        foreach (var (args, code) in cases)
        {
            var r = Run(["targets", "set", .. args]);
            r.Exit.ShouldBe(1, string.Join(' ', args));
            r.Err.ShouldContain("nothing was stored", Case.Sensitive, string.Join(' ', args));
            r.Err.ShouldContain("targets set: " + code + " ", Case.Sensitive, string.Join(' ', args));
            r.Err.ShouldNotContain("version ", Case.Sensitive, string.Join(' ', args));
        }

        Versions().ShouldBe(before);
    }

    [Fact]
    public void Targets_import_reports_every_broken_rule_at_its_line_and_column()
    {
        dir.Write("t.csv", "kpi,period,value,tolerance,campaign\n"
            + "win_rate,2025-Q3,0.3,500,\nwin_rate,2025-Q3,0.3,-1,\nwin_rate,2025-Q3,130%,,\nleads,2025-Q3,-10,,\nnps,2025-Q3,101,,\n"
            + "win_rat,2025-Q3,0.3,,\ncost_per_lead,2025-Q3,100,,\nwin_rate,2025-W30,0.3,,\nwin_rate,2025-Q4,0.3,,x\n");
        var r = Run("targets", "import", "t.csv");
        r.Exit.ShouldBe(1);
        foreach (var expected in new[] { "t.csv:2:4: KS140", "t.csv:3:4: KS140", "t.csv:4:3: KS140", "t.csv:5:3: KS140", "t.csv:6:3: KS140", "t.csv:7:1: KS110", "t.csv:8:1: KS115", "t.csv:9:2: KS113", "t.csv:10:5: KS141" })
        {
            r.Err.ShouldContain(expected);
        }

        r.Err.ShouldContain("no target was stored");
        Run("targets", "list", "--no-check").Out.ShouldContain("No targets");
    }

    [Fact]
    public void Config_apply_reports_every_broken_rule_at_its_line_and_column()
    {
        dir.Write("bad.yaml", "kpis:\n  active: [leads, win_rate, nps]\ntargets:\n"
            + "  - { kpi: win_rate, period: 2025-Q3, value: 0.3, tolerance: 500 }\n"
            + "  - { kpi: win_rate, period: 2025-Q4, value: 0.3, tolerance: -1 }\n"
            + "  - { kpi: win_rate, period: 2025-Q2, value: 1.3 }\n"
            + "  - { kpi: leads, period: 2025-Q3, value: -10 }\n"
            + "  - { kpi: nps, period: 2025-Q3, value: 101 }\n"
            + "  - { kpi: win_rat, period: 2025-Q3, value: 0.3 }\n"
            + "  - { kpi: cost_per_lead, period: 2025-Q3, value: 100 }\n"
            + "  - { kpi: win_rate, period: 2025-W30, value: 0.3 }\n"
            + "  - { kpi: win_rate, period: 2025-Q1, value: 0.3, slice: { campaign: x } }\n");
        var r = Run("config", "apply", "bad.yaml", "--reason", "try");
        r.Exit.ShouldBe(1);
        foreach (var expected in new[] { "bad.yaml:4:62: KS140", "bad.yaml:5:62: KS140", "bad.yaml:6:46: KS140", "bad.yaml:7:43: KS140", "bad.yaml:8:41: KS140", "bad.yaml:9:12: KS110", "bad.yaml:10:12: KS115", "bad.yaml:11:30: KS113", "bad.yaml:12:60: KS141" })
        {
            r.Err.ShouldContain(expected);
        }

        r.Err.ShouldContain("nothing was changed");
        Run("config", "log").Out.ShouldNotContain("try");
    }

    [Fact]
    public void The_bricking_sequence_is_refused_and_reports_keep_working()
    {
        var before = Versions();
        var r = Run("targets", "suggest", "win_rate", "--period", "2026-Q1", "--apply", "--tolerance", "500", "--reason", "x");
        r.Exit.ShouldBe(1, r.Out + r.Err);
        r.Err.ShouldContain("targets suggest: KS140 tolerance is a percentage from 0 to 100, not 500");
        Versions().ShouldBe(before);
        Run("scorecard", "--period", "2025-Q4").Exit.ShouldBe(0);
        Run("config", "show").Exit.ShouldBe(0);

        var ok = Run("targets", "suggest", "win_rate", "--period", "2026-Q1", "--apply", "--tolerance", "50", "--reason", "x");
        ok.Exit.ShouldBe(0, ok.Err);
        Versions().ShouldBe(before + 1);
    }

    [Fact]
    public void A_workspace_bricked_by_an_older_build_explains_itself_and_is_repaired_by_config_apply()
    {
        var good = Run("config", "show").Out;
        using (var ws = SalesKpi.Storage.Workspace.Open(dir.File("saleskpi.duckdb")))
        {
            var number = SalesKpi.Metrics.KpiSystem.ConfigStore.Latest(ws)!.Number + 1;
            BrickedWorkspaceCli.Store(ws, number, good.Replace("targets: []", "targets:\n  - { kpi: win_rate, period: \"2026-Q1\", value: 0.3, tolerance: 500 }", StringComparison.Ordinal));
        }

        foreach (var command in new[] { "report", "scorecard" })
        {
            var r = Run(command, "--period", "2025-Q4");
            r.Exit.ShouldBe(1, command);
            r.Err.ShouldContain("cannot be read", Case.Sensitive, command);
            r.Err.ShouldContain("KS140", Case.Sensitive, command);
            r.Err.ShouldContain("saleskpi config apply FILE", Case.Sensitive, command);
        }

        var show = Run("config", "show");
        show.Exit.ShouldBe(1);
        show.Out.ShouldContain("tolerance: 500");
        show.Err.ShouldMatch(@"version \d+:\d+:\d+: KS140");
        show.Err.ShouldContain("saleskpi config apply FILE");

        dir.Write("fixed.yaml", good);
        var repair = Run("config", "apply", "fixed.yaml", "--reason", "repair", "--effective", "2026-01-15");
        repair.Exit.ShouldBe(0, repair.Err);
        Run("report", "--period", "2025-Q4", "--kpi", "win_rate").Exit.ShouldBe(0);
        Run("config", "show").Exit.ShouldBe(0);
    }
}

/// <summary>Writes a version row as SalesKpi did before every write was validated.</summary>
internal static class BrickedWorkspaceCli
{
    public static void Store(SalesKpi.Storage.Workspace ws, int number, string document) =>
        ws.Execute(
            "INSERT INTO kpi_config_versions VALUES ($1, $2, $3, $4, $5, $6)",
            number,
            new DateTime(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc),
            new DateOnly(2026, 1, 15),
            "old build",
            "targets suggest win_rate --apply --tolerance 500",
            document);
}
