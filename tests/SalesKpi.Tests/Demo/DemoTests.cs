using SalesKpi.Demo;
using SalesKpi.Import;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Demo;

public sealed class DemoGeneratorTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private Workspace Imported(string folder, out ImportReport report)
    {
        var ws = Workspace.Create(dir.File(folder + ".duckdb"), new SalesKpi.Core.WorkspaceSettings("Europe/Moscow", "RUB"), FixedClock.At("2026-11-27T09:00:00Z"));
        report = new Importer(ws, FixedClock.At("2026-11-27T09:00:00Z")).Run(new ImportOptions { Paths = [dir.File(folder)] });
        return ws;
    }

    [Fact]
    public void The_same_seed_gives_identical_files_and_another_seed_other_data()
    {
        DemoGenerator.Write(dir.File("a"), new DemoOptions { Leads = 3000, Seed = 7, Now = Now });
        DemoGenerator.Write(dir.File("b"), new DemoOptions { Leads = 3000, Seed = 7, Now = Now });
        DemoGenerator.Write(dir.File("c"), new DemoOptions { Leads = 3000, Seed = 8, Now = Now });
        foreach (var file in Directory.GetFiles(dir.File("a")).Select(Path.GetFileName))
        {
            File.ReadAllBytes(dir.File("b/" + file)).ShouldBe(File.ReadAllBytes(dir.File("a/" + file)), file);
        }

        File.ReadAllText(dir.File("c/leads-1.csv")).ShouldNotBe(File.ReadAllText(dir.File("a/leads-1.csv")));
    }

    [Fact]
    public void Clean_demo_data_imports_without_a_single_rejected_row_and_ends_at_now()
    {
        var summary = DemoGenerator.Write(dir.File("d"), new DemoOptions { Leads = 5000, Now = Now });
        summary.Rows["leads.csv"].ShouldBe(5000);
        summary.Start.ShouldBe(new DateTime(2024, 7, 1));
        using var ws = Imported("d", out var report);
        report.Rejected.ShouldBe(0);
        report.Stored.ShouldBe(summary.Rows.Values.Sum());
        var deals = ws.Count("SELECT count(*) FROM deals");
        deals.ShouldBeInRange(500, 1500);
        ws.Count("SELECT count(*) FROM deals WHERE lead_id IS NULL").ShouldBeGreaterThan(0);
        ws.Count("SELECT count(*) FROM customers WHERE acquired_at < TIMESTAMP '2024-06-30 21:00:00'").ShouldBeGreaterThan(0);
        ws.Count("SELECT count(*) FROM customers WHERE churned_at IS NOT NULL").ShouldBeGreaterThan(0);
        ws.Count("SELECT count(*) FROM revenue WHERE amount < 0").ShouldBeGreaterThan(0);
        ws.Count("SELECT count(DISTINCT channel) FROM leads").ShouldBe(6);
        ws.Count("SELECT count(DISTINCT owner) FROM deals").ShouldBe(6);
        // Moscow "now" is 09:00 UTC: nothing may be dated later.
        foreach (var (table, column) in new[] { ("leads", "created_at"), ("leads", "qualified_at"), ("deals", "closed_at"), ("activities", "occurred_at"), ("customers", "churned_at"), ("nps", "responded_at") })
        {
            ws.Count($"SELECT count(*) FROM {table} WHERE {column} > TIMESTAMP '2026-11-27 09:00:00'").ShouldBe(0, $"{table}.{column}");
        }
    }

    [Fact]
    public void The_proposal_stage_is_the_planted_bottleneck()
    {
        DemoGenerator.Write(dir.File("e"), new DemoOptions { Leads = 20000, Now = Now });
        using var ws = Imported("e", out _);
        ws.Scalar("SELECT stage FROM deals WHERE status = 'lost' GROUP BY stage ORDER BY count(*) DESC LIMIT 1").ShouldBe("proposal");
        ws.Scalar("SELECT stage FROM deal_stages GROUP BY stage ORDER BY count(*) DESC LIMIT 1").ShouldBe("qualification");
    }

    [Fact]
    public void Autumn_brings_more_leads_than_summer()
    {
        DemoGenerator.Write(dir.File("f"), new DemoOptions { Leads = 20000, Now = Now });
        using var ws = Imported("f", out _);
        var summer = ws.Count("SELECT count(*) FROM leads WHERE month(created_at) IN (7, 8) AND year(created_at) = 2025");
        var autumn = ws.Count("SELECT count(*) FROM leads WHERE month(created_at) IN (9, 10) AND year(created_at) = 2025");
        autumn.ShouldBeGreaterThan(summer * 13 / 10);
    }

    [Fact]
    public void Dirty_data_brings_rejected_rows_of_several_kinds()
    {
        DemoGenerator.Write(dir.File("g"), new DemoOptions { Leads = 20000, Now = Now, Dirty = true });
        using var ws = Imported("g", out var report);
        report.Rejected.ShouldBeGreaterThan(50);
        var reasons = report.Files.Where(f => f.RejectsPath is not null).SelectMany(f => File.ReadAllLines(f.RejectsPath!).Skip(1)).ToList();
        reasons.ShouldContain(l => l.Contains("is not a timestamp", StringComparison.Ordinal));
        reasons.ShouldContain(l => l.Contains("is required but empty", StringComparison.Ordinal));
        reasons.ShouldContain(l => l.Contains("amount is required when status is won", StringComparison.Ordinal));
        reasons.ShouldContain(l => l.Contains("is not one of: open, won, lost", StringComparison.Ordinal));
    }
}

