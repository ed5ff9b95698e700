using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Dashboard.Pages;
using SalesKpi.Web;

using static SalesKpi.Benchmarks.BenchSupport;

namespace SalesKpi.Benchmarks;

/// <summary>
/// The dashboard's server time (issue 15, "Fast"): the real server built in-process by <see cref="ApiServer.Build"/>
/// on a copy of a kept workspace, an admin signed in with a token, and a GET of every page in the navigation
/// (<see cref="Shell.Pages"/>) plus the KPI page of a count and a median KPI. Per page: the first call (cold: nothing
/// cached, engine connections not yet open), a recomputation after a change (the data version bumped through the
/// server's <see cref="WriteGate"/>, as a write does: connections warm, caches invalid) and the repeated view (median
/// of N).
/// </summary>
public static class PagesRun
{
    public static int Run(string[] args)
    {
        var source = Option(args, "--db", Path.Combine(Path.GetTempPath(), "saleskpi-report-bench-1000000", "bench.duckdb"));
        var runs = int.Parse(Option(args, "--runs", "7"), CultureInfo.InvariantCulture);
        var period = Option(args, "--period", "2025-Q4");
        var asOf = Option(args, "--as-of", "2026-06-01");
        if (!File.Exists(source))
        {
            Console.Error.WriteLine($"No workspace {source}: generate one with 'report --leads 1000000 --keep DIR'.");
            return 1;
        }

        Machine.Print();
        var dir = Directory.CreateTempSubdirectory("saleskpi-pages-");
        var db = Path.Combine(dir.FullName, "bench.duckdb");
        File.Copy(source, db);
        try
        {
            var ctx = new RequestContext(Language.En, TimeProvider.System, "bench", db);
            var users = new UsersService();
            users.Add(new AddUserRequest("bench", "admin", null, "bench-password-1"), ctx);
            var token = users.CreateToken("bench", null, ctx).Secret;
            var app = ApiServer.Build(new ServerOptions(db, ["http://127.0.0.1:0"], TimeProvider.System) { Security = new ServerSecurity { RequestsPerWindow = 1_000_000 } });
            app.StartAsync().GetAwaiter().GetResult();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var gate = (WriteGate)app.Services.GetService(typeof(WriteGate))!;
                var query = $"period={period}&as_of={asOf}";
                var pages = Shell.Pages.Select(p => p.Path).Concat(["/kpi/leads", "/kpi/lead_response_time"])
                    .Select(p => p + (p.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process server (ApiServer.Build, Kestrel on loopback), admin token, {query}; load average before: {LoadAverage()}"));
                Console.WriteLine("| page | status | cold (first), wall (process CPU) | after a change (recomputed) | repeated (median of " + runs + ") | bytes |");
                Console.WriteLine("|---|---|---|---|---|---|");
                foreach (var page in pages)
                {
                    var (cold, status, size) = Get(http, page);
                    var coldCpu = LastCpu;
                    var recomputed = new List<double>();
                    var recomputedCpu = new List<double>();
                    var warm = new List<double>();
                    for (var i = 0; i < Math.Max(1, runs / 2); i++)
                    {
                        gate.EnterAsync(TimeSpan.FromSeconds(30), CancellationToken.None).GetAwaiter().GetResult().Dispose();
                        recomputed.Add(Get(http, page).Ms);
                        recomputedCpu.Add(LastCpu);
                    }

                    for (var i = 0; i < runs; i++)
                    {
                        warm.Add(Get(http, page).Ms);
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `{page}` | {status} | {cold:F0} ms (CPU {coldCpu:F0}) | {Median(recomputed):F0} ms (CPU {Median(recomputedCpu):F0}) | {Median(warm):F0} ms | {size:N0} |"));
                }

                Console.WriteLine("load average after: " + LoadAverage());
            }
            finally
            {
                app.StopAsync().GetAwaiter().GetResult();
                ((IDisposable)app).Dispose();
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        return 0;
    }

    private static (double Ms, int Status, long Size) Get(HttpClient http, string path)
    {
        var sw = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        using var response = http.GetAsync(new Uri(path, UriKind.Relative)).GetAwaiter().GetResult();
        var body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        LastCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        return (sw.Elapsed.TotalMilliseconds, (int)response.StatusCode, body.LongLength);
    }

    // The CPU time the whole process spent during the last request (all threads): the work, which a loaded machine
    // stretches far less than the wall time.
    private static double LastCpu { get; set; }
}
