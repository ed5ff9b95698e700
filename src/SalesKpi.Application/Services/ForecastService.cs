using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>What a forecast request asks for beside its period.</summary>
/// <param name="By">Slice dimension: <c>owner</c>, <c>channel</c> or <c>service_line</c>; null for none.</param>
/// <param name="Runs">Monte Carlo runs.</param>
/// <param name="Seed">Seed: the same seed gives the same output.</param>
/// <param name="RevenueTarget">Won revenue target of the period; null for none.</param>
/// <param name="DealsTarget">Won deals target of the period; null for none.</param>
public sealed record ForecastRequest(string? By = null, int Runs = 2000, int Seed = 1, decimal? RevenueTarget = null, decimal? DealsTarget = null);

/// <summary>The forecast of won deals and revenue (docs/forecast.md) and its backtest against past periods.</summary>
public sealed class ForecastService
{
    /// <summary>The dimensions a forecast may be sliced by.</summary>
    public static readonly IReadOnlyList<string> Dimensions = ["owner", "channel", "service_line"];

    /// <summary>The forecast of the period (the current quarter by default) as of the window's as-of.</summary>
    public AnalysisAnswer<ForecastReport> Forecast(AnalysisWindow window, ForecastRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        Check(request);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var (period, asOf, warnings) = TimeRules.Resolve(ws, window.Period, window.AsOf, DefaultPeriod.CurrentQuarter, ctx.Clock);
        var report = new ForecastEngine(ws).Run(period, asOf, new ForecastOptions(request.By, request.Runs, request.Seed), new ForecastTargets(request.RevenueTarget, request.DealsTarget));
        return new AnalysisAnswer<ForecastReport>(report, period, null, ws.Settings.Currency, ws.Settings.Zone, warnings);
    }

    /// <summary>
    /// The backtest of the periods <paramref name="range"/> names (<c>FROM..TO</c>, each a period of the same kind, e.g.
    /// <c>2016-Q1..2017-Q4</c>), forecast as of each one's start or midpoint, scored against what happened by the window's as-of.
    /// </summary>
    public AnalysisAnswer<BacktestReport> Backtest(string range, bool mid, string? asOf, ForecastRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        Check(request);
        var periods = Periods(range);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var now = TimeRules.ResolveAsOf(asOf, ws.Settings.Zone, ctx.Clock, out var warning);
        var report = new ForecastEngine(ws).Backtest(periods, mid, now, new ForecastOptions(null, request.Runs, request.Seed));
        var whole = Period.Range(periods[0].Start, periods[^1].End);
        return new AnalysisAnswer<BacktestReport>(report, whole, null, ws.Settings.Currency, ws.Settings.Zone, warning is null ? [] : [warning]);
    }

    /// <summary>The periods of <c>FROM..TO</c>: FROM, the periods of its kind after it, up to TO.</summary>
    public static IReadOnlyList<Period> Periods(string range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var parts = range.Split("..");
        Period? first = null, last = null;
        if (parts.Length == 2)
        {
            first = Period.Parse(parts[0]);
            last = Period.Parse(parts[1]);
        }

        if (first?.Kind is not { } kind || last?.Kind != kind || last.End <= first.Start || kind == Grain.Day)
        {
            throw new SalesKpiException(Msg.Of(
                "forecast.backtest_range",
                "--backtest '{0}' is not a range of periods: write FROM..TO with two periods of one kind, e.g. 2016-Q1..2017-Q4 or 2017-01..2017-12.",
                "--backtest «{0}» — не диапазон периодов: укажите С..ПО, два периода одного вида, например 2016-Q1..2017-Q4 или 2017-01..2017-12.",
                range));
        }

        return Period.Range(first.Start, last.End).Split(kind);
    }

    private static void Check(ForecastRequest request)
    {
        if (request.By is { } by && !Dimensions.Contains(by))
        {
            throw new SalesKpiException(Msg.Of(
                "forecast.by",
                "--by '{0}' is not supported by forecast: use owner, channel or service_line.",
                "--by «{0}» не поддерживается прогнозом: используйте owner, channel или service_line.",
                by));
        }

        if (request.Runs is < 100 or > 100_000)
        {
            throw new SalesKpiException(Msg.Of("forecast.runs", "--runs {0} is out of range: give 100 to 100000.", "--runs {0} вне диапазона: укажите от 100 до 100000.", request.Runs));
        }
    }
}
