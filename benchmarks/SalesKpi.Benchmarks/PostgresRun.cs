using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

using static SalesKpi.Benchmarks.BenchSupport;

namespace SalesKpi.Benchmarks;

/// <summary>
/// The same data on both engines: imports one folder of canonical CSV files (by default the demo's, generated with
/// <c>saleskpi demo --leads N</c>) into a fresh DuckDB file and a fresh PostgreSQL workspace, times each import and the
/// full report (18 KPIs × 12 months, total + by channel) as processes, alternating engines, and checks that the two
/// reports' JSON agree to 1e-9 relative. The PostgreSQL workspace is deleted afterwards unless --keep is given.
/// </summary>
public static partial class PostgresRun
{
    public static int Run(string[] args)
    {
        var pg = Option(args, "--pg", Environment.GetEnvironmentVariable("SALESKPI_TEST_POSTGRES") ?? string.Empty);
        if (pg.Length == 0)
        {
            Console.Error.WriteLine("postgres: give --pg postgres://user@host:port/database (or set SALESKPI_TEST_POSTGRES)");
            return 2;
        }

        var runs = int.Parse(Option(args, "--runs", "3"), CultureInfo.InvariantCulture);
        var leads = Option(args, "--leads", "1000000");
        var period = Option(args, "--period", "2025");
        var asOf = Option(args, "--as-of", "2026-06-01");
        var keep = args.Contains("--keep");
        var dir = Path.Combine(Path.GetTempPath(), "saleskpi-pg-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var name = "bench_" + Guid.NewGuid().ToString("N")[..12];
        var location = pg + (pg.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "workspace=" + name;
        Machine.Print();
        try
        {
            var data = Option(args, "--data", string.Empty);
            if (data.Length == 0)
            {
                var gen = Stopwatch.StartNew();
                var (code, err) = ImportRun.Cli(dir, "demo", "--leads", leads, "--db", Path.Combine(dir, "demo.duckdb"));
                if (code != 0)
                {
                    Console.Error.WriteLine(err);
                    return 1;
                }

                data = Path.Combine(dir, "saleskpi-demo-data");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo data ({leads} leads) generated in {gen.Elapsed.TotalSeconds:F1} s"));
            }

            var duck = Path.Combine(dir, "bench.duckdb");
            if (Import(dir, "DuckDB", duck, data) != 0 || Import(dir, "PostgreSQL", location, data) != 0)
            {
                return 1;
            }

            string[] report = ["report", "--period", period, "--grain", "month", "--by", "channel", "--format", "json", "--as-of", asOf];
            var times = new Dictionary<string, List<double>> { ["DuckDB"] = [], ["PostgreSQL"] = [] };
            var outputs = new Dictionary<string, string>();
            for (var i = 0; i < runs; i++)
            {
                foreach (var (engine, db) in new[] { ("DuckDB", duck), ("PostgreSQL", location) })
                {
                    var load = LoadAverage();
                    var sw = Stopwatch.StartNew();
                    var (code, stdout, err) = ImportRun.CliWithOutput(dir, [.. report, "--db", db]);
                    var s = sw.Elapsed.TotalSeconds;
                    if (code != 0)
                    {
                        Console.Error.WriteLine(err);
                        return 1;
                    }

                    times[engine].Add(s);
                    outputs[engine] = stdout;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  report run {i + 1} on {engine}: {s:F2} s (load {load})"));
                }
            }

            foreach (var (engine, list) in times)
            {
                list.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full report on {engine}: median {Median(list):F2} s (min {list[0]:F2}, max {list[^1]:F2}, {list.Count} runs)"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL / DuckDB (medians): {Median(times["PostgreSQL"]) / Median(times["DuckDB"]):F2}"));
            var (numbers, worst, differences) = Compare(outputs["DuckDB"], outputs["PostgreSQL"]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"report JSON: {numbers} numbers compared, largest relative difference {worst:G3}, {differences.Count} differences beyond 1e-9 or in text"));
            foreach (var d in differences.Take(10))
            {
                Console.WriteLine("  " + d);
            }

            return differences.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (!keep)
            {
                Delete(pg, name);
                Directory.Delete(dir, recursive: true);
            }
            else
            {
                Console.WriteLine($"kept: {dir} and the PostgreSQL workspace {name}");
            }
        }
    }

