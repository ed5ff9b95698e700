using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;

namespace SalesKpi.Metrics;

/// <summary>
/// One step of the funnel. <see cref="Count"/> units reached it; <see cref="StepConversion"/> is the
/// share of the previous step's units that reached it, <see cref="CumulativeConversion"/> the share of
/// the section's first step. Times are from reaching the previous step to reaching this one: for the
/// lead steps over the converted leads; for pipeline stages the time spent in the previous stage, with
/// deals still in it censored at as-of (Kaplan–Meier), so slow open deals are not ignored.
/// </summary>
public sealed record FunnelStep
{
    /// <summary>Step name: <c>leads</c>, <c>sql</c>, <c>opportunity</c>, a stage name, or <c>won</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>leads</c> (cohort of leads created in the period) or <c>deals</c> (cohort of deals created in the period).</summary>
    public required string Section { get; init; }

    /// <summary>Units that reached the step.</summary>
    public long Count { get; init; }

    /// <summary>Reached ÷ the previous step's count; null for a section's first step or a zero denominator.</summary>
    public decimal? StepConversion { get; init; }

    /// <summary>Wilson 95 % interval of <see cref="StepConversion"/>.</summary>
    public Interval? StepCi95 { get; init; }

    /// <summary>Reached ÷ the section's first step.</summary>
    public decimal? CumulativeConversion { get; init; }

    /// <summary>Deals lost at this stage (their furthest stage); 0 for lead steps.</summary>
    public long Lost { get; init; }

    /// <summary>Sum of the amounts of the deals lost here (workspace currency; deals without an amount count 0).</summary>
    public decimal LostValue { get; init; }

    /// <summary>Median days from the previous step to this one; null when undefined (no data, or fewer than half have left the stage yet).</summary>
    public decimal? MedianDays { get; init; }

    /// <summary>90th percentile of those days; null when undefined.</summary>
    public decimal? P90Days { get; init; }

    /// <summary>For a pipeline stage: median days spent in this stage itself (Kaplan–Meier, open deals censored).</summary>
    public decimal? DaysInStageMedian { get; init; }

    /// <summary>For a pipeline stage: 90th percentile of days spent in this stage; the threshold for "stalled".</summary>
    public decimal? DaysInStageP90 { get; init; }

    /// <summary>
    /// For a pipeline stage: revenue at stake = deals lost here × the share of deals reaching this stage
    /// that go on to win × the average won deal size. Null when no deal of the cohort was won.
    /// </summary>
    public decimal? RevenueAtStake { get; init; }

    /// <summary>Open deals (any age) now in this stage for longer than its p90.</summary>
    public long Stalled { get; init; }
}

/// <summary>An open deal that has been in its current stage longer than that stage's historical p90.</summary>
/// <param name="DealId">The deal.</param>
/// <param name="Owner">Its owner, or null.</param>
/// <param name="Stage">Its current stage.</param>
/// <param name="Days">Days in the stage so far (at as-of).</param>
/// <param name="StageP90Days">The stage's p90, which it exceeds.</param>
/// <param name="Amount">Its amount, or null.</param>
public sealed record StalledDeal(string DealId, string? Owner, string Stage, decimal Days, decimal StageP90Days, decimal? Amount);

/// <summary>The funnel of one period.</summary>
/// <param name="Period">The period.</param>
/// <param name="AsOfUtc">The as-of instant.</param>
/// <param name="Stages">The pipeline stages in the order used.</param>
/// <param name="StageOrderFromData">True when no order was configured and the stages were ordered by their median first entry.</param>
/// <param name="Steps">The steps, leads section first.</param>
/// <param name="Stalled">The most overdue stalled deals (by days over the stage's p90, at most 20).</param>
public sealed record FunnelReport(Period Period, DateTime AsOfUtc, ImmutableArray<string> Stages, bool StageOrderFromData, ImmutableArray<FunnelStep> Steps, ImmutableArray<StalledDeal> Stalled)
{
    /// <summary>Pipeline stages ranked by revenue at stake, largest first.</summary>
    public IReadOnlyList<FunnelStep> ByRevenueAtStake => [.. StageSteps.Where(s => s.RevenueAtStake is not null).OrderByDescending(s => s.RevenueAtStake)];

