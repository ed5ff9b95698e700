using System.Text.Json;

namespace SalesKpi.Tests.Cli;

/// <summary>Runs of the command line inside one process share nothing: language, clock, screen and variables are per run.</summary>
public sealed class InProcessCliTests : IDisposable
{
    private readonly TempDir en = new();
    private readonly TempDir ru = new();

    public InProcessCliTests()
    {
        foreach (var dir in new[] { en, ru })
        {
            InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
            dir.Write("leads.csv", "lead_id,created_at,qualified_at\nL1,2025-09-01,2025-09-02\nL2,2025-09-02,\nL3,2025-09-03,2025-09-10\n");
            InProcessCli.Run(dir.Path, "import", "leads.csv").Exit.ShouldBe(0);
        }
    }

    public void Dispose()
    {
        en.Dispose();
        ru.Dispose();
    }

    [Fact]
    public async Task Two_runs_in_parallel_with_different_languages_and_clocks_each_get_their_own_output()
    {
        // Each side alternates a table (language and display culture) and JSON (the clock, as the default as-of)
        // many times while the other side does the same, so a leaked language, culture or clock would show.
        var english = FixedClock.At("2025-12-31T10:00:00Z");
        var russian = FixedClock.At("2026-03-01T08:00:00Z");
        using var start = new Barrier(2);
        CliRunner.Result[] Side(TempDir dir, string lang, TimeProvider clock)
        {
            start.SignalAndWait();
            var env = new Dictionary<string, string> { ["SALESKPI_LANG"] = lang };
            return [.. Enumerable.Range(0, 6).SelectMany(_ => new[]
            {
                InProcessCli.Run(dir.Path, env, clock, "report", "--period", "2025-09", "--kpi", "lead_to_sql_rate"),
                InProcessCli.Run(dir.Path, env, clock, "report", "--period", "2025-07", "--kpi", "lead_to_sql_rate", "--format", "json"),
            })];
        }

        var runs = await Task.WhenAll(Task.Run(() => Side(en, "en", english)), Task.Run(() => Side(ru, "ru", russian)));
        foreach (var (results, lang, asOf) in new[] { (runs[0], "en", "2025-12-31T10:00:00Z"), (runs[1], "ru", "2026-03-01T08:00:00Z") })
        {
            foreach (var r in results)
            {
                r.Exit.ShouldBe(0, r.Err);
                if (r.Out.TrimStart().StartsWith('{'))
                {
                    using var doc = JsonDocument.Parse(r.Out);
                    doc.RootElement.GetProperty("as_of").GetString().ShouldBe(asOf);
                    doc.RootElement.GetProperty("results")[0].GetProperty("reason").GetString()
                        .ShouldBe(lang == "en" ? "no leads created in the period" : "нет лидов, созданных в периоде");
                }
                else if (lang == "en")
                {
                    r.Out.ShouldContain("66.7 %");
                    r.Out.ShouldNotContain("Конверсия");
                }
                else
                {
                    r.Out.ShouldContain("66,7 %");
                    r.Out.ShouldContain("Конверсия лидов в SQL");
                }
            }
        }
    }

    [Fact]
    public void A_run_reads_its_own_variables_and_folder_not_the_process_ones()
    {
        var env = new Dictionary<string, string> { ["SALESKPI_DB"] = ru.File("other.duckdb") };
        InProcessCli.Run(en.Path, env, "init").Exit.ShouldBe(0);
        File.Exists(ru.File("other.duckdb")).ShouldBeTrue();
        // A relative path is read from the run's folder, not from the test process's current directory.
        InProcessCli.Run(en.Path, "status", "--db", "saleskpi.duckdb").Out.ShouldContain(en.Db);
    }
}
