using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using SalesKpi.Application.Contracts;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>Which scorecard to evaluate.</summary>
/// <param name="Period">A month, quarter or year, or null for the quarter of the as-of moment.</param>
/// <param name="AsOf">The as-of moment, or null for now.</param>
/// <param name="ConfigVersion">A KPI-system version to evaluate with instead of the one in force.</param>
/// <param name="By">A dimension whose every slice is shown too, or null.</param>
public sealed record ScorecardQuery(string? Period, string? AsOf, int? ConfigVersion, string? By = null);

/// <summary>An evaluated scorecard.</summary>
/// <param name="Scorecard">The rows, goals and notes.</param>
/// <param name="Currency">The workspace currency.</param>
/// <param name="Zone">The workspace time zone.</param>
/// <param name="Warnings">Warnings for the user (as-of in the future, KPI-system file not applied), in the caller's language.</param>
public sealed record ScorecardAnswer(ScorecardResult Scorecard, string Currency, TimeZoneInfo Zone, IReadOnlyList<Msg> Warnings);

/// <summary>The verdict of <c>check</c>: the scorecard of KPIs with a target and the exit code for cron.</summary>
/// <param name="Scorecard">The scorecard evaluated for targets only.</param>
/// <param name="Judged">The rows that have a target.</param>
/// <param name="ExitCode">0 on track, 1 at risk, 2 off track (<see cref="CheckExit"/>).</param>
/// <param name="Currency">The workspace currency.</param>
/// <param name="Warnings">Warnings for the user, in the caller's language.</param>
public sealed record CheckAnswer(ScorecardResult Scorecard, IReadOnlyList<ScorecardRow> Judged, int ExitCode, string Currency, IReadOnlyList<Msg> Warnings);

/// <summary>Exit codes of <c>check</c>, for cron and CI.</summary>
public static class CheckExit
{
    /// <summary>Every KPI with a target is on track (or too early to judge).</summary>
    public const int OnTrack = 0;

    /// <summary>At least one KPI is at risk, none off track.</summary>
    public const int AtRisk = 1;

    /// <summary>At least one KPI is off track.</summary>
    public const int OffTrack = 2;

    /// <summary>The check itself failed.</summary>
    public const int Error = 3;
}

/// <summary>The scorecard, check and snapshot use cases: the KPI system judged for a period.</summary>
public sealed class ScorecardService
{
    /// <summary>Evaluates the scorecard with every active KPI (and the slices of <see cref="ScorecardQuery.By"/>).</summary>
    public ScorecardAnswer Run(ScorecardQuery query, RequestContext ctx) => Run(query, ctx, null);

    /// <summary>As <see cref="Run(ScorecardQuery, RequestContext)"/>, its totals served from and kept in <paramref name="memo"/> (one use case's memo).</summary>
    internal ScorecardAnswer Run(ScorecardQuery query, RequestContext ctx, KpiMemo? memo)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var (period, asOf, warnings) = Resolve(query, ws, ctx);
        var s = new ScorecardEngine(ws, memo).Run(period, asOf, query.By is null ? [] : [query.By], query.ConfigVersion);
        AddDrift(warnings, ws, ctx);
        if (ctx.Scope is not null)
        {
            s = Scoping.Explain(s);
        }

        return new ScorecardAnswer(s, ws.Settings.Currency, ws.Settings.Zone, warnings);
    }

    /// <summary>Judges the KPIs that have a target and chooses the exit code.</summary>
    public CheckAnswer Check(ScorecardQuery query, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var (period, asOf, warnings) = Resolve(query, ws, ctx);
        var s = new ScorecardEngine(ws).RunForTargets(period, asOf, query.ConfigVersion);
        AddDrift(warnings, ws, ctx);
        if (ctx.Scope is not null)
        {
            s = Scoping.Explain(s);
        }

        var code = s.Worst switch
        {
            TargetStatus.OffTrack => CheckExit.OffTrack,
            TargetStatus.AtRisk => CheckExit.AtRisk,
            _ => CheckExit.OnTrack,
        };
        return new CheckAnswer(s, [.. s.Rows.Where(r => r.Target is not null)], code, ws.Settings.Currency, warnings);
    }

    /// <summary>
    /// Posts the scorecard JSON to <paramref name="url"/>, retrying transient failures (network errors,
    /// timeouts, 408, 429, 5xx) with exponential backoff 0.5 s, 1 s, 2 s…; throws when every attempt failed.
    /// </summary>
    public async Task NotifyAsync(ScorecardResult scorecard, Uri url, int retries, RequestContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var json = ScorecardOutput.Json(scorecard, ctx.Language);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("saleskpi/" + ProductVersion);
        string? last = null;
        for (var attempt = 0; attempt <= retries; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1)), ctx.Clock, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                using var content = new StringContent(json, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                var transient = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                if (!transient)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = ex.Message;
            }
        }

        throw new SalesKpiException(Msg.Of("notify.failed", "The notification to {0} failed: {1}. Check the URL and that the receiver is up.", "Уведомление на {0} не доставлено: {1}. Проверьте адрес и что получатель работает.", url.ToString(), last));
    }

    /// <summary>Stores the scorecard as reported (totals and slices with a target, or every slice of By) and returns the snapshot id and what it holds.</summary>
    public (int Id, ScorecardResult Scorecard, IReadOnlyList<Msg> Warnings) Snapshot(ScorecardQuery query, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var (period, asOf, warnings) = Resolve(query, ws, ctx);
        var engine = new ScorecardEngine(ws);
        var s = query.By is null ? engine.RunForTargets(period, asOf, query.ConfigVersion) : engine.Run(period, asOf, [query.By], query.ConfigVersion);
        var document = s.Version?.Document ?? KpiSystemWriter.Write(ConfigStore.Current(ws));
        var id = Snapshots.Save(ws, s, document, ScorecardOutput.Stored(s), ctx.Clock.GetUtcNow().UtcDateTime);

        // The snapshot commits in its own transaction; its record follows at once.
        AuditService.Record(ws, ctx, "snapshot.take", "#" + id.ToString(System.Globalization.CultureInfo.InvariantCulture), [new("period", s.Period.Label), new("by", query.By), new("config_version", s.Version?.Number)]);
        return (id, s, warnings);
    }

    /// <summary>The product version sent as the webhook's User-Agent.</summary>
    public static string ProductVersion =>
        typeof(ScorecardService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static (Period Period, DateTimeOffset AsOf, List<Msg> Warnings) Resolve(ScorecardQuery query, Workspace ws, RequestContext ctx)
    {
        var zone = ws.Settings.Zone;
        return TimeRules.Resolve(ws, query.Period, query.AsOf, DefaultPeriod.CurrentQuarter, ctx.Clock);
    }

    private static void AddDrift(List<Msg> warnings, Workspace ws, RequestContext ctx)
    {
        if (KpiSystemFiles.Drift(ctx.WorkspacePath, ws) is { } drift)
        {
            warnings.Add(drift);
        }
    }
}
