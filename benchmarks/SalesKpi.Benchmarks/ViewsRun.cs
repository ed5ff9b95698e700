using System.Diagnostics;
using System.Globalization;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.Engine;
using SalesKpi.Storage;

using static SalesKpi.Benchmarks.BenchSupport;

namespace SalesKpi.Benchmarks;

/// <summary>
/// Dashboard views timed in-process through <see cref="ReportService"/>, as a web server calls it: one KPI × 12 months,
/// total + by channel, for a count, two rates and a median, and the full report; each beside its hand-written floor
/// query. Every view runs with family pruning on and off, and with the engine's lanes and on one lane, alternating, so
/// all see the same machine noise.
/// </summary>
public static class ViewsRun
{
    private const string Start = "TIMESTAMP '2025-01-01'";
    private const string End = "TIMESTAMP '2026-01-01'";
    private const string AsOf = "TIMESTAMP '2026-06-01'";

    // Floors: the plainest SQL giving the same numbers for the view, total and by channel per month.
    private static readonly (string Label, string[] Kpis, string? Floor)[] Views =
    [
        ("leads (count)", ["leads"], $"SELECT date_trunc('month', created_at) AS m, channel, count(*) FROM leads WHERE created_at >= {Start} AND created_at < {End} GROUP BY GROUPING SETS ((m), (m, channel))"),
        ("lead_to_sql_rate (rate)", ["lead_to_sql_rate"], $"SELECT date_trunc('month', created_at) AS m, channel, count(*), count(*) FILTER (WHERE qualified_at <= {AsOf} AND epoch(qualified_at) - epoch(created_at) <= 14 * 86400) FROM leads WHERE created_at >= {Start} AND created_at < {End} GROUP BY GROUPING SETS ((m), (m, channel))"),
        ("win_rate (rate)", ["win_rate"], $"SELECT date_trunc('month', d.closed_at) AS m, l.channel, count(*) FILTER (WHERE d.status = 'won'), count(*) FROM deals d LEFT JOIN leads l ON l.lead_id = d.lead_id WHERE d.status IN ('won', 'lost') AND d.closed_at >= {Start} AND d.closed_at < {End} GROUP BY GROUPING SETS ((m), (m, l.channel))"),
        ("lead_response_time (median)", ["lead_response_time"], $"WITH r AS (SELECT a.lead_id, min(a.occurred_at) AS t FROM activities a JOIN leads l ON l.lead_id = a.lead_id WHERE l.created_at >= {Start} AND l.created_at < {End} AND a.occurred_at >= l.created_at AND a.occurred_at <= {AsOf} AND a.direction IS DISTINCT FROM 'inbound' GROUP BY a.lead_id) SELECT date_trunc('month', l.created_at) AS m, l.channel, median((epoch(least(l.first_response_at, r.t)) - epoch(l.created_at)) / 3600.0) FROM leads l LEFT JOIN r ON r.lead_id = l.lead_id WHERE l.created_at >= {Start} AND l.created_at < {End} GROUP BY GROUPING SETS ((m), (m, l.channel))"),
        ("full report (18 KPIs)", [], null),
    ];

