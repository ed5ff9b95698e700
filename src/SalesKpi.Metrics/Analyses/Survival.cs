using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

/// <summary>
/// Time-to-win of the deals created in a period: the Kaplan–Meier estimate over deals that were won
/// or are still open (censored at as-of); lost deals never win and are counted apart. Set beside the
/// plain mean and median cycle of the won deals only, which ignore the deals still running and so
/// understate how long winning takes.
/// </summary>
/// <param name="Period">The cohort's period.</param>
/// <param name="Won">Deals won (events).</param>
/// <param name="Open">Deals still open at as-of (censored).</param>
/// <param name="Lost">Deals lost (left out).</param>
/// <param name="MedianDays">Kaplan–Meier median days to win; null when fewer than half of won-or-open deals have been won.</param>
/// <param name="PlainMeanDays">Mean days to win over won deals only; null when none.</param>
/// <param name="PlainMedianDays">Median days to win over won deals only; null when none.</param>
/// <param name="Curve">Share of won-or-open deals won by each day with a win (1 − S).</param>
public sealed record SurvivalReport(Period Period, long Won, long Open, long Lost, decimal? MedianDays, decimal? PlainMeanDays, decimal? PlainMedianDays, ImmutableArray<(decimal Days, decimal WonShare)> Curve)
{
    /// <summary>The share won by <paramref name="days"/> (a step function of the curve).</summary>
    public decimal WonBy(decimal days) => Curve.LastOrDefault(p => p.Days <= days).WonShare;
}

/// <summary>Computes <see cref="SurvivalReport"/>: durations are grouped by SQL at 0.1-day resolution.</summary>
public sealed class SurvivalEngine(Workspace ws)
{
    /// <summary>Computes the time-to-win of the deals created in <paramref name="period"/>.</summary>
    public SurvivalReport Run(Period period, DateTimeOffset asOf)
    {
        var zone = ws.Settings.Zone;
        var args = new Dictionary<string, object?> { ["s"] = period.StartUtc(zone), ["e"] = period.EndUtc(zone), ["asof"] = asOf.UtcDateTime };
        var (groupsSql, plainSql) = Sql(ws.Dialect);

        long won = 0, open = 0, lost = 0;
        var groups = new Dictionary<double, (long Events, long Censored)>();
        using (var cmd = ws.NamedCommand(groupsSql, args))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var state = r.GetString(0);
                var days = Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture);
                var n = r.GetInt64(2);
                var g = groups.GetValueOrDefault(days);
                switch (state)
                {
                    case "won":
                        won += n;
                        groups[days] = (g.Events + n, g.Censored);
                        break;
                    case "open":
                        open += n;
                        groups[days] = (g.Events, g.Censored + n);
                        break;
                    default:
                        lost += n;
                        break;
                }
            }
        }

        decimal? mean = null, median = null;
        using (var cmd = ws.NamedCommand(plainSql, args))
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read() && !r.IsDBNull(0))
            {
                mean = (decimal)r.GetDouble(0);
                median = (decimal)r.GetDouble(1);
            }
        }

        var curve = KaplanMeier.Curve(groups.Select(g => (g.Key, g.Value.Events, g.Value.Censored)));
        var kmMedian = KaplanMeier.Quantile(curve, 0.5);
        return new SurvivalReport(
            period, won, open, lost,
            kmMedian is { } m ? (decimal)m : null,
            mean,
            median,
            [.. curve.Select(c => ((decimal)c.Time, (decimal)(1 - c.Survival)))]);
    }

    /// <summary>
    /// The two queries over the deals created in [<c>s</c>, <c>e</c>): durations in days (0.1-day resolution) by state
    /// at as-of, open deals up to as-of; and the plain mean and median days to win of the deals won by as-of.
    /// </summary>
    internal static (string Groups, string Plain) Sql(ISqlDialect d)
    {
        var asof = d.Parameter("asof");
        var cohort = $"created_at >= {d.Parameter("s")} AND created_at < {d.Parameter("e")} AND created_at <= {asof}";
        var groups = $"""
            WITH c AS (
              SELECT {Families.DealStateAsOf(d, string.Empty)} AS state, created_at, closed_at
              FROM deals WHERE {cohort})
            SELECT state,
                   {d.Round($"greatest(0, {d.SecondsBetween("created_at", $"CASE WHEN state = 'won' THEN closed_at ELSE {asof} END")}) / 86400.0", 1)} AS days,
                   count(*)
            FROM c GROUP BY state, days
            """;
        var plain = $"""
            SELECT avg(t.d), {d.PercentileCont(0.5, "t.d")} FROM (
              SELECT greatest(0, {d.SecondsBetween("created_at", "closed_at")}) / 86400.0 AS d FROM deals
              WHERE {cohort} AND status = 'won' AND closed_at <= {asof}) t
            """;
        return (groups, plain);
    }
}
