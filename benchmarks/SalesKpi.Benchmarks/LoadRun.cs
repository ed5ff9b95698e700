using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace SalesKpi.Benchmarks;

/// <summary>
/// A small load client for 'saleskpi serve': first calls of each view one after another (uncached latency), then
/// N clients for S seconds cycling through the same views (repeated views, cache warm). Reports requests/s,
/// p50/p90/p99/max latency, errors and the cache hits the server answered with.
/// </summary>
internal static class LoadRun
{
    public static int Run(string[] args)
    {
        var url = Arg(args, "--url") ?? "http://127.0.0.1:5080";
        var token = Arg(args, "--token") ?? Environment.GetEnvironmentVariable("SALESKPI_TOKEN") ?? throw new ArgumentException("--token or SALESKPI_TOKEN is required");
        var clients = int.Parse(Arg(args, "--clients") ?? "50", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Arg(args, "--seconds") ?? "30", CultureInfo.InvariantCulture);
        // An explicit as_of keeps the answers cached for the UTC quarter hour; without it the key changes every minute.
        var asOf = Arg(args, "--as-of") ?? "2025-12-31";
        var period = (Arg(args, "--period") ?? "2025") + (asOf == "none" ? string.Empty : "&as_of=" + asOf);
        var given = args.Select((a, i) => (a, i)).Where(x => x.a == "--view" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToArray();
        string[] views = given.Length > 0 ? given :
        [
            $"/api/v1/scorecard?period={period}",
            $"/api/v1/report?period={period}&grain=month&by=channel",
            $"/api/v1/funnel?period={period}",
            $"/api/v1/explain/win_rate?period={period}&limit=20",
            $"/api/v1/scorecard?period={period}&lang=ru",
            $"/api/v1/report?period={period}&grain=month&by=channel&lang=ru",
        ];

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(120),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Console.WriteLine($"first calls (uncached), one at a time, against {url}:");
        foreach (var view in views)
        {
            var (ms, status, cache) = Call(http, view).GetAwaiter().GetResult();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {ms,8:0.0} ms  {status}  {cache,-4}  {view}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repeated views: {clients} clients x {seconds} s, round robin over {views.Length} views"));
        var latencies = new List<double>[clients];
        var errors = 0L;
        var hits = 0L;
        var misses = 0L;
        var stop = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            for (var i = c; stop.Elapsed < until; i++)
            {
                var (ms, status, cache) = await Call(http, views[i % views.Length]).ConfigureAwait(false);
                mine.Add(ms);
                if (status != 200)
                {
                    Interlocked.Increment(ref errors);
                }

                if (cache == "hit")
                {
                    Interlocked.Increment(ref hits);
                }
                else
                {
                    Interlocked.Increment(ref misses);
                }
            }
        })).ToArray();
        Task.WaitAll(tasks);
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  requests {all.Length}, {all.Length / elapsed:0} req/s, errors {errors}, cache hit {hits} miss {misses}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  latency ms: p50 {Pct(all, 0.50):0.0}  p90 {Pct(all, 0.90):0.0}  p99 {Pct(all, 0.99):0.0}  max {all[^1]:0.0}"));
        return errors == 0 ? 0 : 1;
    }

    private static async Task<(double Ms, int Status, string Cache)> Call(HttpClient http, string path)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            _ = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var cache = response.Headers.TryGetValues("X-SalesKpi-Cache", out var v) ? string.Join(",", v) : "-";
            return (watch.Elapsed.TotalMilliseconds, (int)response.StatusCode, cache);
        }
        catch (HttpRequestException)
        {
            return (watch.Elapsed.TotalMilliseconds, 0, "-");
        }
        catch (TaskCanceledException)
        {
            return (watch.Elapsed.TotalMilliseconds, 0, "-");
        }
    }

    private static double Pct(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
