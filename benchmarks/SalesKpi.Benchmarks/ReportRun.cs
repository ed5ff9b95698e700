using System.Diagnostics;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Storage;

using static SalesKpi.Benchmarks.BenchSupport;

namespace SalesKpi.Benchmarks;

/// <summary>
/// Times the full KPI report over a workspace of N leads with proportional deals, activities,
/// customers, revenue, NPS answers and spend, generated set-based inside DuckDB (the import has its
/// own benchmark). Also times one hand-written query, the floor the engine is compared against.
/// </summary>
public static class ReportRun
{
    public static int Run(string[] args)
    {
        var sizes = Option(args, "--leads", "100000,1000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var runs = int.Parse(Option(args, "--runs", "3"), CultureInfo.InvariantCulture);
        var keep = Option(args, "--keep", string.Empty);
        Machine.Print();
        foreach (var leads in sizes)
        {
            var dir = Path.Combine(keep.Length > 0 ? keep : Path.GetTempPath(), "saleskpi-report-bench-" + leads.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            var db = Path.Combine(dir, "bench.duckdb");
            try
            {
                if (!File.Exists(db))
                {
                    var gen = Stopwatch.StartNew();
                    Generate(db, leads);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{leads:N0} leads: workspace generated in {gen.Elapsed.TotalSeconds:F1} s ({new FileInfo(db).Length / 1e6:F0} MB)"));
                }

                var times = new List<double>();
                var peaks = new List<int>();
                for (var i = 0; i < runs; i++)
                {
                    var sw = Stopwatch.StartNew();
                    var (code, err) = ImportRun.Cli(dir, "report", "--db", db, "--period", "2025", "--grain", "month", "--by", "channel", "--format", "json", "--as-of", "2026-06-01", "--verbose");
                    var s = sw.Elapsed.TotalSeconds;
                    if (code != 0)
                    {
                        Console.Error.WriteLine(err);
                        return 1;
                    }

                    times.Add(s);
                    peaks.Add(ImportRun.Peak(err));
                    if (i == 0)
                    {
                        Console.WriteLine("  " + string.Join("; ", err.Split('\n').Where(l => l.StartsWith("trace: ", StringComparison.Ordinal)).Select(l => l[7..].Trim())));
                    }
                }

                if (args.Contains("--system") && SystemRuns(dir, db, runs) != 0)
                {
                    return 1;
                }

                times.Sort();
                peaks.Sort();
                var floor = Floor(db);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{leads:N0} leads: full report (18 KPIs × 12 months, total + by channel) median {times[times.Count / 2]:F2} s (min {times[0]:F2}, max {times[^1]:F2}), peak memory median {peaks[peaks.Count / 2]} MB; floor query (leads per month and channel) {floor * 1000:F0} ms"));
            }
            finally
            {
                if (keep.Length == 0)
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }

        return 0;
    }


    /// <summary>Median of three runs of one hand-written query over the same tables.</summary>
    /// <summary>
    /// Times the KPI-system commands on the same workspace: scorecard (three engine passes), scorecard by
    /// owner, a target suggestion by owner (8 quarters of history), and the response time with and without
    /// a business calendar. The calendar is applied last because it changes the workspace's definitions.
    /// </summary>
    private static int SystemRuns(string dir, string db, int runs)
    {
        string[][] commands =
        [
            ["scorecard", "--period", "2025-Q4", "--as-of", "2026-06-01", "--format", "json"],
            ["scorecard", "--period", "2025-Q4", "--as-of", "2026-06-01", "--by", "owner", "--format", "json"],
            ["targets", "suggest", "win_rate", "--period", "2026-Q1", "--by", "owner"],
            ["report", "--period", "2025", "--grain", "month", "--kpi", "lead_response_time", "--as-of", "2026-06-01", "--format", "json"],
        ];
        foreach (var command in commands)
        {
            if (Time(dir, db, runs, command, command[0] == "report" ? "response time, calendar time" : string.Join(' ', command.Take(command[0] == "targets" ? 3 : 1))) != 0)
            {
                return 1;
            }
        }

        var file = Path.Combine(dir, "calendar.yaml");
        File.WriteAllText(file, "parameters:\n  business_calendar:\n    working_days: [mon, tue, wed, thu, fri]\n    hours: \"09:00-18:00\"\n    holidays: [2025-01-01, 2025-01-02, 2025-05-01]\n");
        if (ImportRun.Cli(dir, "config", "apply", file, "--db", db, "--reason", "bench", "--effective", "2020-01-01").Code != 0)
        {
            return 1;
        }

        return Time(dir, db, runs, commands[3], "response time, business calendar");
    }

    private static int Time(string dir, string db, int runs, string[] command, string label)
    {
        var times = new List<double>();
        var peaks = new List<int>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            var (code, err) = ImportRun.Cli(dir, [.. command, "--db", db, "--verbose"]);
            times.Add(sw.Elapsed.TotalSeconds);
            if (code != 0)
            {
                Console.Error.WriteLine(err);
                return 1;
            }

            peaks.Add(ImportRun.Peak(err));
        }

        times.Sort();
        peaks.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: median {times[times.Count / 2]:F2} s (min {times[0]:F2}, max {times[^1]:F2}), peak memory median {peaks[peaks.Count / 2]} MB"));
        return 0;
    }

    private static double Floor(string db)
    {
        using var ws = Workspace.Open(db);
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            _ = ws.Query(
                "SELECT date_trunc('month', created_at) AS m, coalesce(channel, '(none)') AS ch, count(*) FROM leads WHERE created_at >= TIMESTAMP '2025-01-01' AND created_at < TIMESTAMP '2026-01-01' GROUP BY ALL",
                r => r.GetInt64(2)).Count();
            times.Add(sw.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[1];
    }

    private static void Generate(string db, long n)
    {
        using var ws = Workspace.Create(db, new WorkspaceSettings("UTC", "RUB"), TimeProvider.System);
        var N = n.ToString(CultureInfo.InvariantCulture);

        // Pseudo-random but deterministic: every choice is a hash of the row number and a salt. The leads are stored
        // in the order they were created, as importing the demo's files stores them (and a CRM's export listed by id):
        // the deals, activities and customers are made from them in that order. DuckDB skips the blocks of stored rows
        // whose date range a period rules out, so storing them in random order would make every report read them all.
        const string R = "(hash(i * 7919 + {0}) % 1000000) / 1000000.0";
        string Rnd(int salt) => string.Format(CultureInfo.InvariantCulture, R, salt);
        string Pick(int salt, params string[] values) => $"['{string.Join("','", values)}'][1 + (hash(i * 104729 + {salt.ToString(CultureInfo.InvariantCulture)}) % {values.Length.ToString(CultureInfo.InvariantCulture)})::INTEGER]";

        ws.Execute($"""
            INSERT INTO leads
            SELECT 'L' || i,
                   TIMESTAMP '2024-01-01' + to_seconds(CAST({Rnd(1)} * 730 * 86400 AS BIGINT)) AS created_at,
                   {Pick(2, "google_ads", "yandex_direct", "referral", "seo", "events", "cold_outbound")},
                   'camp-' || (hash(i * 31 + 3) % 40),
                   {Pick(4, "Иванов И.", "Петрова А.", "Smith J.", "Sidorov P.", "Kuznetsova O.", "Lee K.")},
                   {Pick(5, "SMB", "Mid-market", "Enterprise")},
                   {Pick(6, "Москва", "Санкт-Петербург", "Казань", "Новосибирск")},
                   {Pick(7, "IT", "Retail", "Manufacturing", "Finance", "Logistics")},
                   'Company ' || (hash(i * 17 + 8) % 50000),
                   CAST(hash(i * 13 + 9) % 3000 AS BIGINT),
                   {Pick(10, "Генеральный директор", "Head of Sales", "Менеджер", "CTO", "Бухгалтер", "Owner")},
                   CASE WHEN {Rnd(11)} < 0.7 THEN 'Внедрение CRM' END,
                   NULL,
                   TIMESTAMP '2024-01-01' + to_seconds(CAST({Rnd(1)} * 730 * 86400 AS BIGINT)) + to_seconds(CAST({Rnd(12)} * 36000 AS BIGINT)),
                   CASE WHEN {Rnd(13)} < 0.3 THEN TIMESTAMP '2024-01-01' + to_seconds(CAST({Rnd(1)} * 730 * 86400 AS BIGINT)) + to_seconds(CAST({Rnd(14)} * 20 * 86400 AS BIGINT)) END,
                   NULL, NULL, 1, i
            FROM range({N}) t(i)
            ORDER BY created_at
            """);
        // One deal for about two thirds of the qualified leads; won 35 %, lost 45 %, open 20 %.
        ws.Execute($"""
            INSERT INTO deals
            SELECT 'D' || i, qualified_at + to_seconds(CAST({Rnd(21)} * 10 * 86400 AS BIGINT)),
                   CASE WHEN {Rnd(22)} < 0.35 THEN 'won' WHEN {Rnd(22)} < 0.8 THEN 'lost' ELSE 'open' END AS status,
                   CASE WHEN {Rnd(22)} < 0.8 THEN qualified_at + to_seconds(CAST((10 + {Rnd(23)} * 110) * 86400 AS BIGINT)) END,
                   CASE WHEN {Rnd(22)} < 0.35 THEN CAST(10000 + round({Rnd(24)} * 590000) AS DECIMAL(18,4)) END,
                   NULL, lead_id, CASE WHEN {Rnd(22)} < 0.35 THEN 'C' || i END, owner,
                   {Pick(25, "consulting", "implementation", "training", "support")}, segment, region,
                   {Pick(26, "qualification", "discovery", "proposal", "negotiation")}, NULL, 1, i
            FROM (SELECT *, CAST(substr(lead_id, 2) AS BIGINT) AS i FROM leads WHERE qualified_at IS NOT NULL) l
            WHERE {Rnd(20)} < 0.67
            """);
        ws.Execute($"""
            INSERT INTO activities
            SELECT 'A' || d.deal_id || '-' || k, d.created_at + to_seconds(k * 86400 * 3), {Pick(31, "call", "meeting", "email", "call", "task")},
                   d.lead_id, d.deal_id, d.owner, 'outbound', 30, 1, k
            FROM (SELECT *, CAST(substr(deal_id, 2) AS BIGINT) AS i FROM deals) d, range(3) r(k)
            """);
        ws.Execute($"""
            INSERT INTO customers
            SELECT customer_id, closed_at, CASE WHEN {Rnd(41)} < 0.2 THEN closed_at + to_seconds(CAST((60 + {Rnd(42)} * 500) * 86400 AS BIGINT)) END,
                   'Customer ' || customer_id, segment, region, NULL, 1, i
            FROM (SELECT d.*, CAST(substr(deal_id, 2) AS BIGINT) AS i FROM deals d WHERE status = 'won')
            """);
        ws.Execute("UPDATE customers SET channel = l.channel FROM deals d JOIN leads l USING (lead_id) WHERE d.customer_id = customers.customer_id");
        ws.Execute($"""
            INSERT INTO revenue
            SELECT 'INV-' || c.customer_id || '-' || k, c.customer_id, CAST(c.acquired_at AS DATE) + CAST(30 * k AS INTEGER),
                   CAST(50000 + round({Rnd(51)} * 100000) AS DECIMAL(18,4)), CAST(20000 + round({Rnd(52)} * 40000) AS DECIMAL(18,4)), 1, k
            FROM (SELECT *, CAST(substr(customer_id, 2) AS BIGINT) AS i FROM customers) c, range(6) r(k)
            """);
        ws.Execute($"""
            INSERT INTO nps
            SELECT 'N' || customer_id, acquired_at + to_seconds(45 * 86400), CAST(hash(i * 61 + 62) % 11 AS BIGINT), customer_id, NULL, 1, i
            FROM (SELECT *, CAST(substr(customer_id, 2) AS BIGINT) AS i FROM customers) WHERE {Rnd(60)} < 0.4
            """);
        ws.Execute($"""
            INSERT INTO spend
            SELECT DATE '2024-01-01' + CAST(d AS INTEGER), CAST(round({N} / 2000.0 * (1 + (hash(d * 7 + c) % 10))) AS DECIMAL(18,4)),
                   ['google_ads', 'yandex_direct', 'seo', 'events', 'cold_outbound'][1 + c], 'camp-' || (d % 40), 1, d
            FROM range(730) a(d), range(5) b(c)
            """);
        // The rows went in by SQL, not through the import: derive what the import would keep beside them.
        foreach (var statement in DerivedTable.All.SelectMany(t => t.Rebuild()))
        {
            ws.Execute(statement);
        }

        ws.Execute("CHECKPOINT");
    }
}
