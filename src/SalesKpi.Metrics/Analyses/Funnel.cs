using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

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

    /// <summary>How many of the deals lost here have an amount; when fewer than <see cref="Lost"/>, <see cref="LostValue"/> is a lower bound, and meaningless at 0.</summary>
    public long LostWithAmount { get; init; }

    /// <summary>
    /// Median days from the previous step to this one — for a deal stage or <c>won</c>, the days spent in the
    /// previous stage (so <c>won</c> shows the last stage's <see cref="DaysInStageMedian"/>); null when undefined
    /// (no data, or fewer than half have left the stage yet).
    /// </summary>
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

    /// <summary>The most frequent lost reasons of the deals lost here (at most three, most deals first; "(none)" for deals without one); the total's steps only.</summary>
    public ImmutableArray<LostReason> LostReasons { get; init; } = [];
}

/// <summary>A lost reason and how many deals lost at one stage give it.</summary>
/// <param name="Reason">The reason as recorded, or "(none)".</param>
/// <param name="Deals">The deals lost at the stage with that reason.</param>
public sealed record LostReason(string Reason, long Deals);

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
    /// <summary>The dimension sliced by, or null.</summary>
    public string? By { get; init; }

    /// <summary>Per slice value, its steps (a section is missing where the dimension does not apply to it).</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<FunnelStep>> Slices { get; init; } = ImmutableSortedDictionary<string, ImmutableArray<FunnelStep>>.Empty;

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
    /// <summary>
    /// Computes the funnel for <paramref name="period"/> as of <paramref name="asOf"/>; with
    /// <paramref name="by"/>, also per value of that dimension (lead steps by the lead's value, deal steps
    /// by the deal's — channel by the deal's lead), from the same queries.
    /// </summary>
    public FunnelReport Run(Period period, DateTimeOffset asOf, KpiParameters p, string? by = null)
    {
        var zone = ws.Settings.Zone;
        var dim = by is null ? null : KpiCatalog.Dimension(by);
        var args = new Dictionary<string, object?>
        {
            ["s"] = period.StartUtc(zone),
            ["e"] = period.EndUtc(zone),
            ["asof"] = asOf.UtcDateTime,
            ["w_sql"] = p.LeadToSqlWindowDays * 86400.0,
            ["w_opp"] = p.SqlToOpportunityWindowDays * 86400.0,
            ["currency"] = ws.Settings.Currency,
        };

        var leadExpr = dim is not null && KpiCatalog.LeadDimensions.Contains(dim) ? $"l.{dim}" : null;
        var dealExpr = dim is not null ? Families.DealDimensions.GetValueOrDefault(dim) : null;
        var steps = new Dictionary<string, List<FunnelStep>>();
        LeadSection(args, leadExpr, steps);
        var (stages, fromData) = StageOrder(args, p);
        var stalled = DealSection(args, stages, dealExpr, steps);
        steps[string.Empty] = WithLostReasons(args, stages, steps[string.Empty]);
        var slices = steps.Where(kv => kv.Key.Length > 0)
            .ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray(), StringComparer.Ordinal);
        return new FunnelReport(period, asOf.UtcDateTime, stages, fromData, [.. steps[string.Empty]], stalled) { By = dim, Slices = slices };
    }

    // Grouping sets give the total (d NULL, keyed "") and, when slicing, every value of d ('(none)' for missing).
    private static (string Column, string Sets) Slicing(string? expr, string keys) =>
        expr is null
            ? ("CAST(NULL AS VARCHAR) AS d", keys.Length == 0 ? "GROUP BY d" : $"GROUP BY {keys}, d")
            : ($"coalesce(CAST({expr} AS VARCHAR), '(none)') AS d", keys.Length == 0 ? "GROUP BY GROUPING SETS ((), (d))" : $"GROUP BY GROUPING SETS (({keys}), ({keys}, d))");

    private static string Key(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? string.Empty : r.GetString(i);

    private static List<FunnelStep> For(Dictionary<string, List<FunnelStep>> steps, string key) =>
        steps.TryGetValue(key, out var list) ? list : steps[key] = [];

    private void LeadSection(Dictionary<string, object?> args, string? expr, Dictionary<string, List<FunnelStep>> steps)
    {
        var sql = LeadSectionSql(ws.Dialect, expr);
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            long leads = r.GetInt64(1), qualified = r.GetInt64(2), opp = r.GetInt64(3);
            decimal? D(int i) => r.IsDBNull(i) ? null : (decimal)Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);
            var list = For(steps, Key(r, 0));
            list.Add(new FunnelStep { Name = "leads", Section = "leads", Count = leads, CumulativeConversion = leads > 0 ? 1m : null });
            list.Add(Step("sql", "leads", qualified, leads, leads) with { MedianDays = D(4), P90Days = D(5) });
            list.Add(Step("opportunity", "leads", opp, qualified, leads) with { MedianDays = D(6), P90Days = D(7) });
        }

        For(steps, string.Empty);
    }

    /// <summary>
    /// Per slice (<c>d</c>) of the leads created in [<c>s</c>, <c>e</c>): leads, SQLs and opportunities within their
    /// windows, and the median and p90 days to each.
    /// </summary>
    internal static string LeadSectionSql(ISqlDialect d, string? expr)
    {
        var (column, sets) = Slicing(expr, string.Empty);
        var asof = d.Parameter("asof");
        string Pct(double f, string x) => d.PercentileCont(f, x);
        return $"""
            WITH {Families.FirstOpportunityCte(d, d.Parameter("s"), d.Parameter("e"))},
            c AS (
              SELECT l.lead_id, {column},
                     ({Families.QualifiedInWindow(d)}) AS is_sql,
                     greatest(0, {d.SecondsBetween("l.created_at", "l.qualified_at")}) / 86400.0 AS sql_days,
                     opp.t AS opp_at, l.qualified_at
              FROM leads l LEFT JOIN opp ON opp.lead_id = l.lead_id
              WHERE l.created_at >= {d.Parameter("s")} AND l.created_at < {d.Parameter("e")} AND l.created_at <= {asof}),
            c2 AS (SELECT *, coalesce(is_sql, false) AND opp_at IS NOT NULL AND {Families.OpportunityInWindow(d, "qualified_at", "opp_at")} AS is_opp,
                          greatest(0, {d.SecondsBetween("qualified_at", "opp_at")}) / 86400.0 AS opp_days FROM c)
            SELECT d, count(*), count(*) FILTER (WHERE is_sql), count(*) FILTER (WHERE is_opp),
                   {Pct(0.5, "sql_days")} FILTER (WHERE is_sql), {Pct(0.9, "sql_days")} FILTER (WHERE is_sql),
                   {Pct(0.5, "opp_days")} FILTER (WHERE is_opp), {Pct(0.9, "opp_days")} FILTER (WHERE is_opp)
            FROM c2 {sets}
            """;
    }

    /// <summary>The stages seen by as-of, ordered by the median time from deal creation to their first entry.</summary>
    internal static string StageOrderSql(ISqlDialect d) => $"""
        SELECT s.stage FROM (SELECT deal_id, stage, min(entered_at) AS first_at FROM deal_stages WHERE entered_at <= {d.Parameter("asof")} GROUP BY deal_id, stage) s
        JOIN deals d USING (deal_id)
        GROUP BY s.stage ORDER BY {d.PercentileCont(0.5, d.SecondsBetween("d.created_at", "s.first_at"))}, s.stage
        """;

    /// <summary>The deals created in [<c>s</c>, <c>e</c>) by slice <c>d</c>, with their own columns <paramref name="columns"/>.</summary>
    private static string DealCohortCte(ISqlDialect d, string column, string columns)
    {
        var asof = d.Parameter("asof");
        return $"""
            cohort AS (
              SELECT d.deal_id, {column}, {columns}
              FROM deals d LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= {asof}
              WHERE d.created_at >= {d.Parameter("s")} AND d.created_at < {d.Parameter("e")} AND d.created_at <= {asof})
            """;
    }

    /// <summary>
    /// Per slice, furthest stage reached (1-based position in the bound array <c>stages</c>; 0 for none) and state at
    /// as-of: deals, the sum of their amounts in the workspace currency, and how many have such an amount.
    /// </summary>
    internal static string ReachSql(ISqlDialect d, string? expr)
    {
        var (column, sets) = Slicing(expr, "furthest, state");
        var cohort = DealCohortCte(d, column, $"CASE WHEN {Families.InCurrency(d)} THEN d.amount END AS amount,\n         {Families.DealStateAsOf(d)} AS state");
        return $"""
            WITH {cohort},
            far AS (
              SELECT c.deal_id, c.d, c.state, c.amount, coalesce(max({d.ArrayPosition(d.Parameter("stages"), "s.stage")}), 0) AS furthest
              FROM cohort c LEFT JOIN deal_stages s ON s.deal_id = c.deal_id AND s.entered_at <= {d.Parameter("asof")}
              GROUP BY c.deal_id, c.d, c.state, c.amount)
            SELECT d, furthest, state, count(*), coalesce(sum(amount), 0), count(amount) FROM far {sets}
            """;
    }

    // The top three lost reasons per furthest stage of the total's lost deals (index 0 is the "deals" step: lost before any known stage).
    private List<FunnelStep> WithLostReasons(Dictionary<string, object?> args, ImmutableArray<string> stages, List<FunnelStep> steps)
    {
        var d = ws.Dialect;
        var cohort = DealCohortCte(d, "CAST(NULL AS VARCHAR) AS d", $"coalesce(nullif(trim(d.lost_reason), ''), '(none)') AS reason,\n         {Families.DealStateAsOf(d)} AS state");
        var sql = $"""
            WITH {cohort},
            far AS (
              SELECT c.deal_id, c.reason, coalesce(max({d.ArrayPosition(d.Parameter("stages"), "s.stage")}), 0) AS furthest
              FROM cohort c LEFT JOIN deal_stages s ON s.deal_id = c.deal_id AND s.entered_at <= {d.Parameter("asof")}
              WHERE c.state = 'lost'
              GROUP BY c.deal_id, c.reason)
            SELECT furthest, reason, count(*) AS n FROM far GROUP BY furthest, reason ORDER BY furthest, n DESC, reason
            """;
        var top = new Dictionary<string, List<LostReason>>(StringComparer.Ordinal);
        using (var cmd = Command(sql, new Dictionary<string, object?>(args) { ["stages"] = stages.ToArray() }))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var i = Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
                var name = i == 0 ? "deals" : stages[i - 1];
                var list = top.TryGetValue(name, out var l) ? l : top[name] = [];
                if (list.Count < 3)
                {
                    list.Add(new LostReason(r.GetString(1), r.GetInt64(2)));
                }
            }
        }

        return [.. steps.Select(s => s.Section == "deals" && top.TryGetValue(s.Name, out var list) ? s with { LostReasons = [.. list] } : s)];
    }

    /// <summary>
    /// Open deals (any age) whose time in their current stage exceeds that stage's p90 (the bound array <c>p90</c>,
    /// aligned with <c>stages</c>), most overdue first, with the count of such deals per stage.
    /// </summary>
    internal static string StalledSql(ISqlDialect d)
    {
        var asof = d.Parameter("asof");
        var position = d.ArrayPosition(d.Parameter("stages"), "c.stage");
        return $"""
            WITH open_deals AS (
              SELECT deal_id, owner, amount FROM deals
              WHERE created_at <= {asof} AND NOT ({Families.ClosedByAsOf(d, string.Empty)})),
            cur AS (
              SELECT s.deal_id, {d.ArgMax("s.stage", "s.entered_at")} AS stage, max(s.entered_at) AS since
              FROM deal_stages s JOIN open_deals o ON o.deal_id = s.deal_id WHERE s.entered_at <= {asof} GROUP BY s.deal_id),
            late AS (
              SELECT c.deal_id, o.owner, c.stage, {d.SecondsBetween("c.since", asof)} / 86400.0 AS days, o.amount,
                     {d.ArrayElement(d.Parameter("p90"), position)} AS p90
              FROM cur c JOIN open_deals o ON o.deal_id = c.deal_id
              WHERE {position} IS NOT NULL)
            SELECT deal_id, owner, stage, days, p90, amount, count(*) OVER (PARTITION BY stage) AS in_stage
            FROM late WHERE days > p90 ORDER BY days / p90 DESC, deal_id
            """;
    }

    /// <summary>
    /// Per slice and stage (<c>idx</c>, 1-based in <c>stages</c>), the hours spent in it at 0.1-hour resolution with
    /// the counts of stays that ended (events) and of stays still running at as-of (censored).
    /// </summary>
    internal static string StageTimesSql(ISqlDialect d, string? expr)
    {
        var (column, sets) = Slicing(expr, "idx, hours");
        var asof = d.Parameter("asof");
        var cohort = DealCohortCte(d, column, $"CASE WHEN {Families.ClosedByAsOf(d)} THEN d.closed_at END AS closed");
        return $"""
            WITH {cohort},
            e AS (
              SELECT s.deal_id, c.d, {d.ArrayPosition(d.Parameter("stages"), "s.stage")} AS idx, s.entered_at, c.closed,
                     lead(s.entered_at) OVER (PARTITION BY s.deal_id ORDER BY s.entered_at) AS next_at
              FROM deal_stages s JOIN cohort c USING (deal_id) WHERE s.entered_at <= {asof}),
            t AS (
              SELECT d, idx, coalesce(next_at, closed) IS NULL AS censored,
                     {d.Round($"greatest(0, {d.SecondsBetween("entered_at", $"coalesce(next_at, closed, {asof})")}) / 3600.0", 1)} AS hours
              FROM e WHERE idx IS NOT NULL)
            SELECT d, idx, hours, count(*) FILTER (WHERE NOT censored), count(*) FILTER (WHERE censored) FROM t {sets}
            """;
    }

    private (ImmutableArray<string> Stages, bool FromData) StageOrder(Dictionary<string, object?> args, KpiParameters p)
    {
        if (!p.PipelineStages.IsEmpty)
        {
            return (p.PipelineStages, false);
        }

        // Without a configured pipeline: order stages by the median time from deal creation to their first entry.
        using var cmd = Command(StageOrderSql(ws.Dialect), args);
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
        ws.NamedCommand(sql, args.Where(a => sql.Contains(ws.Dialect.Parameter(a.Key), StringComparison.Ordinal)).ToDictionary(a => a.Key, a => a.Value));

    private sealed class Reach(int k)
    {
        public long[] AtLeast { get; } = new long[k + 2];

        public long[] Lost { get; } = new long[k + 1];

        public decimal[] LostValue { get; } = new decimal[k + 1];

        public long[] LostWithAmount { get; } = new long[k + 1];

        public long Cohort { get; set; }

        public long Won { get; set; }

        public long WonWithAmount { get; set; }

        public decimal WonValue { get; set; }
    }

    private ImmutableArray<StalledDeal> DealSection(Dictionary<string, object?> args, ImmutableArray<string> stages, string? expr, Dictionary<string, List<FunnelStep>> steps)
    {
        var k = stages.Length;
        var stageArgs = new Dictionary<string, object?>(args) { ["stages"] = stages.ToArray() };
        // Each cohort deal: its furthest stage (1-based; 0 when it never entered a known stage) and its state as of as-of.
        var reachSql = ReachSql(ws.Dialect, expr);
        var reach = new Dictionary<string, Reach>();
        using (var cmd = Command(reachSql, stageArgs))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var key = Key(r, 0);
                if (!reach.TryGetValue(key, out var g))
                {
                    reach[key] = g = new Reach(k);
                }

                var furthest = Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture);
                var state = r.GetString(2);
                var n = r.GetInt64(3);
                g.Cohort += n;
                if (state == "won")
                {
                    g.Won += n;
                    g.WonValue += Convert.ToDecimal(r.GetValue(4), CultureInfo.InvariantCulture);
                    g.WonWithAmount += r.GetInt64(5);
                    furthest = k; // won deals reached every stage
                }

                for (var i = 1; i <= furthest; i++)
                {
                    g.AtLeast[i] += n;
                }

                if (state == "lost")
                {
                    g.Lost[furthest] += n;
                    g.LostValue[furthest] += Convert.ToDecimal(r.GetValue(4), CultureInfo.InvariantCulture);
                    g.LostWithAmount[furthest] += r.GetInt64(5);
                }
            }
        }

        reach.TryAdd(string.Empty, new Reach(k));
        var times = StageTimes(stageArgs, expr, k);
        var (stalled, stalledPerStage) = Stalled(stageArgs, times.GetValueOrDefault(string.Empty) ?? new (decimal?, decimal?)[k + 1], k);
        foreach (var (key, g) in reach)
        {
            var t = times.GetValueOrDefault(key) ?? new (decimal?, decimal?)[k + 1];
            decimal? averageDeal = g.WonWithAmount > 0 ? g.WonValue / g.WonWithAmount : null;
            var list = For(steps, key);
            list.Add(new FunnelStep { Name = "deals", Section = "deals", Count = g.Cohort, CumulativeConversion = g.Cohort > 0 ? 1m : null, Lost = g.Lost[0], LostValue = g.LostValue[0], LostWithAmount = g.LostWithAmount[0] });
            var previous = g.Cohort;
            for (var i = 1; i <= k; i++)
            {
                var (median, p90) = i == 1 ? (null, null) : t[i - 1];
                list.Add(Step(stages[i - 1], "deals", g.AtLeast[i], previous, g.Cohort) with
                {
                    Lost = g.Lost[i],
                    LostValue = g.LostValue[i],
                    LostWithAmount = g.LostWithAmount[i],
                    MedianDays = median,
                    P90Days = p90,
                    DaysInStageMedian = t[i].Median,
                    DaysInStageP90 = t[i].P90,
                    RevenueAtStake = averageDeal is { } avg && g.AtLeast[i] > 0 ? g.Lost[i] * ((decimal)g.Won / g.AtLeast[i]) * avg : null,
                    Stalled = key.Length == 0 ? stalledPerStage[i] : 0,
                });
                previous = g.AtLeast[i];
            }

            list.Add(Step("won", "deals", g.Won, previous, g.Cohort) with { MedianDays = k > 0 ? t[k].Median : null, P90Days = k > 0 ? t[k].P90 : null });
        }

        return stalled;
    }

    /// <summary>Open deals of any age whose time in their current stage exceeds that stage's p90; the 20 most overdue, and counts per stage.</summary>
    private (ImmutableArray<StalledDeal> Top, long[] PerStage) Stalled(Dictionary<string, object?> args, (decimal? Median, decimal? P90)[] times, int k)
    {
        var p90 = Enumerable.Range(1, k).Select(i => times[i].P90 is { } d ? (double)d : double.MaxValue).ToArray();
        var perStage = new long[k + 1];
        var top = ImmutableArray.CreateBuilder<StalledDeal>();
        var stages = (string[])args["stages"]!;
        using var cmd = Command(StalledSql(ws.Dialect), new Dictionary<string, object?>(args) { ["p90"] = p90 });
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

    /// <summary>Kaplan–Meier median and p90 of days spent in each stage (1-based), open deals censored at as-of; per slice key ("" = total).</summary>
    private Dictionary<string, (decimal? Median, decimal? P90)[]> StageTimes(Dictionary<string, object?> args, string? expr, int k)
    {
        var sql = StageTimesSql(ws.Dialect, expr);
        var groups = new Dictionary<(string Key, int Idx), List<(double Time, long Events, long Censored)>>();
        using (var cmd = Command(sql, args))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var key = (Key(r, 0), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture));
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add((Convert.ToDouble(r.GetValue(2), CultureInfo.InvariantCulture), r.GetInt64(3), r.GetInt64(4)));
            }
        }

        var result = new Dictionary<string, (decimal?, decimal?)[]>();
        foreach (var ((key, idx), g) in groups)
        {
            if (!result.TryGetValue(key, out var arr))
            {
                result[key] = arr = new (decimal?, decimal?)[k + 1];
            }

            var curve = KaplanMeier.Curve(g);
            arr[idx] = (Quantile(curve, 0.5), Quantile(curve, 0.9));
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