public sealed class DemoCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Demo_builds_a_workspace_prints_the_scorecard_and_next_commands_and_can_run_again()
    {
        var r = CliRunner.Run(dir.Path, "demo", "--leads", "3000");
        r.Exit.ShouldBe(0, r.Err);
        r.Out.ShouldContain("Generated");
        r.Out.ShouldContain("Scorecard:");
        r.Out.ShouldContain("Win rate");
        r.Out.ShouldContain("Next, try:");
        // Each suggestion runs as printed: here the test host ran the assembly, so the prefix is "dotnet …/saleskpi.dll".
        var explain = r.Out.Split('\n').Select(l => l.Trim()).Single(l => l.Contains(" explain win_rate --db saleskpi-demo.duckdb", StringComparison.Ordinal));
        explain.ShouldStartWith("dotnet " + CliRunner.Dll + " explain");
        var shell = new System.Diagnostics.ProcessStartInfo("/bin/sh") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        shell.ArgumentList.Add("-c");
        shell.ArgumentList.Add(explain[..explain.IndexOf("  #", StringComparison.Ordinal)]);
        shell.Environment.Remove("SALESKPI_DB");
        shell.Environment["SALESKPI_JIT_PROFILE"] = "off";
        using (var p = System.Diagnostics.Process.Start(shell)!)
        {
            var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            p.ExitCode.ShouldBe(0, text);
        }

        File.Exists(dir.File("saleskpi-demo.duckdb")).ShouldBeTrue();

        var funnel = CliRunner.Run(dir.Path, "funnel", "--db", "saleskpi-demo.duckdb", "--period", "2025", "--format", "json");
        funnel.Exit.ShouldBe(0, funnel.Err);
        using (var doc = System.Text.Json.JsonDocument.Parse(funnel.Out))
        {
            doc.RootElement.GetProperty("stages").GetArrayLength().ShouldBe(4);
            doc.RootElement.GetProperty("steps").EnumerateArray().Select(e => e.GetProperty("step").GetString()).ShouldBe(["leads", "sql", "opportunity", "deals", "qualification", "discovery", "proposal", "negotiation", "won"]);
        }

        CliRunner.Run(dir.Path, "funnel", "--db", "saleskpi-demo.duckdb", "--period", "2025").Out.ShouldContain("Reached each step");

        var simulate = CliRunner.Run(dir.Path, "simulate", "--db", "saleskpi-demo.duckdb", "--period", "next", "--set", "leads=+10%", "--runs", "300");
        simulate.Exit.ShouldBe(0, simulate.Err);
        simulate.Out.ShouldContain("Revenue gain:");
        CliRunner.Run(dir.Path, "calibrate", "--db", "saleskpi-demo.duckdb", "--period", "2025").Out.ShouldContain("decision_maker_title");
        CliRunner.Run(dir.Path, "survival", "--db", "saleskpi-demo.duckdb", "--period", "2025").Out.ShouldContain("Kaplan");
        CliRunner.Run(dir.Path, "velocity", "--db", "saleskpi-demo.duckdb", "--period", "2025-Q3", "--compare", "year").Exit.ShouldBe(0);

        var diagnose = CliRunner.Run(dir.Path, "diagnose", "--db", "saleskpi-demo.duckdb", "--compare", "year", "--format", "json");
        diagnose.Exit.ShouldBe(0, diagnose.Err);
        using (var doc = System.Text.Json.JsonDocument.Parse(diagnose.Out))
        {
            var root = doc.RootElement;
            (root.GetProperty("findings").GetArrayLength() + root.GetProperty("unchanged").GetArrayLength() + root.GetProperty("not_tested").GetArrayLength()).ShouldBeGreaterThanOrEqualTo(18);
        }

        var again = CliRunner.Run(dir.Path, "demo", "--leads", "3000", "--lang", "ru");
        again.Exit.ShouldBe(0, again.Err);
        again.Out.ShouldContain("Что дальше:");
        using var ws = Workspace.Open(dir.File("saleskpi-demo.duckdb"));
        ws.Count("SELECT count(*) FROM leads").ShouldBe(3000);
        ws.Count("SELECT count(*) FROM imports").ShouldBe(1);
    }

    [Fact]
    public void Demo_never_overwrites_a_workspace_with_real_data()
    {
        CliRunner.Run(dir.Path, "init", "--db", "mine.duckdb").Exit.ShouldBe(0);
        var r = CliRunner.Run(dir.Path, "demo", "--db", "mine.duckdb", "--leads", "500");
        r.Exit.ShouldBe(1);
        r.Err.ShouldContain("not a demo");
    }
}

