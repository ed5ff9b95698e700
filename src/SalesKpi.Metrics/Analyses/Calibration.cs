using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

/// <summary>Conversion of one score decile (1 = lowest scores).</summary>
/// <param name="Decile">1 to 10.</param>
/// <param name="Leads">Leads in it.</param>
/// <param name="MinScore">Lowest score in it.</param>
/// <param name="MaxScore">Highest score in it.</param>
/// <param name="SqlRate">Share that became SQL within the lead → SQL window.</param>
/// <param name="WinRate">Share with a won deal within the lead → won window.</param>
public sealed record DecileRow(int Decile, long Leads, decimal MinScore, decimal MaxScore, decimal SqlRate, decimal WinRate);

/// <summary>How one scoring rule relates to conversion.</summary>
/// <param name="Rule">Rule name: <c>decision_maker_title</c>, <c>company_size a-b</c>, <c>need</c>.</param>
/// <param name="Points">Points the rule gives now.</param>
/// <param name="Matching">Leads matching it.</param>
/// <param name="SqlRateMatching">SQL rate of matching leads.</param>
/// <param name="SqlRateOthers">SQL rate of the other leads.</param>
/// <param name="SqlLift">SqlRateMatching ÷ SqlRateOthers; null when the latter is 0.</param>
/// <param name="WinLift">The same for lead → won.</param>
/// <param name="PValue">Two-proportion z-test of the SQL rates; null when not computable.</param>
/// <param name="SuggestedPoints">Points in proportion to the rule's log-lift to SQL (0 when it does not raise conversion), scaled so a lead matching the strongest combination scores 100.</param>
public sealed record RuleRow(string Rule, int Points, long Matching, decimal SqlRateMatching, decimal SqlRateOthers, decimal? SqlLift, decimal? WinLift, double? PValue, int SuggestedPoints);

/// <summary>The calibration of lead-quality scoring over the leads created in a period.</summary>
/// <param name="Leads">Leads in the cohort.</param>
/// <param name="Deciles">Conversion by score decile.</param>
/// <param name="Rules">Conversion by rule.</param>
/// <param name="TopToBottom">SQL rate of the top decile ÷ that of the bottom one; null when the bottom one is 0.</param>
public sealed record CalibrationReport(long Leads, ImmutableArray<DecileRow> Deciles, ImmutableArray<RuleRow> Rules, decimal? TopToBottom);

/// <summary>
/// Checks whether the lead-quality score predicts conversion: SQL and won rates by score decile, and
/// for each rule the rates of leads that match it against those that do not (lift, with a test).
/// Suggested points follow ln(lift): a rule that does not raise conversion gets 0, and the points are
/// scaled so that a lead matching the title, the strongest size band and the need rules scores 100.
/// </summary>
public sealed class CalibrationEngine(Workspace ws)
{
    /// <summary>Calibrates over the leads created in <paramref name="period"/>.</summary>
    public CalibrationReport Run(Period period, DateTimeOffset asOf, KpiParameters p)
    {
        // Score and conversions per lead come from the leads family, as KPIs 3, 4 and 17 define them.
        var (rows, command) = new KpiEngine(ws).FamilyRows(Families.Leads, period, asOf, p, []);
        var bands = p.CompanySizeBands.Select((b, i) => string.Create(CultureInfo.InvariantCulture, $", coalesce(company_size BETWEEN {b.Min} AND {b.Max}, false) AS band{i}"));
        var cohort = rows + $"""
            , c AS (SELECT score, coalesce({Families.DecisionMakerSql(p, ws.Dialect, "job_title")}, false) AS title, need IS NOT NULL AS need{string.Concat(bands)}, to_sql, to_win, lead_id FROM rows)

            """;

        // Deciles and rule counts are aggregated by SQL over the per-lead rows above.
        var deciles = new List<DecileRow>();
        var decileSql = cohort + """
            SELECT dec, count(*), min(score), max(score), avg(CAST(to_sql AS INTEGER)), avg(CAST(to_win AS INTEGER))
            FROM (SELECT *, ntile(10) OVER (ORDER BY score, lead_id) AS dec FROM c) t GROUP BY dec ORDER BY dec
            """;
        long leads = 0;
        using (var cmd = command(decileSql))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var n = r.GetInt64(1);
                leads += n;
                deciles.Add(new DecileRow(Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), n, Dec(r.GetValue(2)), Dec(r.GetValue(3)), Dec(r.GetValue(4)), Dec(r.GetValue(5))));
            }
        }

        var ruleNames = new List<(string Name, string Column, int Points)> { ("decision_maker_title", "title", p.DecisionMakerPoints) };
        ruleNames.AddRange(p.CompanySizeBands.Select((b, i) => (string.Create(CultureInfo.InvariantCulture, $"company_size {b.Min}-{b.Max}"), $"band{i}", b.Points)));
        ruleNames.Add(("need", "need", p.NeedPoints));
        var ruleSql = cohort + $"""
            SELECT {string.Join(", ", ruleNames.Select(x => $"count(*) FILTER (WHERE {x.Column}), count(*) FILTER (WHERE {x.Column} AND to_sql), count(*) FILTER (WHERE NOT {x.Column} AND to_sql), count(*) FILTER (WHERE {x.Column} AND to_win), count(*) FILTER (WHERE NOT {x.Column} AND to_win)"))}
            FROM c
            """;
        var raw = new List<(string Name, int Points, long Match, long SqlMatch, long SqlOther, long WinMatch, long WinOther)>();
        using (var cmd = command(ruleSql))
        using (var r = cmd.ExecuteReader())
        {
            r.Read();
            for (var i = 0; i < ruleNames.Count; i++)
            {
                raw.Add((ruleNames[i].Name, ruleNames[i].Points, r.GetInt64(i * 5), r.GetInt64((i * 5) + 1), r.GetInt64((i * 5) + 2), r.GetInt64((i * 5) + 3), r.GetInt64((i * 5) + 4)));
            }
        }

        decimal Rate(long x, long n) => n > 0 ? (decimal)x / n : 0m;
        var lifts = raw.Select(x =>
        {
            var others = leads - x.Match;
            var inRate = Rate(x.SqlMatch, x.Match);
            var outRate = Rate(x.SqlOther, others);
            return (x, inRate, outRate, Lift: outRate > 0 && x.Match > 0 ? inRate / outRate : (decimal?)null, WinLift: Rate(x.WinOther, others) > 0 && x.Match > 0 ? Rate(x.WinMatch, x.Match) / Rate(x.WinOther, others) : (decimal?)null);
        }).ToList();
        var weights = lifts.Select(l => l.Lift is { } v && v > 1 ? Math.Log((double)v) : 0).ToList();
        var bandWeights = weights.Skip(1).Take(p.CompanySizeBands.Length).DefaultIfEmpty(0).Max();
        var total = weights[0] + bandWeights + weights[^1];
        var rules = lifts.Select((l, i) => new RuleRow(
            l.x.Name, l.x.Points, l.x.Match, l.inRate, l.outRate, l.Lift, l.WinLift,
            Stats.TwoProportionP(l.x.SqlOther, leads - l.x.Match, l.x.SqlMatch, l.x.Match),
            total > 0 ? (int)Math.Round(100 * weights[i] / total) : 0)).ToImmutableArray();
        decimal? topToBottom = deciles.Count == 10 && deciles[0].SqlRate > 0 ? deciles[9].SqlRate / deciles[0].SqlRate : null;
        return new CalibrationReport(leads, [.. deciles], rules, topToBottom);

        static decimal Dec(object v) => Convert.ToDecimal(v, CultureInfo.InvariantCulture);
    }
}
