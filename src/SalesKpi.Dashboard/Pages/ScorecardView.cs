using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Dashboard.Pages;

/// <summary>
/// What the scorecard page shows: the scorecard of one period for the whole company or for one slice
/// (<see cref="Dimension"/> = <see cref="Value"/>), and each KPI's last twelve months for its sparkline.
/// </summary>
/// <param name="Answer">The evaluated scorecard (totals, plus every slice of <see cref="Dimension"/> when filtered).</param>
/// <param name="Rows">The rows shown: the totals, or the rows of the chosen slice.</param>
/// <param name="Trend">KPI id → the value of each of the twelve months that end with the period; catalogue KPIs only.</param>
/// <param name="Dimension">The filter's dimension; null for the whole company.</param>
/// <param name="Value">The filter's value; null for the whole company.</param>
/// <param name="Choices">The values <see cref="Dimension"/> takes in the period, for the filter's list; empty without a dimension.</param>
public sealed record ScorecardView(
    ScorecardAnswer Answer,
    IReadOnlyList<ScorecardRow> Rows,
    IReadOnlyDictionary<string, IReadOnlyList<(string Month, decimal? Value)>> Trend,
    string? Dimension,
    string? Value,
    IReadOnlyList<string> Choices)
{
    /// <summary>
    /// The forecast tile: won deals and revenue expected in the period (500 Monte Carlo runs: the expectations are exact
    /// sums and do not depend on the runs, only the interval does); null when filtered or for a rep, whose scope the
    /// forecast does not apply.
    /// </summary>
    public SalesKpi.Metrics.Analyses.ForecastReport? Forecast { get; init; }

    /// <summary>The dimensions the scorecard can be filtered by.</summary>
    public static readonly IReadOnlyList<string> Dimensions = ["owner", "channel", "segment", "region", "service_line"];

    /// <summary>Monte Carlo runs of the forecast tile: fewer than the command's default, to keep the page cheap.</summary>
    public const int TileRuns = 500;

    /// <summary>
    /// Loads the scorecard of <paramref name="period"/> (null: the quarter of as-of) filtered to
    /// <paramref name="dimension"/> = <paramref name="value"/> when both are given, with the trend of its KPIs.
    /// </summary>
    public static ScorecardView Load(ScorecardService scorecards, ReportService reports, RequestContext ctx, string? period, string? asOf, string? dimension, string? value)
    {
        ArgumentNullException.ThrowIfNull(scorecards);
        ArgumentNullException.ThrowIfNull(reports);
        var answer = scorecards.Run(new ScorecardQuery(period, asOf, null, dimension), ctx);
        var s = answer.Scorecard;
        var choices = dimension is null ? [] : s.Rows.Where(r => !r.Result.IsTotal && r.Result.Slice.ContainsKey(dimension)).Select(r => r.Result.Slice[dimension]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var filtered = dimension is not null && !string.IsNullOrEmpty(value);
        var rows = s.Rows.Where(r => filtered ? !r.Result.IsTotal && r.Result.Slice.TryGetValue(dimension!, out var v) && v == value : r.Result.IsTotal).ToList();

        // The sparkline covers the twelve months that end with the period's last month.
        var lastMonth = new DateOnly(s.Period.LastDay.Year, s.Period.LastDay.Month, 1);
        var range = Period.Range(lastMonth.AddMonths(-11), lastMonth.AddMonths(1));
        var ids = rows.Where(r => r.Kpi.Custom is null).Select(r => r.Kpi.Id).Distinct(StringComparer.Ordinal).ToList();
        var trend = new Dictionary<string, IReadOnlyList<(string, decimal?)>>(StringComparer.Ordinal);
        if (ids.Count > 0)
        {
            var by = filtered ? new[] { dimension! } : [];
            var report = reports.Run(new ReportQuery(range.Label, asOf, "month", by, ids), ctx).Report;
            foreach (var group in report.Results
                .Where(r => filtered ? r.Slice.TryGetValue(dimension!, out var v) && v == value : r.IsTotal)
                .Where(r => r.Period.Kind == Grain.Month)
                .GroupBy(r => r.Kpi.Id, StringComparer.Ordinal))
            {
                trend[group.Key] = [.. group.OrderBy(r => r.Period.Start).Select(r => (r.Period.Label, r.Value))];
            }
        }

        ArgumentNullException.ThrowIfNull(ctx);
        // A rep's forecast is of the rep's own deals and leads: the service runs on the scoped connection.
        var forecast = dimension is null
            ? new ForecastService().Forecast(new AnalysisWindow(s.Period.Label, asOf), new ForecastRequest(Runs: TileRuns), ctx).Report
            : null;
        return new ScorecardView(answer, rows, trend, dimension, filtered ? value : null, choices) { Forecast = forecast };
    }
}