    /// <summary>Pipeline stages ranked by median days in the stage, slowest first.</summary>
    public IReadOnlyList<FunnelStep> ByDelay => [.. StageSteps.Where(s => s.DaysInStageMedian is not null).OrderByDescending(s => s.DaysInStageMedian)];

    private IEnumerable<FunnelStep> StageSteps => Steps.Where(s => s.Section == "deals" && Stages.Contains(s.Name));
}

/// <summary>
/// Computes the funnel of the specification: leads → SQL → opportunity for the leads created in the
/// period, and each pipeline stage → won for the deals created in the period. A deal reached a stage
/// when it entered it or any later stage (skipped stages count as passed; won deals reached all); a
/// lost deal is lost at the furthest stage it reached; time in a stage runs from its entry to the next
/// entry, or to closing for the last stage of a closed deal, with open deals censored at as-of.
/// All counting is done by SQL; only per-stage duration histograms (0.1-hour resolution) come back.
/// </summary>
public sealed class FunnelEngine(Workspace ws)
{
    /// <summary>Computes the funnel for <paramref name="period"/> as of <paramref name="asOf"/>.</summary>
    public FunnelReport Run(Period period, DateTimeOffset asOf, KpiParameters p)
    {
        var zone = ws.Settings.Zone;
        var args = new Dictionary<string, object?>
        {
            ["s"] = period.StartUtc(zone),
            ["e"] = period.EndUtc(zone),
            ["asof"] = asOf.UtcDateTime,
            ["w_sql"] = p.LeadToSqlWindowDays * 86400.0,
            ["w_opp"] = p.SqlToOpportunityWindowDays * 86400.0,
        };

        var steps = ImmutableArray.CreateBuilder<FunnelStep>();
        LeadSection(args, steps);

        var (stages, fromData) = StageOrder(args, p);
        var stalled = DealSection(args, stages, steps);
        return new FunnelReport(period, asOf.UtcDateTime, stages, fromData, steps.ToImmutable(), stalled);
    }