    private static int Import(string dir, string engine, string db, string data)
    {
        if (ImportRun.Cli(dir, "init", "--db", db) is { Code: not 0 } failed)
        {
            Console.Error.WriteLine(failed.Err);
            return 1;
        }

        var load = LoadAverage();
        var sw = Stopwatch.StartNew();
        var (code, stdout, err) = ImportRun.CliWithOutput(dir, "import", data, "--db", db, "--verbose");
        var s = sw.Elapsed.TotalSeconds;
        if (code != 0)
        {
            Console.Error.WriteLine(err);
            return 1;
        }

        var total = TotalLine().Match(stdout + err);
        var rows = total.Success ? long.Parse(total.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"import into {engine}: {s:F1} s for {rows:N0} rows ({rows / s:N0} rows/s), peak memory {ImportRun.Peak(err)} MB (load before: {load})"));
        return 0;
    }

    // Every number to 1e-9 relative (the engines sum doubles in different orders), everything else exactly.
    private static (int Numbers, double Worst, List<string> Differences) Compare(string a, string b)
    {
        using var da = JsonDocument.Parse(a);
        using var db = JsonDocument.Parse(b);
        var numbers = 0;
        var worst = 0.0;
        var differences = SalesKpi.Tests.Postgres.JsonParity.Differences(da.RootElement, db.RootElement, (p, q) =>
        {
            numbers++;
            var scale = Math.Max(Math.Abs(p), Math.Abs(q));
            var rel = scale == 0 ? 0 : Math.Abs(p - q) / scale;
            worst = Math.Max(worst, rel);
            return rel > 1e-9;
        });
        return (numbers, worst, differences);
    }

    // The benchmark's workspace is large: it goes, with its id sequences, so the shared database does not keep it.
    private static void Delete(string pg, string name)
    {
        try
        {
            var url = new Uri(pg);
            var b = new NpgsqlConnectionStringBuilder
            {
                Host = url.Host,
                Port = url.Port > 0 ? url.Port : 5432,
                Database = url.AbsolutePath.Trim('/'),
                Username = Uri.UnescapeDataString(url.UserInfo.Split(':')[0]),
                CommandTimeout = 600,
            };
            if (url.UserInfo.Contains(':', StringComparison.Ordinal))
            {
                b.Password = Uri.UnescapeDataString(url.UserInfo.Split(':', 2)[1]);
            }

            using var conn = new NpgsqlConnection(b.ConnectionString);
            conn.Open();
            using var find = new NpgsqlCommand("SELECT workspace_id FROM saleskpi.workspaces WHERE name = $1", conn) { Parameters = { new() { Value = name } } };
            if (find.ExecuteScalar() is not long id)
            {
                return;
            }

            var tables = new List<string>();
            using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.columns WHERE table_schema = 'saleskpi' AND column_name = 'workspace_id' AND table_name <> 'workspaces'", conn))
            using (var r = list.ExecuteReader())
            {
                while (r.Read())
                {
                    tables.Add(r.GetString(0));
                }
            }

            var sql = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture, $"SELECT set_config('saleskpi.workspace_id', '{id}', false);"));
            foreach (var t in tables)
            {
                sql.Append(CultureInfo.InvariantCulture, $"DELETE FROM saleskpi.\"{t}\" WHERE workspace_id = {id};");
            }

            sql.Append(CultureInfo.InvariantCulture, $"DELETE FROM saleskpi.workspaces WHERE workspace_id = {id};");
            using (var seqs = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"SELECT sequencename FROM pg_sequences WHERE schemaname = 'saleskpi' AND sequencename LIKE '%\\_w{id}'"), conn))
            using (var r = seqs.ExecuteReader())
            {
                while (r.Read())
                {
                    sql.Append(CultureInfo.InvariantCulture, $"DROP SEQUENCE saleskpi.\"{r.GetString(0)}\";");
                }
            }

            using var delete = new NpgsqlCommand(sql.ToString(), conn);
            delete.ExecuteNonQuery();
            Console.WriteLine($"PostgreSQL workspace {name} deleted");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or UriFormatException)
        {
            Console.Error.WriteLine($"could not delete the PostgreSQL workspace {name}: {ex.Message}");
        }
    }

    [GeneratedRegex(@"Total: read ([\d,]+)")]
    private static partial Regex TotalLine();
}
