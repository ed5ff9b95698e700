using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Metrics;

/// <summary>
/// A KPI family: the units one set of KPIs is computed over (leads of a cohort, deals closed in a
/// period…), as row-level SQL — one row per unit, tagged with its bucket <c>b</c> and slice
/// dimensions, with the per-unit measures — and the aggregates over those rows. The report groups
/// the rows of every bucket and slice in one query; <c>explain</c> lists the same rows.
/// </summary>
/// <param name="Name">Short name, used in notes and explain.</param>
/// <param name="Prelude">CTEs the row SQL needs (comma-separated, without WITH), or empty.</param>
/// <param name="From">
/// FROM clause, joining the buckets as <c>bk</c> by the unit's dating column: <c>{bucket:col}</c> for
/// a timestamp, <c>{day:col}</c> for a date (see <see cref="BucketJoins"/>), or an explicit join to <c>_bk</c>.
/// </param>
/// <param name="Where">Extra row condition, or empty.</param>
/// <param name="Dimensions">Dimension → SQL expression.</param>
/// <param name="Columns">Per-unit columns: name → SQL expression.</param>
/// <param name="Aggregates">Aggregate name → SQL expression over the row columns.</param>
/// <param name="Order">ORDER BY of explain listings.</param>
internal sealed record Family(
    string Name,
    string Prelude,
    string From,
    string Where,
    ImmutableDictionary<string, string> Dimensions,
    ImmutableArray<(string Name, string Sql)> Columns,
    ImmutableArray<(string Name, string Sql)> Aggregates,
    string Order)
{
    /// <summary>The row-level CTEs (prelude and <c>rows</c>), for dimensions <paramref name="dims"/>.</summary>
    public string RowsCte(IReadOnlyList<string> dims, bool quarterHourBuckets)
    {
        var sb = new StringBuilder("WITH ");
        if (Prelude.Length > 0)
        {
            sb.Append(Prelude).Append(",\n");
        }

        sb.Append("rows AS (SELECT bk.b");
        foreach (var d in dims)
        {
            sb.Append(CultureInfo.InvariantCulture, $", coalesce(CAST({Dimensions[d]} AS VARCHAR), '(none)') AS \"dim_{d}\"");
        }

        foreach (var (name, sql) in Columns)
        {
            sb.Append(CultureInfo.InvariantCulture, $", {sql} AS \"{name}\"");
        }

        sb.Append("\nFROM ").Append(BucketJoins.Expand(From, quarterHourBuckets));
        if (Where.Length > 0)
        {
            sb.Append("\nWHERE ").Append(Where);
        }

        return sb.Append(")\n").ToString();
    }

    /// <summary>One query: aggregates per bucket for the total and, when <paramref name="dims"/> is not empty, per slice.</summary>
    public string AggregateSql(IReadOnlyList<string> dims, bool quarterHourBuckets)
    {
        var dimCols = string.Join(string.Empty, dims.Select(d => $", \"dim_{d}\""));
        var aggs = string.Join(", ", Aggregates.Select(a => $"{a.Sql} AS \"{a.Name}\""));
        var grouping = dims.Count == 0 ? "GROUP BY b" : $"GROUP BY GROUPING SETS ((b), (b{dimCols}))";
        return RowsCte(dims, quarterHourBuckets) + $"SELECT b{dimCols}, {aggs} FROM rows {grouping}";
    }

    /// <summary>The rows of one bucket and slice, for explain.</summary>
    public string ListSql(IReadOnlyList<string> dims, int limit, bool quarterHourBuckets) =>
        RowsCte(dims, quarterHourBuckets) + $"SELECT * FROM rows WHERE b = 0{string.Concat(dims.Select(d => $" AND \"dim_{d}\" = $slice_{d}"))} ORDER BY {Order} LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// How units join their bucket. A range join (<c>x &gt;= s AND x &lt; e</c>) made DuckDB sort every unit