    private void LeadSection(Dictionary<string, object?> args, ImmutableArray<FunnelStep>.Builder steps)
    {
        const string Sql = """
            WITH opp AS (SELECT lead_id, min(created_at) AS t FROM deals WHERE lead_id IS NOT NULL AND created_at <= $asof GROUP BY lead_id),
            c AS (
              SELECT l.lead_id,
                     (l.qualified_at <= $asof AND epoch(l.qualified_at) - epoch(l.created_at) <= $w_sql) AS is_sql,
                     greatest(0, epoch(l.qualified_at) - epoch(l.created_at)) / 86400.0 AS sql_days,
                     opp.t AS opp_at, l.qualified_at
              FROM leads l LEFT JOIN opp ON opp.lead_id = l.lead_id
              WHERE l.created_at >= $s AND l.created_at < $e AND l.created_at <= $asof),
            c2 AS (SELECT *, coalesce(is_sql, false) AND opp_at IS NOT NULL AND epoch(opp_at) - epoch(qualified_at) <= $w_opp AS is_opp,
                          greatest(0, epoch(opp_at) - epoch(qualified_at)) / 86400.0 AS opp_days FROM c)
            SELECT count(*), count(*) FILTER (WHERE is_sql), count(*) FILTER (WHERE is_opp),
                   quantile_cont(sql_days, 0.5) FILTER (WHERE is_sql), quantile_cont(sql_days, 0.9) FILTER (WHERE is_sql),
                   quantile_cont(opp_days, 0.5) FILTER (WHERE is_opp), quantile_cont(opp_days, 0.9) FILTER (WHERE is_opp)
            FROM c2
            """;
        using var cmd = Command(Sql, args);
        using var r = cmd.ExecuteReader();
        r.Read();
        long leads = r.GetInt64(0), sql = r.GetInt64(1), opp = r.GetInt64(2);
        decimal? D(int i) => r.IsDBNull(i) ? null : (decimal)Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);
        steps.Add(new FunnelStep { Name = "leads", Section = "leads", Count = leads, CumulativeConversion = leads > 0 ? 1m : null });
        steps.Add(Step("sql", "leads", sql, leads, leads) with { MedianDays = D(3), P90Days = D(4) });
        steps.Add(Step("opportunity", "leads", opp, sql, leads) with { MedianDays = D(5), P90Days = D(6) });
    }

    private (ImmutableArray<string> Stages, bool FromData) StageOrder(Dictionary<string, object?> args, KpiParameters p)
    {
        if (!p.PipelineStages.IsEmpty)
        {
            return (p.PipelineStages, false);
        }

        // Without a configured pipeline: order stages by the median time from deal creation to their first entry.
        const string Sql = """
            SELECT s.stage FROM (SELECT deal_id, stage, min(entered_at) AS first_at FROM deal_stages WHERE entered_at <= $asof GROUP BY ALL) s
            JOIN deals d USING (deal_id)
            GROUP BY s.stage ORDER BY quantile_cont(epoch(s.first_at) - epoch(d.created_at), 0.5), s.stage
            """;
        using var cmd = Command(Sql, args);
        using var r = cmd.ExecuteReader();
        var stages = ImmutableArray.CreateBuilder<string>();
        while (r.Read())
        {
            stages.Add(r.GetString(0));
        }

        return (stages.ToImmutable(), true);
    }

    // DuckDB rejects values for placeholders a statement does not have, so bind only the ones it uses.
    private System.Data.Common.DbCommand Command(string sql, Dictionary<string, object?> args) =>
        ws.NamedCommand(sql, args.Where(a => sql.Contains("$" + a.Key, StringComparison.Ordinal)).ToDictionary(a => a.Key, a => a.Value));

    private ImmutableArray<StalledDeal> DealSection(Dictionary<string, object?> args, ImmutableArray<string> stages, ImmutableArray<FunnelStep>.Builder steps)
    {
        var k = stages.Length;
        var stageArgs = new Dictionary<string, object?>(args) { ["stages"] = stages.ToArray() };

        // Each cohort deal: its furthest stage (1-based; 0 when it never entered a known stage) and its state as of as-of.
        const string Reach = """
            WITH cohort AS (
              SELECT deal_id, CASE WHEN coalesce(currency, $currency) = $currency THEN amount END AS amount,
                     CASE WHEN status IN ('won', 'lost') AND closed_at <= $asof THEN status ELSE 'open' END AS state
              FROM deals WHERE created_at >= $s AND created_at < $e AND created_at <= $asof),
            far AS (
              SELECT c.deal_id, c.state, c.amount, coalesce(max(list_position($stages, s.stage)), 0) AS furthest
              FROM cohort c LEFT JOIN deal_stages s ON s.deal_id = c.deal_id AND s.entered_at <= $asof
              GROUP BY ALL)
            SELECT furthest, state, count(*), coalesce(sum(amount), 0), count(amount) FROM far GROUP BY ALL
            """;
        stageArgs["currency"] = ws.Settings.Currency;
        var reachedAtLeast = new long[k + 2];
        var lost = new long[k + 1];
        var lostValue = new decimal[k + 1];
        long cohort = 0, won = 0, wonWithAmount = 0;
        decimal wonValue = 0;
        using (var cmd = Command(Reach, stageArgs))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var furthest = Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
                var state = r.GetString(1);
                var n = r.GetInt64(2);
                cohort += n;
                if (state == "won")
                {
                    won += n;
                    wonValue += Convert.ToDecimal(r.GetValue(3), CultureInfo.InvariantCulture);
                    wonWithAmount += r.GetInt64(4);
                    furthest = k; // won deals reached every stage
                }

                for (var i = 1; i <= furthest; i++)
                {
                    reachedAtLeast[i] += n;
                }

                if (state == "lost")
                {
                    lost[furthest] += n;
                    lostValue[furthest] += Convert.ToDecimal(r.GetValue(3), CultureInfo.InvariantCulture);
                }
            }
        }

        var times = StageTimes(stageArgs, k);
        decimal? averageDeal = wonWithAmount > 0 ? wonValue / wonWithAmount : null;
        var (stalled, stalledPerStage) = Stalled(stageArgs, times, k);
        steps.Add(new FunnelStep { Name = "deals", Section = "deals", Count = cohort, CumulativeConversion = cohort > 0 ? 1m : null, Lost = lost[0], LostValue = lostValue[0] });
        var previous = cohort;
        for (var i = 1; i <= k; i++)
        {
            var (median, p90) = i == 1 ? (null, null) : times[i - 1];
            steps.Add(Step(stages[i - 1], "deals", reachedAtLeast[i], previous, cohort) with
            {
                Lost = lost[i],
                LostValue = lostValue[i],
                MedianDays = median,
                P90Days = p90,
                DaysInStageMedian = times[i].Median,
                DaysInStageP90 = times[i].P90,
                RevenueAtStake = averageDeal is { } avg && reachedAtLeast[i] > 0 ? lost[i] * ((decimal)won / reachedAtLeast[i]) * avg : null,
                Stalled = stalledPerStage[i],
            });
            previous = reachedAtLeast[i];
        }

        steps.Add(Step("won", "deals", won, previous, cohort) with { MedianDays = k > 0 ? times[k].Median : null, P90Days = k > 0 ? times[k].P90 : null });
        return stalled;
    }

    /// <summary>Open deals of any age whose time in their current stage exceeds that stage's p90; the 20 most overdue, and counts per stage.</summary>
    private (ImmutableArray<StalledDeal> Top, long[] PerStage) Stalled(Dictionary<string, object?> args, (decimal? Median, decimal? P90)[] times, int k)
    {
        const string Sql = """
            WITH open_deals AS (
              SELECT deal_id, owner, amount FROM deals
              WHERE created_at <= $asof AND NOT (status IN ('won', 'lost') AND closed_at <= $asof)),
            cur AS (
              SELECT s.deal_id, arg_max(s.stage, s.entered_at) AS stage, max(s.entered_at) AS since
              FROM deal_stages s JOIN open_deals o ON o.deal_id = s.deal_id WHERE s.entered_at <= $asof GROUP BY s.deal_id),
            late AS (
              SELECT c.deal_id, o.owner, c.stage, (epoch($asof) - epoch(c.since)) / 86400.0 AS days, o.amount,
                     list_extract($p90, list_position($stages, c.stage)) AS p90
              FROM cur c JOIN open_deals o ON o.deal_id = c.deal_id
              WHERE list_position($stages, c.stage) IS NOT NULL)
            SELECT deal_id, owner, stage, days, p90, amount, count(*) OVER (PARTITION BY stage) AS in_stage
            FROM late WHERE days > p90 ORDER BY days / p90 DESC, deal_id
            """;
        var p90 = Enumerable.Range(1, k).Select(i => times[i].P90 is { } d ? (double)d : double.MaxValue).ToArray();
        var perStage = new long[k + 1];
        var top = ImmutableArray.CreateBuilder<StalledDeal>();
        var stages = (string[])args["stages"]!;
        using var cmd = Command(Sql, new Dictionary<string, object?>(args) { ["p90"] = p90 });
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var stage = r.GetString(2);
            perStage[Array.IndexOf(stages, stage) + 1] = r.GetInt64(6);
            if (top.Count < 20)
            {
                top.Add(new StalledDeal(
                    r.GetString(0),
                    r.IsDBNull(1) ? null : r.GetString(1),
                    stage,
                    (decimal)r.GetDouble(3),
                    (decimal)r.GetDouble(4),
                    r.IsDBNull(5) ? null : r.GetDecimal(5)));
            }
        }

        return (top.ToImmutable(), perStage);
    }

    /// <summary>Kaplan–Meier median and p90 of days spent in each stage (1-based), open deals censored at as-of.</summary>
    private (decimal? Median, decimal? P90)[] StageTimes(Dictionary<string, object?> args, int k)
    {
        const string Sql = """
            WITH cohort AS (
              SELECT deal_id, CASE WHEN status IN ('won', 'lost') AND closed_at <= $asof THEN closed_at END AS closed
              FROM deals WHERE created_at >= $s AND created_at < $e AND created_at <= $asof),
            e AS (
              SELECT s.deal_id, list_position($stages, s.stage) AS idx, s.entered_at, c.closed,
                     lead(s.entered_at) OVER (PARTITION BY s.deal_id ORDER BY s.entered_at) AS next_at
              FROM deal_stages s JOIN cohort c USING (deal_id) WHERE s.entered_at <= $asof),
            d AS (
              SELECT idx, coalesce(next_at, closed) IS NULL AS censored,
                     round(greatest(0, epoch(coalesce(next_at, closed, $asof)) - epoch(entered_at)) / 3600.0, 1) AS hours
              FROM e WHERE idx IS NOT NULL)
            SELECT idx, hours, count(*) FILTER (WHERE NOT censored), count(*) FILTER (WHERE censored) FROM d GROUP BY ALL ORDER BY idx, hours
            """;
        var groups = new Dictionary<int, List<(double Hours, long Events, long Censored)>>();
        using (var cmd = Command(Sql, args))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var idx = Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
                if (!groups.TryGetValue(idx, out var list))
                {
                    groups[idx] = list = [];
                }

                list.Add((Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture), r.GetInt64(2), r.GetInt64(3)));
            }
        }

        var result = new (decimal?, decimal?)[k + 1];
        for (var i = 1; i <= k; i++)
        {
            result[i] = groups.TryGetValue(i, out var g) ? (Quantile(KaplanMeier.Curve(g), 0.5), Quantile(KaplanMeier.Curve(g), 0.9)) : (null, null);
        }

        return result;
    }

    private static decimal? Quantile(IReadOnlyList<(double Time, double Survival)> curve, double q) =>
        KaplanMeier.Quantile(curve, q) is { } h ? (decimal)(h / 24.0) : null;

    private static FunnelStep Step(string name, string section, long count, long previous, long first) => new()
    {
        Name = name,
        Section = section,
        Count = count,
        StepConversion = previous > 0 ? (decimal)count / previous : null,
        StepCi95 = Stats.Wilson(count, previous),
        CumulativeConversion = first > 0 ? (decimal)count / first : null,
    };
}

