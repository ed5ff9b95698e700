using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SalesKpi.Web;

/// <summary>
/// One structured log entry per request (category <c>SalesKpi.Requests</c>, level Information): method, path,
/// status, milliseconds, the signed-in user (or <c>-</c>) and the trace id of the request's <see cref="Activity"/>,
/// so that an OpenTelemetry exporter attached to the host correlates them with ASP.NET Core's own traces and metrics.
/// The query string is left out: it can carry names of people and slices.
/// </summary>
internal static partial class RequestLog
{
    /// <summary>The log category of the entries.</summary>
    public const string Category = "SalesKpi.Requests";

    public static void Use(WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        app.Use(async (http, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(http).ConfigureAwait(false);
            }
            finally
            {
                if (log.IsEnabled(LogLevel.Information))
                {
                    var user = ApiAuth.SignedInUser(http)?.User.Name ?? "-";
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var trace = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
                    Handled(log, http.Request.Method, http.Request.Path.Value ?? "/", http.Response.StatusCode, elapsed, user, trace);
                }
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {ElapsedMs:F1} ms user={User} trace={TraceId}")]
    private static partial void Handled(ILogger logger, string method, string path, int status, double elapsedMs, string user, string traceId);
}