/// against the bucket list — most of a report's time at 10 M leads. Bucket boundaries are local
/// midnights, which fall on whole quarter-hours of UTC in every time zone in use, so a bucket is
/// expanded into its quarter-hour keys (<c>_bq</c>) and units join it by hash equality on
/// ⌊epoch / 900⌋; dates join a per-day table (<c>_bd</c>). Should a boundary ever be off the grid
/// (historic local mean time), the range join is used instead.
/// </summary>
internal static partial class BucketJoins
{
    public static string Expand(string from, bool quarterHourBuckets)
    {
        var expanded = TimestampToken().Replace(from, m => quarterHourBuckets
            ? $"JOIN _bq bk ON bk.k = CAST(floor(epoch({m.Groups[1].Value}) / 900) AS BIGINT)"
            : $"JOIN _bk bk ON {m.Groups[1].Value} >= bk.s AND {m.Groups[1].Value} < bk.e");
        return DateToken().Replace(expanded, m => $"JOIN _bd bk ON bk.d = {m.Groups[1].Value}");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{bucket:([^}]+)\}")]
    private static partial System.Text.RegularExpressions.Regex TimestampToken();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{day:([^}]+)\}")]
    private static partial System.Text.RegularExpressions.Regex DateToken();
}

/// <summary>The families of the catalogue, built for a set of parameters.</summary>
internal static class Families
{
    public const string Leads = "leads";
    public const string Sql = "sql";
    public const string Spend = "spend";
    public const string DealsClosed = "deals_closed";
    public const string DealsCreated = "deals_created";
    public const string Customers = "customers";
    public const string Revenue = "revenue";
    public const string Acquired = "acquired";
    public const string Nps = "nps";

    private static readonly ImmutableDictionary<string, string> LeadDims = KpiCatalog.LeadDimensions.ToImmutableDictionary(d => d, d => "l." + d);
    private static readonly ImmutableDictionary<string, string> CustomerDims = KpiCatalog.CustomerDimensions.ToImmutableDictionary(d => d, d => "c." + d);
    private static readonly ImmutableDictionary<string, string> DealDims = new Dictionary<string, string>
    {
        ["owner"] = "d.owner",
        ["service_line"] = "d.service_line",
        ["segment"] = "d.segment",
        ["region"] = "d.region",
        ["channel"] = "l.channel",
    }.ToImmutableDictionary();

    private const string Responded = "least(CASE WHEN l.first_response_at <= $asof THEN l.first_response_at END, resp.t)";

    /// <summary>
    /// Seconds from <paramref name="from"/> to <paramref name="to"/>: calendar time, or with a business calendar
    /// the working seconds — the difference of the cumulative working time at each moment, read from the
    /// quarter-hour table <c>_wh</c> that <see cref="KpiEngine"/> loads for the calendar.
    /// </summary>
    internal static string Seconds(KpiParameters p, string from, string to) =>
        p.Calendar is null ? $"epoch({to}) - epoch({from})" : $"{WorkSeconds(to)} - {WorkSeconds(from)}";

    private static string WorkSeconds(string t) =>
        $"(SELECT w.cum + greatest(0, least(epoch({t}), w.c) - w.o) FROM _wh w WHERE w.k = CAST(floor(epoch({t}) / 900) AS BIGINT))";

