using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using SalesKpi.Core;

namespace SalesKpi.Web;

/// <summary>
/// The server's cache of read answers (<c>GET</c> views such as report, scorecard, funnel, explain). An answer is
/// keyed by its path and normalized query, the request's language, the caller's data scope (a rep's CRM owner and
/// company-totals flag, or "all"), the data version of the server's <see cref="WriteGate"/> (bumped by every change
/// and import, which also covers KPI-system versions), the workspace's stored data version when it keeps one
/// (<see cref="StoredVersion"/>: a PostgreSQL workspace that other server processes change too) and the part of the clock the answer depends on: the current
/// UTC minute without as_of (the answer is computed at "now", default periods depend on today), the current UTC
/// quarter hour with an explicit as_of (only "partial" flags follow the clock then); answers for an as_of in the
/// future are not kept. Only 200 answers are kept, with their bytes, content type and warnings header;
/// the least recently used go first beyond <see cref="MaxEntries"/> entries or <see cref="MaxBytes"/> bytes.
/// Requests for the same missing key at the same time compute it once. Each cached endpoint answers with the
/// header <c>X-SalesKpi-Cache: hit|miss</c>. See docs/server.md.
/// </summary>
public sealed class ResultCache(WriteGate gate, TimeProvider clock, int maxEntries = 500, long maxBytes = 200L * 1024 * 1024)
{
    /// <summary>The header that says whether an answer came from the cache.</summary>
    public const string Header = "X-SalesKpi-Cache";

    private const string WarningsHeader = "X-SalesKpi-Warnings";

    private readonly Lock sync = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> recency = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<Entry?>>> inFlight = new(StringComparer.Ordinal);
    private long bytes;

    /// <summary>The most answers kept.</summary>
    public int MaxEntries { get; } = maxEntries;

    /// <summary>The most bytes of keys and answers kept.</summary>
    public long MaxBytes { get; } = maxBytes;

    /// <summary>
    /// Reads the workspace's own data version (<see cref="SalesKpi.Storage.Workspace.DataVersion"/>) once per request,
    /// before the answer is computed, so a change committed by another process makes the next request a miss; null
    /// (DuckDB, where this process is the only writer) leaves the write gate's version alone in charge.
    /// </summary>
    public Func<long?>? StoredVersion { get; init; }

    /// <summary>How many answers are kept now.</summary>
    public int Count
    {
        get
        {
            lock (sync)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Answers the GET requests of <paramref name="routes"/> (a route or a group) from the cache when it can.</summary>
    public static TBuilder Cached<TBuilder>(TBuilder routes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.AddEndpointFilter((context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<ResultCache>().AnswerAsync(context, next));
    }

    /// <summary>
    /// The cache key of <paramref name="http"/>, or null when the request is not cached (not a GET, nobody signed
    /// in, or a language that is not one): visible to tests so that they can tell what separates two answers.
    /// </summary>
    internal string? KeyOf(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method) || ApiAuth.SignedInUser(http) is not { } user)
        {
            return null;
        }

        Language language;
        try
        {
            language = ApiServer.LanguageOf(http.Request);
        }
        catch (SalesKpiException)
        {
            return null;
        }

        // Query values keep their order within a name (slice=a&slice=b is not b then a), names are sorted.
        var key = new StringBuilder(http.Request.Path.Value);
        foreach (var (name, values) in http.Request.Query.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            foreach (var value in values)
            {
                key.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value ?? string.Empty));
            }
        }

