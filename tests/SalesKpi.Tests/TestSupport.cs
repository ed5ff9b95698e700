using System.Diagnostics;
using System.Text;
using SalesKpi.Cli;
using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console.Testing;

namespace SalesKpi.Tests;

/// <summary>A temporary folder removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "saleskpi-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        Db = TestEngine.Postgres ? TestEngine.NewPostgresWorkspace() : File("saleskpi.duckdb");
        if (TestEngine.Postgres)
        {
            // A CLI run in this folder without --db finds this folder's PostgreSQL workspace through SALESKPI_DB.
            ServerWorkspaces[Path] = Db;
        }
    }

    /// <summary>The PostgreSQL workspace of each live folder of a test on PostgreSQL, by folder.</summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<string, string> ServerWorkspaces { get; } = new(StringComparer.Ordinal);

    /// <summary>The environment a CLI run in <paramref name="cwd"/> gets: SALESKPI_DB for a test on PostgreSQL, then <paramref name="env"/>.</summary>
    public static Dictionary<string, string> CliVariables(string cwd, IDictionary<string, string>? env)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ServerWorkspaces.TryGetValue(cwd, out var db))
        {
            variables["SALESKPI_DB"] = db;
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            variables[k] = v;
        }

        return variables;
    }

    public string Path { get; }

    /// <summary>The workspace of this folder: a DuckDB file in it, or (for a test on PostgreSQL) a fresh workspace in the test cluster.</summary>
    public string Db { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes UTF-8 text (no BOM unless given) exactly as passed: line ends are not changed.</summary>
    public string Write(string name, string content, bool bom = false)
    {
        var full = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content, new UTF8Encoding(bom));
        return full;
    }

    public void Dispose()
    {
        ServerWorkspaces.TryRemove(Path, out _);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock frozen at a given instant.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static FixedClock At(string iso) => new(DateTimeOffset.Parse(iso, global::System.Globalization.CultureInfo.InvariantCulture));

    public override DateTimeOffset GetUtcNow() => now;
}

public static class Ws
{
    public static Workspace Create(TempDir dir, string zone = "UTC") =>
        Workspace.Create(dir.Db, new WorkspaceSettings(zone, "RUB"), FixedClock.At("2026-01-01T00:00:00Z"));

    /// <summary>The rows of the derived table lead_milestones, by lead id: (lead, its creation, first touch, first opportunity, first win).</summary>
    public static List<(string Lead, DateTime? Created, DateTime? Touched, DateTime? Opportunity, DateTime? Won)> Milestones(this Workspace ws) =>
        [.. ws.Query(
            "SELECT lead_id, lead_created_at, touched_at, opportunity_at, won_at FROM lead_milestones ORDER BY lead_id",
            r => (r.GetString(0), Maybe(r, 1), Maybe(r, 2), Maybe(r, 3), Maybe(r, 4)))];

    private static DateTime? Maybe(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDateTime(i);

    public static long Count(this Workspace ws, string sql, params object?[] args) =>
        ws.Scalar(sql, args) switch
        {
            System.Numerics.BigInteger b => (long)b,
            var v => Convert.ToInt64(v, global::System.Globalization.CultureInfo.InvariantCulture),
        };
}

/// <summary>Runs the real saleskpi binary as a child process.</summary>
public static class CliRunner
{
    public static string Dll => System.IO.Path.Combine(AppContext.BaseDirectory, "saleskpi.dll");

    public sealed record Result(int Exit, string Out, string Err);

    public static ProcessStartInfo StartInfo(string cwd, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("SALESKPI_DB");
        psi.Environment["SALESKPI_LANG"] = "en";
        // Test builds must not write profiles into the user's cache (StartupProfileTests turn it on in a folder of their own).
        psi.Environment["SALESKPI_JIT_PROFILE"] = "off";
        foreach (var (k, v) in TempDir.CliVariables(cwd, env))
        {
            psi.Environment[k] = v;
        }

        return psi;
    }

    public static Result Run(string cwd, params string[] args) => Run(cwd, null, args);

    public static Result Run(string cwd, IDictionary<string, string>? env, params string[] args)
    {
        using var p = Process.Start(StartInfo(cwd, env, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("saleskpi " + string.Join(' ', args) + " did not finish");
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>
/// Runs the command line inside the test process, as <see cref="CliRunner"/> runs it as a child process:
/// the same arguments, folder and variables (SALESKPI_DB unset, SALESKPI_LANG=en unless given) and the same
/// <see cref="CliRunner.Result"/>, but on a Spectre <c>TestConsole</c> 250 columns wide (what a redirected
/// process gets) and string writers, with no process start. Standard output holds the screen output and the
/// documents (JSON, CSV, YAML) in the order they were written, as a pipe would.
/// </summary>
public static class InProcessCli
{
    public static CliRunner.Result Run(string cwd, params string[] args) => Run(cwd, null, args);

    public static CliRunner.Result Run(string cwd, IDictionary<string, string>? env, params string[] args) =>
        Run(cwd, env, TimeProvider.System, args);

    public static CliRunner.Result Run(string cwd, IDictionary<string, string>? env, TimeProvider clock, params string[] args)
    {
        using var console = new TestConsole().Width(250);
        using var err = new StringWriter();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["SALESKPI_LANG"] = "en" };
        foreach (var (k, v) in TempDir.CliVariables(cwd, env))
        {
            variables[k] = v;
        }

        // The import reports progress and waits from a worker thread: standard error must take lines from two threads.
        var environment = new CliEnvironment(console, console.Profile.Out.Writer, TextWriter.Synchronized(err), clock)
        {
            Variables = variables,
            CurrentDirectory = cwd,
        };
        var exit = CliApp.Run(args, environment);
        return new CliRunner.Result(exit, console.Output, err.ToString());
    }
}

/// <summary>The demo data the server and digest tests share: 3,000 leads of seed 42, imported, with the demo's KPI system.</summary>
public static class DemoData
{
    /// <summary>Generates the demo into <paramref name="dataDir"/>, imports it into the workspace of <paramref name="ctx"/> and sets up its KPI system.</summary>
    public static void Fill(SalesKpi.Application.RequestContext ctx, string dataDir)
    {
        var demo = new SalesKpi.Application.Services.DemoService();
        demo.Generate(new SalesKpi.Application.Services.DemoRequest(dataDir, 3000, 42, Dirty: false), ctx);
        using (var job = new SalesKpi.Application.Services.ImportService().Prepare(new SalesKpi.Application.Services.ImportRequest([dataDir], null, Strict: false, DryRun: false), ctx))
        {
            job.Run(null, CancellationToken.None);
        }

        demo.SetUpKpiSystem(ctx);
    }
}
