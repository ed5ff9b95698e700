using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Dashboard.Pages;

/// <summary>
/// What the leaderboard shows for one period: each owner's value of six rep-level KPIs with n and the 95 % interval,
/// beside the team's value — the results of <c>saleskpi report --by owner</c> and <c>GET /api/v1/report?by=owner</c>.
/// Nobody is ranked on noise: there is no 1..N rank, and an owner is marked above or below the team only where the
/// owner's interval excludes the team's value (<see cref="Mark"/>).
/// </summary>
/// <param name="Period">The period shown.</param>
/// <param name="Team">KPI id → the team's (whole company's) result.</param>
/// <param name="Owners">The owners in display order, each with KPI id → result (a KPI an owner has no records of is absent).</param>
/// <param name="Sort">The column the owners are sorted by: <c>owner</c> or one of <see cref="Kpis"/>.</param>
/// <param name="Currency">The workspace currency.</param>
/// <param name="Warnings">Warnings for the reader.</param>
public sealed record LeaderboardView(Period Period, IReadOnlyDictionary<string, KpiResult> Team, IReadOnlyList<(string Owner, IReadOnlyDictionary<string, KpiResult> Results)> Owners, string Sort, string Currency, IReadOnlyList<Msg> Warnings)
{
    /// <summary>The KPIs side by side, in column order.</summary>
    public static readonly IReadOnlyList<string> Kpis = ["win_rate", "average_deal_size", "sales_cycle_length", "lead_response_time", "activities_per_deal", "lead_to_sql_rate"];

    /// <summary>
    /// +1 when the owner's 95 % interval lies wholly above the team's value, −1 wholly below, 0 when it contains it or
    /// either side is undefined (no interval, no team value): above/below in value, whichever direction is better.
    /// </summary>
    public static int Mark(KpiResult? owner, KpiResult? team) =>
        owner?.Ci95 is not { } ci || owner.Value is null || team?.Value is not { } t ? 0
        : ci.Low > t ? 1
        : ci.High < t ? -1
        : 0;

    /// <summary>
    /// Loads the six KPIs by owner for <paramref name="period"/> (null: the current year, as <c>saleskpi report</c>),
    /// sorted by <paramref name="sort"/>: <c>owner</c> (the default) by name, a KPI id by its value, the better end first
    /// (undefined values last, then by name). An unknown column or a bad period throws with what to fix.
    /// </summary>
    public static LeaderboardView Load(ReportService reports, RequestContext ctx, string? period, string? asOf, string? sort)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var by = sort ?? "owner";
        if (by != "owner" && !Kpis.Contains(by))
        {
            throw new SalesKpiException(Msg.Of("leaderboard.bad_sort", "sort={0} is not a column: use owner or one of {1}.", "sort={0} — нет такого столбца: используйте owner или один из {1}.", by, string.Join(", ", Kpis)));
        }

        var answer = reports.Run(new ReportQuery(period, asOf, null, ["owner"], Kpis), ctx);
        var results = answer.Report.Results;
        var team = results.Where(r => r.IsTotal).GroupBy(r => r.Kpi.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var owners = results.Where(r => r.Slice.ContainsKey("owner"))
            .GroupBy(r => r.Slice["owner"], StringComparer.Ordinal)
            .Select(g => (Owner: g.Key, Results: (IReadOnlyDictionary<string, KpiResult>)g.GroupBy(r => r.Kpi.Id).ToDictionary(x => x.Key, x => x.First(), StringComparer.Ordinal)))
            .ToList();
        IEnumerable<(string Owner, IReadOnlyDictionary<string, KpiResult> Results)> ordered = owners.OrderBy(o => o.Owner, StringComparer.Ordinal);
        if (by != "owner")
        {
            var lowerIsBetter = KpiCatalog.Get(by).Direction == KpiDirection.Lower;
            decimal? ValueOf((string Owner, IReadOnlyDictionary<string, KpiResult> Results) o) => o.Results.TryGetValue(by, out var r) ? r.Value : null;
            var defined = owners.Where(o => ValueOf(o) is not null);
            ordered = (lowerIsBetter ? defined.OrderBy(ValueOf) : defined.OrderByDescending(ValueOf)).ThenBy(o => o.Owner, StringComparer.Ordinal)
                .Concat(owners.Where(o => ValueOf(o) is null).OrderBy(o => o.Owner, StringComparer.Ordinal));
        }

        var shown = results is [var first, ..] ? first.Period : throw new SalesKpiException(Msg.Of("leaderboard.empty", "The report has no results.", "В отчёте нет результатов."));
        return new LeaderboardView(shown, team, [.. ordered], by, answer.Currency, answer.Warnings);
    }
}
