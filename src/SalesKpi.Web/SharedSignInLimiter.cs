using System.Threading.RateLimiting;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Web;

/// <summary>
/// The password sign-in limit of one client on a PostgreSQL workspace: each attempt is counted in the workspace
/// (<see cref="UsersService.CountSignInAttempt"/>, one row per client and window that every server process adds to), so
/// behind a load balancer the limit holds for all processes together instead of once per process. An attempt beyond
/// <see cref="ServerSecurity.SignInsPerWindow"/> in the window is refused with the time left in the window as its
/// Retry-After. It costs one write per sign-in attempt, which is why only the sign-in limit is shared (docs/server.md).
/// </summary>
internal sealed class SharedSignInLimiter(ServerOptions options, string client) : RateLimiter
{
    private long lastUsed = options.Clock.GetTimestamp();

    /// <inheritdoc />
    // Nothing is kept here between attempts: the partitioned limiter may drop an idle one and make it again.
    public override TimeSpan? IdleDuration => options.Clock.GetElapsedTime(Interlocked.Read(ref lastUsed));

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => null;

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Interlocked.Exchange(ref lastUsed, options.Clock.GetTimestamp());
        var ctx = new RequestContext(Language.En, options.Clock, "sign-in", options.WorkspacePath) { Wait = options.Wait };
        var count = new UsersService().CountSignInAttempt(client, options.Security.RateWindow, ctx);
        return count.Attempts <= options.Security.SignInsPerWindow ? Lease.Granted : new Lease(count.WindowLeft);
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private sealed class Lease(TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(null);

        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } after && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = after;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