    public static ImmutableDictionary<string, Family> Build(KpiParameters p)
    {
        var score = QualityScoreSql(p);
        var cycleStart = p.CycleStart == CycleStart.Lead ? "coalesce(l.created_at, d.created_at)" : "d.created_at";
        // As-of is a snapshot of what was known: a row created after it does not exist, also as the source of a
        // dimension. So a deal's lead (channel, cycle start) and an answer's or invoice's customer are joined only
        // when created by as-of; otherwise the slice is (none), exactly as before that row was imported.
        var families = new[]
        {
            new Family(
                Leads,
                """
                resp AS (SELECT a.lead_id, min(a.occurred_at) AS t FROM activities a JOIN leads l0 ON l0.lead_id = a.lead_id
                         WHERE l0.created_at >= $pstart AND l0.created_at < $pend
                           AND a.occurred_at >= l0.created_at AND a.occurred_at <= $asof AND (a.direction IS NULL OR a.direction <> 'inbound')
                         GROUP BY a.lead_id),
                won AS (SELECT lead_id, min(closed_at) AS t FROM deals WHERE status = 'won' AND closed_at <= $asof AND lead_id IS NOT NULL GROUP BY lead_id)
                """,
                "leads l {bucket:l.created_at} AND l.created_at <= $asof LEFT JOIN resp ON resp.lead_id = l.lead_id LEFT JOIN won ON won.lead_id = l.lead_id",
                string.Empty,
                LeadDims,
                [
                    ("lead_id", "l.lead_id"),
                    ("created_at", "l.created_at"),
                    ("job_title", "l.job_title"),
                    ("company_size", "l.company_size"),
                    ("need", "l.need"),
                    ("source_score", "l.quality_score"),
                    ("score", score),
                    ("qualified_at", "CASE WHEN l.qualified_at <= $asof THEN l.qualified_at END"),
                    ("to_sql", "coalesce(l.qualified_at <= $asof AND epoch(l.qualified_at) - epoch(l.created_at) <= $w_sql, false)"),
                    ("responded_at", Responded),
                    // greatest() skips NULLs in DuckDB, so an unanswered lead must stay NULL explicitly rather than become 0 hours.
                    ("response_hours", $"CASE WHEN {Responded} IS NOT NULL THEN greatest(0, {Seconds(p, "l.created_at", Responded)}) / 3600.0 END"),
                    ("won_at", "won.t"),
                    ("to_win", "coalesce(epoch(won.t) - epoch(l.created_at) <= $w_win, false)"),
                ],
                [
                    ("n", "count(*)"),
                    ("score_sum", "sum(score)"),
                    ("score_sd", "stddev_samp(score)"),
                    ("high", "count(*) FILTER (WHERE score >= $threshold)"),
                    ("to_sql", "count(*) FILTER (WHERE to_sql)"),
                    ("answered", "count(response_hours)"),
                    ("resp_median", "quantile_cont(response_hours, 0.5)"),
                    ("resp_mean", "avg(response_hours)"),
                    ("resp_sd", "stddev_samp(response_hours)"),
                    ("resp_p90", "quantile_cont(response_hours, 0.9)"),
                    ("within_sla", "count(*) FILTER (WHERE response_hours <= $sla)"),
                    ("to_win", "count(*) FILTER (WHERE to_win)"),
                ],
                "created_at, lead_id"),
            new Family(
                Sql,
                "opp AS (SELECT lead_id, min(created_at) AS t FROM deals WHERE lead_id IS NOT NULL AND created_at <= $asof GROUP BY lead_id)",
                "leads l {bucket:l.qualified_at} AND l.qualified_at <= $asof LEFT JOIN opp ON opp.lead_id = l.lead_id",
                string.Empty,
                LeadDims,
                [
                    ("lead_id", "l.lead_id"),
                    ("qualified_at", "l.qualified_at"),
                    ("first_deal_at", "opp.t"),
                    ("to_opportunity", "coalesce(epoch(opp.t) - epoch(l.qualified_at) <= $w_opp, false)"),
                ],
                [("n", "count(*)"), ("converted", "count(*) FILTER (WHERE to_opportunity)")],
                "qualified_at, lead_id"),
            new Family(
                Spend,
                string.Empty,
                "spend s {day:s.date} AND s.date <= $asof_date",
                string.Empty,
                new Dictionary<string, string> { ["channel"] = "s.channel", ["campaign"] = "s.campaign" }.ToImmutableDictionary(),
                [("date", "s.date"), ("channel", "s.channel"), ("campaign", "s.campaign"), ("amount", "s.amount")],
                [("spend", "sum(amount)"), ("rows", "count(*)")],
                "date, channel, campaign"),
            new Family(
                DealsClosed,
                "acts AS (SELECT deal_id, count(*) FILTER (WHERE type = 'call') AS calls, count(*) FILTER (WHERE type = 'meeting') AS meetings FROM activities WHERE deal_id IN (SELECT deal_id FROM deals WHERE closed_at >= $pstart AND closed_at < $pend) AND occurred_at <= $asof GROUP BY deal_id)",
                "deals d LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= $asof {bucket:d.closed_at} AND d.closed_at <= $asof LEFT JOIN acts a ON a.deal_id = d.deal_id",
                "d.status IN ('won', 'lost')",
                DealDims,
                [
                    ("deal_id", "d.deal_id"),
                    ("status", "d.status"),
                    ("cycle_start", cycleStart),
                    ("closed_at", "d.closed_at"),
                    ("amount", "CASE WHEN d.status = 'won' AND coalesce(d.currency, $currency) = $currency THEN d.amount END"),
                    ("other_currency", "d.status = 'won' AND coalesce(d.currency, $currency) <> $currency"),
                    ("cycle_days", $"CASE WHEN d.status = 'won' THEN greatest(0, epoch(d.closed_at) - epoch({cycleStart})) / 86400.0 END"),
                    ("calls", "CASE WHEN d.status = 'won' THEN coalesce(a.calls, 0) END"),
                    ("meetings", "CASE WHEN d.status = 'won' THEN coalesce(a.meetings, 0) END"),
                ],
                [
                    ("won", "count(*) FILTER (WHERE status = 'won')"),
                    ("lost", "count(*) FILTER (WHERE status = 'lost')"),
                    ("amount_n", "count(amount)"),
                    ("amount_sum", "sum(amount)"),
                    ("amount_median", "quantile_cont(amount, 0.5)"),
                    ("amount_sd", "stddev_samp(amount)"),
                    ("other_currency", "count(*) FILTER (WHERE other_currency)"),
                    ("cycle_mean", "avg(cycle_days)"),
                    ("cycle_median", "quantile_cont(cycle_days, 0.5)"),
                    ("cycle_p90", "quantile_cont(cycle_days, 0.9)"),
                    ("cycle_sd", "stddev_samp(cycle_days)"),
                    ("calls", "sum(calls)"),
                    ("meetings", "sum(meetings)"),
                    ("touches_sd", "stddev_samp(calls + meetings)"),
                ],
                "closed_at, deal_id"),
            new Family(
                DealsCreated,
                string.Empty,
                "deals d LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= $asof {bucket:d.created_at} AND d.created_at <= $asof",
                string.Empty,
                DealDims,
                [
                    ("deal_id", "d.deal_id"),
                    ("created_at", "d.created_at"),
                    ("status_as_of", "CASE WHEN d.status IN ('won', 'lost') AND d.closed_at <= $asof THEN d.status ELSE 'open' END"),
                    ("closed_at", "CASE WHEN d.closed_at <= $asof THEN d.closed_at END"),
                ],
                [
                    ("created", "count(*)"),
                    ("won", "count(*) FILTER (WHERE status_as_of = 'won')"),
                    ("lost", "count(*) FILTER (WHERE status_as_of = 'lost')"),
                ],
                "created_at, deal_id"),
            new Family(
                Customers,
                "gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= $asof_date AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= $pstart AND churned_at < $pend) GROUP BY customer_id)",
                "customers c JOIN _bk bk ON c.acquired_at < bk.e AND c.acquired_at <= $asof LEFT JOIN gp ON gp.customer_id = c.customer_id",
                // Customers gone before the period can be in no start, end or churn count of it.
                "(c.churned_at IS NULL OR c.churned_at >= $pstart OR c.churned_at > $asof)",
                CustomerDims,
                [
                    ("customer_id", "c.customer_id"),
                    ("acquired_at", "c.acquired_at"),
                    ("churned_at", "CASE WHEN c.churned_at <= $asof THEN c.churned_at END"),
                    ("active_at_start", "c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= bk.s)"),
                    ("active_at_end", "c.acquired_at < least(bk.e, $asof) AND (c.churned_at IS NULL OR c.churned_at > $asof OR c.churned_at >= least(bk.e, $asof))"),
                    ("churned_in_period", "coalesce(c.churned_at <= $asof AND c.churned_at >= bk.s AND c.churned_at < bk.e, false)"),
                    ("lifetime_profit", "coalesce(gp.profit, 0)"),
                ],
                [
                    ("start", "count(*) FILTER (WHERE active_at_start)"),
                    ("end", "count(*) FILTER (WHERE active_at_end)"),
                    ("lost", "count(*) FILTER (WHERE active_at_start AND churned_in_period)"),
                    ("churned", "count(*) FILTER (WHERE churned_in_period)"),
                    ("realized_sum", "sum(lifetime_profit) FILTER (WHERE churned_in_period)"),
                    ("realized_sd", "stddev_samp(lifetime_profit) FILTER (WHERE churned_in_period)"),
                ],
                "customer_id"),
            new Family(
                Revenue,
                string.Empty,
                "revenue r LEFT JOIN customers c ON c.customer_id = r.customer_id AND c.acquired_at <= $asof {day:r.date} AND r.date <= $asof_date",
                string.Empty,
                CustomerDims,
                [("invoice_id", "r.invoice_id"), ("customer_id", "r.customer_id"), ("date", "r.date"), ("amount", "r.amount"), ("cost", "coalesce(r.cost, 0)"), ("profit", "r.amount - coalesce(r.cost, 0)")],
                [("gross_profit", "sum(profit)"), ("invoices", "count(*)")],
                "date, invoice_id"),
            new Family(
                Acquired,
                string.Empty,
                "customers c {bucket:c.acquired_at} AND c.acquired_at <= $asof",
                string.Empty,
                CustomerDims,
                [("customer_id", "c.customer_id"), ("acquired_at", "c.acquired_at")],
                [("acquired", "count(*)")],
                "acquired_at, customer_id"),
            new Family(
                Nps,
                string.Empty,
                "nps n LEFT JOIN customers c ON c.customer_id = n.customer_id AND c.acquired_at <= $asof {bucket:n.responded_at} AND n.responded_at <= $asof",
                string.Empty,
                CustomerDims,
                [("response_id", "n.response_id"), ("responded_at", "n.responded_at"), ("score", "n.score"), ("customer_id", "n.customer_id")],
                [
                    ("answers", "count(*)"),
                    ("promoters", "count(*) FILTER (WHERE score >= 9)"),
                    ("passives", "count(*) FILTER (WHERE score BETWEEN 7 AND 8)"),
                    ("detractors", "count(*) FILTER (WHERE score <= 6)"),
                ],
                "responded_at, response_id"),
        };
        return families.ToImmutableDictionary(f => f.Name);
    }

