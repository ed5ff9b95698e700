using System.Diagnostics;
using System.Globalization;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;

using static SalesKpi.Benchmarks.BenchSupport;

namespace SalesKpi.Benchmarks;

/// <summary>
/// The cost of a data scope (one owner's rows through session views, docs/server.md) in-process through
/// <see cref="ReportService"/>: the same report unscoped and scoped to the owner with the most leads, alternating, on a
/// copy of a kept report workspace; and the cost of creating the views alone.
/// </summary>
public static class ScopeRun
{
    public static int Run(string[] args)
    {
        var source = Option(args, "--db", Path.Combine(Path.GetTempPath(), "saleskpi-report-bench-1000000", "bench.duckdb"));
        var runs = int.Parse(Option(args, "--runs", "7"), CultureInfo.InvariantCulture);
        if (!File.Exists(source))
        {
            Console.Error.WriteLine($"No workspace {source}: generate one with 'report --leads 1000000 --keep DIR'.");
            return 1;
        }

        Machine.Print();
        // A copy, so that the kept workspace is never touched.
        var dir = Directory.CreateTempSubdirectory("saleskpi-scope-");
        var db = Path.Combine(dir.FullName, "bench.duckdb");
        File.Copy(source, db);
        try
        {
            string owner;
            long ownerLeads, allLeads;
            using (var ws = Workspace.Open(db, WorkspaceAccess.ReadOnly, null))
            {
                (owner, ownerLeads) = ws.Query("SELECT owner, count(*) FROM leads WHERE owner IS NOT NULL GROUP BY owner ORDER BY 2 DESC, 1 LIMIT 1", r => (r.GetString(0), r.GetInt64(1))).Single();
                allLeads = Convert.ToInt64(ws.Scalar("SELECT count(*) FROM leads"), CultureInfo.InvariantCulture);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"owner '{owner}': {ownerLeads:N0} of {allLeads:N0} leads; in-process via ReportService, median of {runs} runs after one warm-up, 2025 × month, by channel, as-of 2026-06-01"));
            var whole = new RequestContext(Language.En, TimeProvider.System, "bench", db);
            var scoped = whole with { Scope = new DataScope(owner, false) };
            foreach (var (label, kpis) in new (string, string[])[] { ("full report (18 KPIs)", []), ("leads (count)", ["leads"]), ("win_rate (rate)", ["win_rate"]) })
            {
                var query = new ReportQuery("2025", "2026-06-01", "month", ["channel"], kpis);
                double Once(RequestContext ctx)
                {
                    var sw = Stopwatch.StartNew();
                    _ = new ReportService().Run(query, ctx);
                    return sw.Elapsed.TotalMilliseconds;
                }

                Once(whole);
                Once(scoped);
                var a = new List<double>();
                var b = new List<double>();
                for (var i = 0; i < runs; i++)
                {
                    a.Add(Once(whole));
                    b.Add(Once(scoped));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: unscoped {Median(a):F0} ms ({a.Min():F0}–{a.Max():F0}), scoped {Median(b):F0} ms ({b.Min():F0}–{b.Max():F0})"));
            }

            var open = new List<double>();
            var views = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                using var ws = Workspace.Open(db, WorkspaceAccess.ReadOnly, null);
                open.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                OwnerScope.Apply(ws, owner);
                views.Add(sw.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  open read-only {Median(open):F1} ms; creating the 8 scope views {Median(views):F1} ms"));
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }
}
