using System.Globalization;
using System.Text.Json;
using SalesKpi.Demo;

namespace SalesKpi.Tests.Postgres;

/// <summary>
/// The same demo data imported into a DuckDB file and into a PostgreSQL workspace, then every analysis asked of both
/// through the CLI: the answers must be the same — every number to 1e-9 relative, every text alike — since both run
/// one engine whose SQL only the dialect spells differently.
/// </summary>
public sealed class EngineParityTests(EngineParityTests.Workspaces both) : IClassFixture<EngineParityTests.Workspaces>
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0);
    private static readonly TimeProvider Clock = FixedClock.At("2026-11-27T09:00:00Z");

    public static TheoryData<string> Commands() =>
    [
        "report --period 2026 --grain quarter --by channel --format json",
        "report --period 2025 --grain month --by owner --kpi lead_response_time,sales_cycle_length,win_rate --format json",
        "funnel --period 2026-Q2 --format json",
        "diagnose --period 2026-Q2 --format json",
        "survival --format json",
        "scorecard --period 2026-Q3 --format json",
        "forecast --period 2026-Q4 --format json",
        "velocity --period 2026-Q2",
        "explain win_rate --period 2026-Q2",
        "simulate --set win_rate=+2pp",
        "calibrate",
        "review",
    ];

    [SkippableTheory]
    [MemberData(nameof(Commands))]
    public void Duckdb_and_postgresql_answer_alike(string command)
    {
        TestEngine.UsePostgres();
        var (dir, duck, pg) = (both.Dir, both.Duck, both.Pg!);
        var args = command.Split(' ');
        var onDuck = Cli(dir, Clock, [.. args, "--db", duck]);
        var onPg = Cli(dir, Clock, [.. args, "--db", pg]);
        onPg.Exit.ShouldBe(onDuck.Exit, onPg.Err);
        onPg.Err.Replace(pg, "<db>", StringComparison.Ordinal).ShouldBe(onDuck.Err.Replace(duck, "<db>", StringComparison.Ordinal));
        var (a, b) = (onDuck.Out.Replace(duck, "<db>", StringComparison.Ordinal), onPg.Out.Replace(pg, "<db>", StringComparison.Ordinal));
        if (command.Contains("--format json", StringComparison.Ordinal))
        {
            using var da = JsonDocument.Parse(a);
            using var db = JsonDocument.Parse(b);
            JsonParity.Differences(da.RootElement, db.RootElement, (x, y) => Math.Abs(x - y) > 1e-9 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)))).ShouldBeEmpty();
        }
        else
        {
            b.ShouldBe(a);
        }
    }

    /// <summary>The demo data imported once into a DuckDB file and (when a test cluster is configured) a PostgreSQL workspace.</summary>
    public sealed class Workspaces : IDisposable
    {
        public Workspaces()
        {
            DemoGenerator.Write(Dir.File("data"), new DemoOptions { Leads = 2000, Seed = 11, Now = Now });
            Pg = TestEngine.PostgresUrl is null ? null : TestEngine.NewPostgresWorkspace();
            foreach (var db in Pg is null ? [Duck] : new[] { Duck, Pg })
            {
                Cli(Dir, Clock, "init", "--db", db, "--timezone", "Europe/Moscow", "--currency", "RUB").Exit.ShouldBe(0);
                Cli(Dir, Clock, "import", "data", "--db", db).Exit.ShouldBe(0);
            }
        }

        public TempDir Dir { get; } = new();

        public string Duck => Dir.File("parity.duckdb");

        public string? Pg { get; }

        public void Dispose() => Dir.Dispose();
    }

    private static CliRunner.Result Cli(TempDir dir, TimeProvider clock, params string[] args) =>
        InProcessCli.Run(dir.Path, new Dictionary<string, string> { ["SALESKPI_DB"] = string.Empty }, clock, args);
}