    /// <summary>The rule-based score; the source's own score wins when present. Rule values are numbers and escaped words, never raw user text.</summary>
    internal static string QualityScoreSql(KpiParameters p)
    {
        var title = $"CASE WHEN {DecisionMakerSql(p)} THEN {p.DecisionMakerPoints.ToString(CultureInfo.InvariantCulture)} ELSE 0 END";
        var size = p.CompanySizeBands.IsEmpty
            ? "0"
            : "CASE " + string.Concat(p.CompanySizeBands.Select(b => string.Create(CultureInfo.InvariantCulture, $"WHEN l.company_size BETWEEN {b.Min} AND {b.Max} THEN {b.Points} "))) + "ELSE 0 END";
        var need = $"CASE WHEN l.need IS NOT NULL THEN {p.NeedPoints.ToString(CultureInfo.InvariantCulture)} ELSE 0 END";
        return $"CASE WHEN l.quality_score IS NOT NULL THEN l.quality_score ELSE least(100, {title} + {size} + {need}) END";
    }

    /// <summary>
    /// SQL that is true when the lead's job title contains a decision-maker word. Plain substring tests,
    /// not a regular expression: any character of a word (dashes, quotes, «», №, emoji, combining marks)
    /// then means itself, and only the SQL string quote needs escaping.
    /// </summary>
    internal static string DecisionMakerSql(KpiParameters p, string column = "l.job_title") =>
        p.DecisionMakerTitles.IsEmpty
            ? "false"
            : "(" + string.Join(" OR ", p.DecisionMakerTitles.Select(w => $"contains(lower(coalesce({column}, '')), '{w.ToLowerInvariant().Replace("'", "''", StringComparison.Ordinal)}')")) + ")";
}