/// <summary>The Kaplan–Meier estimator over grouped durations.</summary>
public static class KaplanMeier
{
    /// <summary>
    /// The survival curve S(t) at each duration with an event, from groups of (duration, events,
    /// censored). At a duration where both happen, events count first (censored units were still at
    /// risk at that moment), as usual.
    /// </summary>
    public static IReadOnlyList<(double Time, double Survival)> Curve(IEnumerable<(double Time, long Events, long Censored)> groups)
    {
        var ordered = groups.OrderBy(g => g.Time).ToList();
        var atRisk = ordered.Sum(g => g.Events + g.Censored);
        var s = 1.0;
        var curve = new List<(double, double)>();
        foreach (var (time, events, censored) in ordered)
        {
            if (events > 0 && atRisk > 0)
            {
                s *= 1 - ((double)events / atRisk);
                curve.Add((time, s));
            }

            atRisk -= events + censored;
        }

        return curve;
    }

    /// <summary>The smallest time at which S(t) ≤ 1 − <paramref name="q"/>; null when the curve never gets there.</summary>
    public static double? Quantile(IReadOnlyList<(double Time, double Survival)> curve, double q)
    {
        foreach (var (time, survival) in curve)
        {
            if (survival <= 1 - q + 1e-12)
            {
                return time;
            }
        }

        return null;
    }
}