    public static int Run(string[] args)
    {
        var source = Option(args, "--db", Path.Combine(Path.GetTempPath(), "saleskpi-report-bench-1000000", "bench.duckdb"));
        var runs = int.Parse(Option(args, "--runs", "9"), CultureInfo.InvariantCulture);
        // --view TEXT: only the views whose label contains TEXT (e.g. "full report", "scorecard"), for quick A/B pairs.
        var viewFilter = Option(args, "--view", string.Empty);
        bool Wanted(string label) => label.Contains(viewFilter, StringComparison.Ordinal);
        if (!File.Exists(source))
        {
            Console.Error.WriteLine($"No workspace {source}: generate one with 'report --leads 1000000 --keep DIR'.");
            return 1;
        }

        Machine.Print();
        Console.WriteLine("load average before: " + LoadAverage());
        // A copy, so that the kept workspace is never touched.
        var dir = Directory.CreateTempSubdirectory("saleskpi-views-");
        var db = Path.Combine(dir.FullName, "bench.duckdb");
        File.Copy(source, db);
        try
        {
            var service = new ReportService();
            var ctx = new RequestContext(Language.En, TimeProvider.System, "bench", db);
            // The server's path: read-only workspaces kept open between calls.
            using var pool = new WorkspacePool(TimeSpan.FromSeconds(30), TimeProvider.System);
            var pooled = ctx with { Pool = pool };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process via ReportService, median of {runs} runs after one warm-up, 2025 × month, total + by channel, as-of 2026-06-01; pooled / fresh open / fresh open with full families, alternating"));
            foreach (var (label, kpis, floorSql) in args.Contains("--skip-reports") ? [] : Views.Where(v => Wanted(v.Label)))
            {
                var query = new ReportQuery("2025", "2026-06-01", "month", ["channel"], kpis);
                double Once(bool prune, RequestContext c)
                {
                    KpiEngine.PruneByDefault = prune;
                    var sw = Stopwatch.StartNew();
                    _ = service.Run(query, c);
                    return sw.Elapsed.TotalMilliseconds;
                }

                // The warm-ups, traced: the family queries' own share of the time.
                var trace = new List<string>();
                _ = service.Run(query, pooled with { Trace = trace.Add });
                trace.Add("|");
                _ = service.Run(query, pooled with { Trace = trace.Add });
                trace.Add("|");
                _ = service.Run(query, ctx with { Trace = trace.Add });
                var inPool = new List<double>();
                var fresh = new List<double>();
                var full = new List<double>();
                var oneLane = new List<double>();
                var lanes = KpiEngine.LanesOverride;
                for (var i = 0; i < runs; i++)
                {
                    inPool.Add(Once(true, pooled));
                    fresh.Add(Once(true, ctx));
                    full.Add(Once(false, ctx));
                    // The families one after another on the caller's session (the engine before lanes).
                    KpiEngine.LanesOverride = 1;
                    oneLane.Add(Once(true, pooled));
                    KpiEngine.LanesOverride = lanes;
                }

                KpiEngine.PruneByDefault = true;
                var floor = floorSql is null ? (double?)null : Floor(db, floorSql, runs);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {label}: pooled {Median(inPool):F0} ms ({(lanes is { } l ? $"{l} lanes" : "the engine's lanes")}), pooled one lane {Median(oneLane):F0} ms, fresh open {Median(fresh):F0} ms, full family {Median(full):F0} ms{(floor is { } f ? $", floor {f:F0} ms, pooled/floor {Median(inPool) / f:F1}×" : string.Empty)}"));
                Console.WriteLine("    warm-up traces (pooled first, pooled again, fresh open): " + string.Join("; ", trace.Select(t => t.Replace("trace: ", string.Empty, StringComparison.Ordinal))));
            }

            // The scorecard of a quarter with both baselines (the quarter before, the year before), and explain's first
            // page of records (20, as the CLI and the API default to), pooled and fresh, alternating.
            var scorecard = new ScorecardService();
            var explain = new ExplainService();
            var others = new (string Label, Action<RequestContext> Call, string? Floor)[]
            {
                ("scorecard 2025-Q4, both baselines", c => scorecard.Run(new ScorecardQuery("2025-Q4", "2026-06-01", null), c), null),
                ("explain leads 2025-03 channel=seo, first page", c => explain.Run(new ExplainQuery("leads", "2025-03", "2026-06-01", ["channel=seo"], 20), c),
                    "SELECT lead_id, created_at FROM leads WHERE created_at >= TIMESTAMP '2025-03-01' AND created_at < TIMESTAMP '2025-04-01' AND channel = 'seo' ORDER BY created_at, lead_id LIMIT 21"),
                ("explain lead_response_time 2025-03 channel=seo, first page", c => explain.Run(new ExplainQuery("lead_response_time", "2025-03", "2026-06-01", ["channel=seo"], 20), c), null),
            };
            foreach (var (label, call, floorSql) in others.Where(o => Wanted(o.Label)))
            {
                call(pooled);
                call(ctx);
                var inPool = new List<double>();
                var fresh = new List<double>();
                var full = new List<double>();
                var oneLane = new List<double>();
                var lanes = KpiEngine.LanesOverride;
                for (var i = 0; i < runs; i++)
                {
                    var sw = Stopwatch.StartNew();
                    call(pooled);
                    inPool.Add(sw.Elapsed.TotalMilliseconds);
                    KpiEngine.LanesOverride = 1;
                    sw.Restart();
                    call(pooled);
                    oneLane.Add(sw.Elapsed.TotalMilliseconds);
                    KpiEngine.LanesOverride = lanes;
                    sw.Restart();
                    call(ctx);
                    fresh.Add(sw.Elapsed.TotalMilliseconds);
                    // Pooled again with full families (and, for explain, the listing of every family column).
                    KpiEngine.PruneByDefault = false;
                    sw.Restart();
                    call(pooled);
                    full.Add(sw.Elapsed.TotalMilliseconds);
                    KpiEngine.PruneByDefault = true;
                }

                var floor = floorSql is null ? (double?)null : Floor(db, floorSql, runs);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {label}: pooled {Median(inPool):F0} ms ({(lanes is { } l ? $"{l} lanes" : "the engine's lanes")}), pooled one lane {Median(oneLane):F0} ms, fresh open {Median(fresh):F0} ms, pooled unpruned {Median(full):F0} ms{(floor is { } f ? $", floor {f:F0} ms" : string.Empty)}"));
            }

            // The scorecard's values: one engine pass over the five quarters from the year before to 2025-Q4, or over
            // only the three it shows (the quarter, the one before, the year before), alternating.
            if (Wanted("scorecard values"))
            {
                using var ws = Workspace.Open(db, WorkspaceAccess.ReadOnly, null);
                var q4 = Period.Parse("2025-Q4");
                var asOf = DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture);
                var (config, _) = SalesKpi.Metrics.KpiSystem.ConfigStore.For(ws, q4, asOf);
                var kpis = config.ActiveKpis();
                var engine = new KpiEngine(ws);
                var range = Period.Range(q4.YearBefore().Start, q4.End);
                IReadOnlyList<Period> three = [q4.YearBefore(), q4.Previous(), q4];
                var five = new List<double>();
                var only = new List<double>();
                _ = SalesKpi.Metrics.KpiSystem.SystemValues.Compute(engine, config, kpis, range, Grain.Quarter, [], asOf, three);
                for (var i = 0; i < runs; i++)
                {
                    var sw = Stopwatch.StartNew();
                    _ = SalesKpi.Metrics.KpiSystem.SystemValues.Compute(engine, config, kpis, range, Grain.Quarter, [], asOf);
                    five.Add(sw.Elapsed.TotalMilliseconds);
                    sw.Restart();
                    _ = SalesKpi.Metrics.KpiSystem.SystemValues.Compute(engine, config, kpis, range, Grain.Quarter, [], asOf, three);
                    only.Add(sw.Elapsed.TotalMilliseconds);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  scorecard values 2025-Q4 (open connection): five quarters {Median(five):F0} ms, three buckets {Median(only):F0} ms"));
            }

            Console.WriteLine("load average after: " + LoadAverage());
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        return 0;
    }

    private static double Floor(string db, string sql, int runs)
    {
        using var ws = Workspace.Open(db, WorkspaceAccess.ReadOnly, null);
        _ = ws.Query(sql, r => r.GetValue(0)).Count();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            _ = ws.Query(sql, r => r.GetValue(0)).Count();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        return Median(times);
    }
}
