using System.Diagnostics;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Cli;

/// <summary>
/// Several processes on one workspace. The test process holds the workspace (read-write or read-only)
/// and saleskpi runs as a child process against it; no test depends on how long anything takes: a
/// waiting child is released when its "waiting for" line has been read.
/// </summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempDir dir = new();

    public ConcurrencyTests()
    {
        // Setting up needs no second process; the tests below do, because workspace locks are per process.
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-03-01\nL2,2025-03-02\n");
        InProcessCli.Run(dir.Path, "import", "leads.csv").Exit.ShouldBe(0);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Readers_run_while_another_reader_holds_the_workspace()
    {
        using var holder = Workspace.Open(dir.Db, WorkspaceAccess.ReadOnly, null);
        foreach (var args in new[] { new[] { "status", "--wait", "0" }, ["report", "--period", "2025", "--kpi", "leads", "--format", "csv", "--wait", "0"], ["params", "--wait", "0"], ["config", "log", "--wait", "0"] })
        {
            var r = CliRunner.Run(dir.Path, args);
            r.Exit.ShouldBe(0, string.Join(' ', args) + ": " + r.Err);
            r.Err.ShouldNotContain("waiting");
        }

        CliRunner.Run(dir.Path, "report", "--period", "2025", "--kpi", "leads", "--format", "csv").Out.ShouldContain("leads,2025,2025-01-01,2025-12-31,,2,2");
    }

    [Fact]
    public async Task A_report_and_a_status_run_side_by_side()
    {
        using var a = Process.Start(CliRunner.StartInfo(dir.Path, null, "report", "--period", "2025", "--format", "json", "--wait", "0"))!;
        using var b = Process.Start(CliRunner.StartInfo(dir.Path, null, "status", "--wait", "0"))!;
        var done = await Task.WhenAll(Collect(a), Collect(b));
        done[0].Exit.ShouldBe(0, done[0].Err);
        done[1].Exit.ShouldBe(0, done[1].Err);
    }

    private static async Task<(int Exit, string Err)> Collect(Process p)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(limit.Token);
        await stdout;
        return (p.ExitCode, await stderr);
    }

    [Fact]
    public void Without_waiting_a_busy_workspace_fails_at_once_with_the_cause()
    {
        using (Workspace.Open(dir.Db))
        {
            var reader = CliRunner.Run(dir.Path, "status", "--wait", "0");
            reader.Exit.ShouldBe(1);
            reader.Err.ShouldBe($"error: {dir.Db} is being changed by another process: wait for it to finish, or give --wait SECONDS to wait for it.\n");

            var check = CliRunner.Run(dir.Path, "check", "--wait", "0");
            check.Exit.ShouldBe(3);
            check.Err.ShouldContain("is being changed by another process");
        }

        using (Workspace.Open(dir.Db, WorkspaceAccess.ReadOnly, null))
        {
            var writer = CliRunner.Run(dir.Path, "params", "set", "quality_threshold", "70", "--wait", "0");
            writer.Exit.ShouldBe(1);
            writer.Err.ShouldContain($"{dir.Db} is in use by another process: wait for it to finish");
        }

        using var ws = Workspace.Open(dir.Db);
        ws.Count("SELECT count(*) FROM kpi_config_versions").ShouldBe(1);
    }

    [Fact]
    public void A_writer_waits_for_a_reader_and_then_does_its_work()
    {
        var holder = Workspace.Open(dir.Db, WorkspaceAccess.ReadOnly, null);
        var (exit, err) = RunWhileHeld(holder, "params", "set", "quality_threshold", "70", "--wait", "600");
        exit.ShouldBe(0, err);
        err.ShouldContain($"waiting for another process to release {dir.Db} (up to 600 s; --wait sets the limit)…");

        using var ws = Workspace.Open(dir.Db, WorkspaceAccess.ReadOnly, null);
        ws.Count("SELECT count(*) FROM kpi_config_versions").ShouldBe(2);
    }

    [Fact]
    public void A_reader_waits_for_a_writer_in_either_language()
    {
        var holder = Workspace.Open(dir.Db);
        var (exit, err) = RunWhileHeld(holder, "status", "--lang", "ru");
        exit.ShouldBe(0, err);
        err.ShouldContain($"ожидание, пока другой процесс освободит {dir.Db} (до 30 с; предел задаёт --wait)…");
    }

    [Fact]
    public void A_wait_out_of_range_is_refused()
    {
        var r = InProcessCli.Run(dir.Path, "status", "--wait", "-1");
        r.Exit.ShouldBe(1);
        r.Err.ShouldContain("--wait -1 is out of range: give seconds from 0 to 86400.");
    }

    // Starts saleskpi while holder holds the workspace, releases it once the child says it waits.
    private (int Exit, string Err) RunWhileHeld(Workspace holder, params string[] args)
    {
        using var p = Process.Start(CliRunner.StartInfo(dir.Path, null, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var err = new System.Text.StringBuilder();
        try
        {
            string? line;
            while ((line = p.StandardError.ReadLine()) is not null)
            {
                err.AppendLine(line);
                if (line.Contains("waiting for", StringComparison.Ordinal) || line.Contains("ожидание", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            holder.Dispose();
        }

        err.Append(p.StandardError.ReadToEnd());
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("saleskpi " + string.Join(' ', args) + " did not finish");
        }

        _ = stdout.Result;
        return (p.ExitCode, err.ToString());
    }
}

public sealed class DamagedWorkspaceTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_flipped_byte_is_never_reported_as_a_busy_workspace()
    {
        CliRunner.Run(dir.Path, "init").Exit.ShouldBe(0);
        dir.Write("leads.csv", "lead_id,created_at,channel\n" + string.Concat(Enumerable.Range(1, 3000).Select(i => $"L{i},2025-03-01,c{i % 7}\n")));
        CliRunner.Run(dir.Path, "import", "leads.csv").Exit.ShouldBe(0);
        var original = File.ReadAllBytes(dir.Db);
        const int Cases = 24;
        var damaged = 0;
        for (var i = 0; i < Cases; i++)
        {
            // Offsets spread over the whole file, the first in the header's checksum.
            var offset = 7 + (long)i * (original.Length - 8) / Cases;
            var copy = (byte[])original.Clone();
            copy[offset] ^= 0x5A;
            var db = dir.File($"c{i}.duckdb");
            File.WriteAllBytes(db, copy);
            var r = CliRunner.Run(dir.Path, "status", "--db", db, "--wait", "0");
            r.Err.ShouldNotContain("in use", Case.Insensitive, $"offset {offset}");
            r.Err.ShouldNotContain("being changed", Case.Insensitive, $"offset {offset}");
            if (r.Err.Contains("is a damaged DuckDB database (the engine says:", StringComparison.Ordinal))
            {
                damaged++;
                r.Exit.ShouldBe(1);
                r.Err.ShouldContain("restore it from a backup");
            }
        }

        damaged.ShouldBeGreaterThan(0);
    }
}