        var scope = user.Scope is { } s ? string.Create(CultureInfo.InvariantCulture, $"owner:{Uri.EscapeDataString(s.Owner)}:totals:{s.CompanyTotals}") : "all";
        var stored = StoredVersion?.Invoke() is { } v ? string.Create(CultureInfo.InvariantCulture, $".{v}") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{key}|{language}|{scope}|v{gate.Version}{stored}|{Moment(http.Request.Query.ContainsKey("as_of"))}");
    }

    /// <summary>
    /// The part of "now" an answer depends on. Without as_of the answer is computed at now: the current UTC minute.
    /// With an explicit as_of only the partial flags of periods that end after now follow the clock, and they flip at a
    /// midnight of the workspace's time zone, which falls on a quarter hour in UTC for every zone in use: the current
    /// UTC quarter hour. (An as_of in the future counts up to now: such answers are not kept, see ComputeAsync.)
    /// </summary>
    private string Moment(bool explicitAsOf)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return explicitAsOf
            ? string.Create(CultureInfo.InvariantCulture, $"{now:yyyy-MM-ddTHH}q{now.Minute / 15}")
            : now.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
    }

    private async ValueTask<object?> AnswerAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (KeyOf(http) is not { } key)
        {
            return await next(context).ConfigureAwait(false);
        }

        if (Find(key) is { } hit)
        {
            return Replay(http, hit);
        }

        var mine = new Lazy<Task<Entry?>>(() => ComputeAsync(key, context, next), LazyThreadSafetyMode.ExecutionAndPublication);
        var flight = inFlight.GetOrAdd(key, mine);
        if (!ReferenceEquals(flight, mine))
        {
            // Another request computes the same answer now: wait for it; if it fails or is not kept, compute ours.
            Entry? shared = null;
            try
            {
                shared = await flight.Value.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The other request reports its own failure; this one computes its own answer.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            if (shared is not null)
            {
                return Replay(http, shared);
            }

            http.Response.Headers[Header] = "miss";
            return await next(context).ConfigureAwait(false);
        }

        try
        {
            await mine.Value.ConfigureAwait(false);
            return http.Items[ResultKey];
        }
        finally
        {
            inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<Entry?>>>(key, mine));
        }
    }

    private static readonly object ResultKey = new();

    /// <summary>How many dashboard views (<see cref="View{T}"/>) are kept at most.</summary>
    public const int MaxViews = 100;

    private readonly Dictionary<string, LinkedListNode<(string Key, object Value)>> views = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, object Value)> viewRecency = new();
    private readonly ConcurrentDictionary<string, Lazy<object>> viewsInFlight = new(StringComparer.Ordinal);

    /// <summary>How many dashboard views are kept now.</summary>
    public int ViewCount
    {
        get
        {
            lock (sync)
            {
                return views.Count;
            }
        }
    }

    /// <summary>
    /// The service results a dashboard page renders (<typeparamref name="T"/>, loaded by <paramref name="load"/>), kept
    /// under the same key as an API answer to the page's request — path and query, language, data scope, data version
    /// and the part of the clock it depends on — so a change or an import makes every page compute afresh, exactly as it
    /// does for the API. The page itself (its antiforgery token, the user's name) is rendered per request. Nothing is
    /// kept for an as-of in the future (<paramref name="warnings"/> says so) or a load that throws; requests for the
    /// same missing view at the same time load it once. Sets <see cref="Header"/> to hit or miss.
    /// </summary>
    internal T View<T>(HttpContext http, Func<T> load, Func<T, IEnumerable<Msg>> warnings)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(warnings);
        if (KeyOf(http) is not { } requestKey)
        {
            return load();
        }

        var key = typeof(T).FullName + "|" + requestKey;
        lock (sync)
        {
            if (views.TryGetValue(key, out var node))
            {
                viewRecency.Remove(node);
                viewRecency.AddFirst(node);
                http.Response.Headers[Header] = "hit";
                return (T)node.Value.Value;
            }
        }

        http.Response.Headers[Header] = "miss";
        var mine = new Lazy<object>(() => load(), LazyThreadSafetyMode.ExecutionAndPublication);
        var flight = viewsInFlight.GetOrAdd(key, mine);
        T value;
        try
        {
            value = (T)flight.Value;
        }
        finally
        {
            viewsInFlight.TryRemove(new KeyValuePair<string, Lazy<object>>(key, mine));
        }

        if (ReferenceEquals(flight, mine) && !warnings(value).Any(w => w.Code == "asof.in_future"))
        {
            lock (sync)
            {
                if (views.Remove(key, out var old))
                {
                    viewRecency.Remove(old);
                }

                views[key] = viewRecency.AddFirst((key, value));
                while (views.Count > MaxViews)
                {
                    views.Remove(viewRecency.Last!.Value.Key);
                    viewRecency.RemoveLast();
                }
            }
        }

        return value;
    }

    private async Task<Entry?> ComputeAsync(string key, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers[Header] = "miss";
        var result = await next(context).ConfigureAwait(false);
        http.Items[ResultKey] = result;
        if (result is not ContentHttpResult { StatusCode: null or StatusCodes.Status200OK } content || content.ResponseContent is null)
        {
            return null;
        }

        var warnings = http.Response.Headers.TryGetValue(WarningsHeader, out var w) ? w.ToString() : null;
        if (warnings is not null && warnings.Split(',').Contains("asof.in_future", StringComparer.Ordinal))
        {
            return null;
        }

        var entry = new Entry(key, Encoding.UTF8.GetBytes(content.ResponseContent), content.ContentType ?? "application/json; charset=utf-8", warnings);
        Store(entry);
        return entry;
    }

    private static FileContentHttpResult Replay(HttpContext http, Entry entry)
    {
        http.Response.Headers[Header] = "hit";
        if (entry.Warnings is not null)
        {
            http.Response.Headers[WarningsHeader] = entry.Warnings;
        }

        return TypedResults.Bytes(entry.Body, entry.ContentType);
    }

    private Entry? Find(string key)
    {
        lock (sync)
        {
            if (!entries.TryGetValue(key, out var node))
            {
                return null;
            }

            recency.Remove(node);
            recency.AddFirst(node);
            return node.Value;
        }
    }

    private void Store(Entry entry)
    {
        if (entry.Size > MaxBytes)
        {
            return;
        }

        lock (sync)
        {
            if (entries.Remove(entry.Key, out var old))
            {
                recency.Remove(old);
                bytes -= old.Value.Size;
            }

            entries[entry.Key] = recency.AddFirst(entry);
            bytes += entry.Size;
            while (entries.Count > MaxEntries || bytes > MaxBytes)
            {
                var last = recency.Last!;
                recency.RemoveLast();
                entries.Remove(last.Value.Key);
                bytes -= last.Value.Size;
            }
        }
    }

    private sealed record Entry(string Key, byte[] Body, string ContentType, string? Warnings)
    {
        public long Size => Body.LongLength + (2L * Key.Length);
    }
}