public sealed class DemoFunnelTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void The_funnel_finds_the_planted_proposal_bottleneck()
    {
        var now = new DateTime(2026, 11, 27, 12, 0, 0);
        DemoGenerator.Write(dir.File("data"), new DemoOptions { Leads = 20000, Now = now });
        using var ws = Workspace.Create(dir.Db, new SalesKpi.Core.WorkspaceSettings("Europe/Moscow", "RUB"), FixedClock.At("2026-11-27T09:00:00Z"));
        new Importer(ws, FixedClock.At("2026-11-27T09:00:00Z")).Run(new ImportOptions { Paths = [dir.File("data")] });
        var funnel = new SalesKpi.Metrics.Analyses.FunnelEngine(ws).Run(SalesKpi.Core.Period.Parse("2025"), FixedClock.At("2026-11-27T09:00:00Z").GetUtcNow(), new SalesKpi.Core.Kpis.KpiParameters());
        funnel.Stages.ShouldBe(["qualification", "discovery", "proposal", "negotiation"]);
        var stages = funnel.Steps.Where(s => funnel.Stages.Contains(s.Name)).ToList();
        stages.MaxBy(s => s.Lost)!.Name.ShouldBe("proposal");
        funnel.Steps.Where(s => s.Section == "deals" && s.StepConversion is not null).MinBy(s => s.StepConversion)!.Name.ShouldBe("negotiation"); // proposal → negotiation
        funnel.Steps.Single(s => s.Name == "negotiation").MedianDays!.Value.ShouldBeGreaterThan(funnel.Steps.Single(s => s.Name == "proposal").MedianDays!.Value);
    }
}
