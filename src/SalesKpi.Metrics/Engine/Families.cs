using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Engine;

/// <summary>
/// A KPI family: the units one set of KPIs is computed over (leads of a cohort, deals closed in a
/// period…), as row-level SQL — one row per unit, tagged with its bucket <c>b</c> and slice
/// dimensions, with the per-unit measures — and the aggregates over those rows. The report groups
/// the rows of every bucket and slice in one query; <c>explain</c> lists the same rows. The SQL is
/// rendered for one dialect (<see cref="Families.Build"/>); what differs between engines comes from it.
/// </summary>
/// <param name="Name">Short name, used in notes and explain.</param>
/// <param name="Prelude">
/// CTEs the row SQL may need, each with the join that attaches it to a unit; a CTE is rendered (and joined)
/// only when a rendered column reads its alias, so a query that needs none of them skips their scans.
/// </param>
/// <param name="From">
/// FROM clause, joining the buckets as <c>bk</c> by the unit's dating column: <c>{bucket:col}</c> for
/// a timestamp, <c>{day:col}</c> for a date (see <see cref="BucketJoins"/>), or an explicit join to <c>_bk</c>.
/// The joins of the prelude CTEs follow it, or stand where it says <see cref="JoinsHere"/>: before the bucket join, a join
/// attaches to each unit once instead of to each of its bucket rows.
/// </param>
/// <param name="Where">Extra row condition, or empty.</param>
/// <param name="Dimensions">Dimension → SQL expression.</param>
/// <param name="Columns">Per-unit columns: name → SQL expression.</param>
/// <param name="Aggregates">Aggregate name → SQL expression over the row columns.</param>
/// <param name="Order">ORDER BY of explain listings.</param>
/// <param name="Dialect">The dialect the SQL above is written in.</param>
internal sealed partial record Family(
    string Name,
    ImmutableArray<PreludeCte> Prelude,
    string From,
    string Where,
    ImmutableDictionary<string, string> Dimensions,
    ImmutableArray<(string Name, string Sql)> Columns,
    ImmutableArray<(string Name, string Sql)> Aggregates,
    string Order,
    ISqlDialect Dialect)
{
    /// <summary>Where in <see cref="From"/> the prelude CTEs' joins go when they should not follow it.</summary>
    public const string JoinsHere = "{joins}";

    /// <summary>
    /// When set, renders the family's aggregate query (<see cref="AggregateSql"/>) for the dimensions given and
    /// whether buckets join by quarter-hour, instead of grouping its rows: for a family whose units each stand in many
    /// buckets, so that grouping the rows would handle every unit once per bucket. It must give the same groups
    /// (bucket, slice; NULL slice values for the total) and the same values of the family's aggregates, in their order,
    /// as <see cref="GroupedRowsSql"/>; the rows themselves (explain, simulation) are unchanged.
    /// </summary>
    public Func<Family, IReadOnlyList<string>, bool, string>? Aggregator { get; init; }

    /// <summary>
    /// This family reduced to the aggregates <paramref name="aggregates"/> (in the family's order), the row columns
    /// those aggregates reference and the prelude CTEs those columns read. The units (FROM and WHERE) are unchanged
    /// and every prelude CTE has at most one row per unit, so the groups and the kept aggregates are the same as
    /// the full family's. Throws for a name the family has no aggregate of.
    /// </summary>
    public Family Pruned(IReadOnlyCollection<string> aggregates)
    {
        var unknown = aggregates.Where(a => !Aggregates.Any(x => x.Name == a)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Family '{Name}' has no aggregate {string.Join(", ", unknown)}.");
        }

        var aggs = Aggregates.Where(a => aggregates.Contains(a.Name)).ToImmutableArray();
        // A false match (a column name inside a literal) only keeps a column too many; a miss would fail the query.
        var columns = Columns.Where(c => aggs.Any(a => References(a.Sql, c.Name + @"(?!\w)"))).ToImmutableArray();
        var prelude = Prelude.Where(p => columns.Any(c => References(c.Sql, p.Alias + @"\."))).ToImmutableArray();
        return this with { Aggregates = aggs, Columns = columns, Prelude = prelude };
    }

    /// <summary>
    /// This family reduced for an explain listing of <paramref name="columns"/>: those row columns and the ones its
    /// listing order reads, no aggregates, and only the prelude CTEs the kept columns read. The units (FROM, WHERE) are
    /// unchanged and a prelude CTE never adds units, so the listed rows, their order and the kept columns' values are the
    /// full family's. Throws for a name the family has no column of.
    /// </summary>
    public Family Listed(IReadOnlyCollection<string> columns)
    {
        var unknown = columns.Where(c => !Columns.Any(x => x.Name == c)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Family '{Name}' has no column {string.Join(", ", unknown)}.");
        }

        var order = Order.Split(',').Select(o => o.Trim().Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        var kept = Columns.Where(c => columns.Contains(c.Name) || order.Contains(c.Name)).ToImmutableArray();
        var prelude = Prelude.Where(p => kept.Any(c => References(c.Sql, p.Alias + @"\."))).ToImmutableArray();
        return this with { Aggregates = [], Columns = kept, Prelude = prelude };
    }

    /// <summary>True when <paramref name="sql"/> holds <paramref name="pattern"/> (a plain identifier start, then a regex tail) as an identifier, not inside another one or a parameter.</summary>
    private static bool References(string sql, string pattern) =>
        System.Text.RegularExpressions.Regex.IsMatch(sql, @"(?<![\w.$])" + pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The row-level CTEs (prelude and <c>rows</c>), for dimensions <paramref name="dims"/>.</summary>
    public string RowsCte(IReadOnlyList<string> dims, bool quarterHourBuckets)
    {
        var sb = new StringBuilder("WITH ");
        foreach (var cte in Prelude)
        {
            sb.Append(cte.Sql).Append(",\n");
        }

        sb.Append("rows AS (SELECT bk.b");
        foreach (var d in dims)
        {
            sb.Append(", ").Append(DimensionColumn(d));
        }

        foreach (var (name, sql) in Columns)
        {
            sb.Append(CultureInfo.InvariantCulture, $", {sql} AS \"{name}\"");
        }

        var joins = string.Concat(Prelude.Select(cte => " " + cte.Join));
        var from = BucketJoins.Expand(From, quarterHourBuckets, Dialect);
        sb.Append("\nFROM ").Append(from.Contains(JoinsHere, StringComparison.Ordinal) ? from.Replace(" " + JoinsHere, joins, StringComparison.Ordinal) : from + joins);
        if (Where.Length > 0)
        {
            sb.Append("\nWHERE ").Append(Where);
        }

        return sb.Append(")\n").ToString();
    }

    /// <summary>The row column of dimension <paramref name="dimension"/>: <c>dim_&lt;dimension&gt;</c>, its value as text, <c>(none)</c> when missing.</summary>
    public string DimensionColumn(string dimension) =>
        $"coalesce(CAST({Dimensions[dimension]} AS VARCHAR), '(none)') AS \"dim_{dimension}\"";

    /// <summary>
    /// An aggregate that is the continuous percentile <paramref name="fraction"/> of the row column <paramref name="column"/>.
    /// <see cref="AggregateSql"/> renders it with the dialect; several percentiles of one column kept together are computed
    /// from one ordering of its values (<see cref="ISqlDialect.PercentilesCont"/>) instead of one sort each.
    /// </summary>
    public static string Percentile(double fraction, string column) =>
        string.Create(CultureInfo.InvariantCulture, $"{{pct:{fraction}:{column}}}");

    /// <summary>
    /// One query: aggregates per bucket for the total and, when <paramref name="dims"/> is not empty, per slice — the
    /// family's <see cref="Aggregator"/> when it has one, else <see cref="GroupedRowsSql"/>.
    /// </summary>
    public string AggregateSql(IReadOnlyList<string> dims, bool quarterHourBuckets) =>
        Aggregator is { } aggregator ? aggregator(this, dims, quarterHourBuckets) : GroupedRowsSql(dims, quarterHourBuckets);

    /// <summary>The aggregates per bucket (and slice) by grouping the family's rows: the definition every <see cref="Aggregator"/> must agree with.</summary>
    public string GroupedRowsSql(IReadOnlyList<string> dims, bool quarterHourBuckets)
    {
        var dimCols = string.Join(string.Empty, dims.Select(d => $", \"dim_{d}\""));
        var grouping = dims.Count == 0 ? "GROUP BY b" : $"GROUP BY GROUPING SETS ((b), (b{dimCols}))";
        static (double Fraction, string Column) Read(System.Text.RegularExpressions.Match m) =>
            (double.Parse(m.Groups["f"].Value, CultureInfo.InvariantCulture), m.Groups["c"].Value);
        var percentiles = Aggregates
            .Select(a => (a.Name, Match: PercentileToken().Match(a.Sql)))
            .Where(p => p.Match.Success)
            .Select(p => (p.Name, Token: Read(p.Match)))
            .GroupBy(p => p.Token.Column, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .ToList();
        string Single(string sql) => PercentileToken().Replace(sql, m =>
        {
            var (fraction, column) = Read(m);
            return Dialect.PercentileCont(fraction, column);
        });
        if (percentiles.Count == 0)
        {
            var aggs = string.Join(", ", Aggregates.Select(a => $"{Single(a.Sql)} AS \"{a.Name}\""));
            return RowsCte(dims, quarterHourBuckets) + $"SELECT b{dimCols}, {aggs} FROM rows {grouping}";
        }

        // The percentiles of one column come out of one array aggregate, read element by element around the grouping.
        var merged = percentiles.SelectMany((g, i) => g.Select((p, j) => (p.Name, Element: $"\"_pct{i}\"[{j + 1}]"))).ToDictionary(p => p.Name, p => p.Element, StringComparer.Ordinal);
        var inner = Aggregates.Where(a => !merged.ContainsKey(a.Name)).Select(a => $"{Single(a.Sql)} AS \"{a.Name}\"")
            .Concat(percentiles.Select((g, i) => $"{Dialect.PercentilesCont([.. g.Select(p => p.Token.Fraction)], g.Key)} AS \"_pct{i}\""));
        var outer = Aggregates.Select(a => merged.TryGetValue(a.Name, out var element) ? $"{element} AS \"{a.Name}\"" : $"\"{a.Name}\"");
        return RowsCte(dims, quarterHourBuckets)
            + $"SELECT b{dimCols}, {string.Join(", ", outer)} FROM (SELECT b{dimCols}, {string.Join(", ", inner)} FROM rows {grouping}) g";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{pct:(?<f>[0-9.]+):(?<c>\w+)\}")]
    private static partial System.Text.RegularExpressions.Regex PercentileToken();

    /// <summary>
    /// The rows of one bucket and slice, for explain, in the family's fixed order: at most <paramref name="limit"/>
    /// after skipping <paramref name="offset"/> (pages); the slice values are the parameters <c>slice_&lt;dimension&gt;</c>.
    /// </summary>
    public string ListSql(IReadOnlyList<string> dims, int limit, bool quarterHourBuckets, int offset = 0) =>
        RowsCte(dims, quarterHourBuckets) + $"SELECT * FROM rows WHERE b = 0{string.Concat(dims.Select(d => $" AND \"dim_{d}\" = {Dialect.Parameter("slice_" + d)}"))} ORDER BY {Order} LIMIT {limit.ToString(CultureInfo.InvariantCulture)}"
        + (offset > 0 ? " OFFSET " + offset.ToString(CultureInfo.InvariantCulture) : string.Empty);
}

/// <summary>A CTE of a family's prelude: its SQL (<c>name AS (…)</c>), the alias its columns are read through, and the join adding it to the units.</summary>
/// <param name="Sql">The CTE, without WITH.</param>
/// <param name="Alias">The alias the join gives it; a row column reading <c>alias.</c> needs it.</param>
/// <param name="Join">The join clause (at most one CTE row per unit, so it never adds units).</param>
internal sealed record PreludeCte(string Sql, string Alias, string Join);

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
    public static string Expand(string from, bool quarterHourBuckets, ISqlDialect dialect)
    {
        // The span of all buckets ($pstart, $pend) is implied by the join; stated, it lets the engine skip the
        // stored row groups outside it (DuckDB's min/max zone maps) instead of probing every unit.
        var expanded = TimestampToken().Replace(from, m => (quarterHourBuckets
            ? $"JOIN _bq bk ON bk.k = {QuarterHour(dialect, m.Groups[1].Value)}"
            : $"JOIN _bk bk ON {m.Groups[1].Value} >= bk.s AND {m.Groups[1].Value} < bk.e")
            + $" AND {m.Groups[1].Value} >= {dialect.Parameter("pstart")} AND {m.Groups[1].Value} < {dialect.Parameter("pend")}");
        return DateToken().Replace(expanded, m => $"JOIN _bd bk ON bk.d = {m.Groups[1].Value}");
    }

    /// <summary>The key of the UTC quarter-hour holding the timestamp <paramref name="expr"/>: ⌊epoch seconds / 900⌋ as BIGINT.</summary>
    public static string QuarterHour(ISqlDialect dialect, string expr) => $"CAST(floor({dialect.EpochSeconds(expr)} / 900) AS BIGINT)";

    [System.Text.RegularExpressions.GeneratedRegex(@"\{bucket:([^}]+)\}")]
    private static partial System.Text.RegularExpressions.Regex TimestampToken();

    [System.Text.RegularExpressions.GeneratedRegex(@"\{day:([^}]+)\}")]
    private static partial System.Text.RegularExpressions.Regex DateToken();
}

/// <summary>The families of the catalogue, built for a set of parameters and a dialect.</summary>
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
    /// <summary>Dimension → SQL expression for units that are deals (<c>d</c>, with their lead <c>l</c>).</summary>
    internal static readonly ImmutableDictionary<string, string> DealDimensions = new Dictionary<string, string>
    {
        ["owner"] = "d.owner",
        ["service_line"] = "d.service_line",
        ["segment"] = "d.segment",
        ["region"] = "d.region",
        ["channel"] = "l.channel",
    }.ToImmutableDictionary();

    // The deal families read their lead through the kept deal_leads (dl), not the leads: the channel and creation only.
    private static readonly ImmutableDictionary<string, string> DealFamilyDimensions = DealDimensions.SetItem("channel", "dl.lead_channel");

    /// <summary>
    /// Seconds from <paramref name="from"/> to <paramref name="to"/>: calendar time, or with a business calendar
    /// the working seconds — the difference of the cumulative working time at each moment, read from the
    /// quarter-hour table <c>_wh</c> that <see cref="KpiEngine"/> loads for the calendar.
    /// </summary>
    internal static string Seconds(KpiParameters p, ISqlDialect d, string from, string to) =>
        p.Calendar is null ? d.SecondsBetween(from, to) : $"{WorkSeconds(d, to)} - {WorkSeconds(d, from)}";

    private static string WorkSeconds(ISqlDialect d, string t) =>
        $"(SELECT w.cum + greatest(0, least({d.EpochSeconds(t)}, w.c) - w.o) FROM _wh w WHERE w.k = {BucketJoins.QuarterHour(d, t)})";

    public static ImmutableDictionary<string, Family> Build(KpiParameters p, ISqlDialect d)
    {
        var cycleStart = p.CycleStart == CycleStart.Lead ? "coalesce(dl.lead_created_at, d.created_at)" : "d.created_at";
        static string Pct(double fraction, string column) => Family.Percentile(fraction, column);
        var asof = d.Parameter("asof");
        var asofDate = d.Parameter("asof_date");
        var pstart = d.Parameter("pstart");
        var pend = d.Parameter("pend");
        var currency = d.Parameter("currency");
        // A deal's lead as kept per deal (DealLeads), known only when created by as-of (see below).
        var dealLead = $"LEFT JOIN {DealLeads.Table} dl ON dl.deal_id = d.deal_id AND dl.lead_created_at <= {asof}";
        var responded = $"least(CASE WHEN l.first_response_at <= {asof} THEN l.first_response_at END, ms.touched_at)";

        // The decision-maker test once per distinct job title of the period's leads, not once per lead: a few dozen
        // pattern tests instead of millions (7–9 % of the leads family's query at 10 M leads).
        var titles = p.DecisionMakerTitles.IsEmpty || !d.TestsDistinctValuesOnce
            ? null
            : new PreludeCte(
                $"jt AS (SELECT job_title, {DecisionMakerSql(p, d, "job_title")} AS decision_maker FROM (SELECT DISTINCT job_title FROM leads WHERE job_title IS NOT NULL AND created_at >= {pstart} AND created_at < {pend} AND created_at <= {asof}) t)",
                "jt",
                "LEFT JOIN jt ON jt.job_title = l.job_title");
        var score = QualityScoreSql(p, d, titles is null ? DecisionMakerSql(p, d) : "coalesce(jt.decision_maker, false)");

        // As-of is a snapshot of what was known: a row created after it does not exist, also as the source of a
        // dimension. So a deal's lead (channel, cycle start) and an answer's or invoice's customer are joined only
        // when created by as-of; otherwise the slice is (none), exactly as before that row was imported.
        var families = new[]
        {
            new Family(
                Leads,
                [
                    new(
                        // Kept by the import (see LeadMilestones): a first touch or first win after as-of was not known then.
                        // Only the period's leads: fewer rows to hash, and the smaller side of the join.
                        $"ms AS (SELECT lead_id, CASE WHEN touched_at <= {asof} THEN touched_at END AS touched_at, CASE WHEN won_at <= {asof} THEN won_at END AS won_at FROM {LeadMilestones.Table} WHERE {LeadMilestones.CreatedWithin(pstart, pend, asof)} AND (touched_at <= {asof} OR won_at <= {asof}))",
                        "ms",
                        "LEFT JOIN ms ON ms.lead_id = l.lead_id"),
                    .. titles is null ? [] : new[] { titles },
                ],
                // The milestones join each lead before the buckets: joined after, DuckDB took the lead × bucket join
                // for the smaller side (its estimate of a join on a computed key is the bucket table's size) and built
                // its hash table on all the period's leads — 4.3 s of the family's 5.6 s at 10 M leads.
                $"leads l {Family.JoinsHere} {{bucket:l.created_at}} AND l.created_at <= {asof}",
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
                    ("qualified_at", $"CASE WHEN l.qualified_at <= {asof} THEN l.qualified_at END"),
                    ("to_sql", $"coalesce({QualifiedInWindow(d)}, false)"),
                    ("responded_at", responded),
                    // greatest() skips NULLs in DuckDB, so an unanswered lead must stay NULL explicitly rather than become 0 hours.
                    ("response_hours", $"CASE WHEN {responded} IS NOT NULL THEN greatest(0, {Seconds(p, d, "l.created_at", responded)}) / 3600.0 END"),
                    ("won_at", "ms.won_at"),
                    ("to_win", $"coalesce({d.SecondsBetween("l.created_at", "ms.won_at")} <= {d.Parameter("w_win")}, false)"),
                ],
                [
                    ("n", "count(*)"),
                    ("score_sum", "sum(score)"),
                    ("score_sd", "stddev_samp(score)"),
                    ("high", $"count(*) FILTER (WHERE score >= {d.Parameter("threshold")})"),
                    ("to_sql", "count(*) FILTER (WHERE to_sql)"),
                    ("answered", "count(response_hours)"),
                    ("resp_median", Pct(0.5, "response_hours")),
                    ("resp_mean", "avg(response_hours)"),
                    ("resp_sd", "stddev_samp(response_hours)"),
                    ("resp_p90", Pct(0.9, "response_hours")),
                    ("within_sla", $"count(*) FILTER (WHERE response_hours <= {d.Parameter("sla")})"),
                    ("to_win", "count(*) FILTER (WHERE to_win)"),
                ],
                "created_at, lead_id",
                d),
            new Family(
                Sql,
                [new(FirstOpportunityCte(d), "opp", "LEFT JOIN opp ON opp.lead_id = l.lead_id")],
                $"leads l {{bucket:l.qualified_at}} AND l.qualified_at <= {asof}",
                string.Empty,
                LeadDims,
                [
                    ("lead_id", "l.lead_id"),
                    ("qualified_at", "l.qualified_at"),
                    ("first_deal_at", "opp.t"),
                    ("to_opportunity", $"coalesce({OpportunityInWindow(d, "l.qualified_at", "opp.t")}, false)"),
                ],
                [("n", "count(*)"), ("converted", "count(*) FILTER (WHERE to_opportunity)")],
                "qualified_at, lead_id",
                d),
            new Family(
                Spend,
                [],
                $"spend s {{day:s.date}} AND s.date <= {asofDate}",
                string.Empty,
                new Dictionary<string, string> { ["channel"] = "s.channel", ["campaign"] = "s.campaign" }.ToImmutableDictionary(),
                [("date", "s.date"), ("channel", "s.channel"), ("campaign", "s.campaign"), ("amount", "s.amount")],
                [("spend", "sum(amount)"), ("rows", "count(*)")],
                "date, channel, campaign",
                d),
            new Family(
                DealsClosed,
                [
                    new(
                        // Only won deals read their activities (calls, meetings): counting those of lost deals too took a
                        // fifth more of the family's time at 10 M leads.
                        $"acts AS (SELECT deal_id, count(*) FILTER (WHERE type = 'call') AS calls, count(*) FILTER (WHERE type = 'meeting') AS meetings FROM activities WHERE deal_id IN (SELECT deal_id FROM deals WHERE closed_at >= {pstart} AND closed_at < {pend} AND status = 'won') AND occurred_at <= {asof} GROUP BY deal_id)",
                        "a",
                        "LEFT JOIN acts a ON a.deal_id = d.deal_id"),
                ],
                // The period's deals meet their buckets first, then their leads: the other way round the engine joined every
                // deal to its lead before keeping only the period's.
                $"deals d {{bucket:d.closed_at}} AND d.closed_at <= {asof} {dealLead}",
                "d.status IN ('won', 'lost')",
                DealFamilyDimensions,
                [
                    ("deal_id", "d.deal_id"),
                    ("status", "d.status"),
                    ("cycle_start", cycleStart),
                    ("closed_at", "d.closed_at"),
                    ("amount", $"CASE WHEN d.status = 'won' AND {InCurrency(d)} THEN d.amount END"),
                    ("other_currency", $"d.status = 'won' AND coalesce(d.currency, {currency}) <> {currency}"),
                    ("cycle_days", $"CASE WHEN d.status = 'won' THEN greatest(0, {d.SecondsBetween(cycleStart, "d.closed_at")}) / 86400.0 END"),
                    ("calls", "CASE WHEN d.status = 'won' THEN coalesce(a.calls, 0) END"),
                    ("meetings", "CASE WHEN d.status = 'won' THEN coalesce(a.meetings, 0) END"),
                ],
                [
                    ("won", "count(*) FILTER (WHERE status = 'won')"),
                    ("lost", "count(*) FILTER (WHERE status = 'lost')"),
                    ("amount_n", "count(amount)"),
                    ("amount_sum", "sum(amount)"),
                    ("amount_median", Pct(0.5, "amount")),
                    ("amount_sd", "stddev_samp(amount)"),
                    ("other_currency", "count(*) FILTER (WHERE other_currency)"),
                    ("cycle_mean", "avg(cycle_days)"),
                    ("cycle_median", Pct(0.5, "cycle_days")),
                    ("cycle_p90", Pct(0.9, "cycle_days")),
                    ("cycle_sd", "stddev_samp(cycle_days)"),
                    ("calls", "sum(calls)"),
                    ("meetings", "sum(meetings)"),
                    ("touches_sd", "stddev_samp(calls + meetings)"),
                ],
                "closed_at, deal_id",
                d),
            new Family(
                DealsCreated,
                [],
                $"deals d {{bucket:d.created_at}} AND d.created_at <= {asof} {dealLead}",
                string.Empty,
                DealFamilyDimensions,
                [
                    ("deal_id", "d.deal_id"),
                    ("created_at", "d.created_at"),
                    ("status_as_of", DealStateAsOf(d)),
                    ("closed_at", $"CASE WHEN d.closed_at <= {asof} THEN d.closed_at END"),
                ],
                [
                    ("created", "count(*)"),
                    ("won", "count(*) FILTER (WHERE status_as_of = 'won')"),
                    ("lost", "count(*) FILTER (WHERE status_as_of = 'lost')"),
                ],
                "created_at, deal_id",
                d),
            new Family(
                Customers,
                [
                    new(
                        $"gp AS (SELECT customer_id, sum(amount - coalesce(cost, 0)) AS profit FROM revenue WHERE date <= {asofDate} AND customer_id IN (SELECT customer_id FROM customers WHERE churned_at >= {pstart} AND churned_at < {pend}) GROUP BY customer_id)",
                        "gp",
                        "LEFT JOIN gp ON gp.customer_id = c.customer_id"),
                ],
                // The profits join each customer before the customer meets its buckets: joined after, the engine built
                // its hash table on the customer × bucket rows (most of the family's time in a profile at 1 M leads).
                // A bucket's end is never NULL: the OR only keeps DuckDB from planning the inequality as a piecewise merge
                // join (0.19–0.36 s of CPU at 1 M leads) and makes it compare each block of customers with the few buckets
                // instead (0.04 s); the rows are the same.
                $"customers c {Family.JoinsHere} JOIN _bk bk ON (c.acquired_at < bk.e OR bk.e IS NULL) AND c.acquired_at <= {asof}",
                // Customers gone before the period can be in no start, end or churn count of it.
                $"(c.churned_at IS NULL OR c.churned_at >= {pstart} OR c.churned_at > {asof})",
                CustomerDims,
                [
                    ("customer_id", "c.customer_id"),
                    ("acquired_at", "c.acquired_at"),
                    ("churned_at", $"CASE WHEN c.churned_at <= {asof} THEN c.churned_at END"),
                    ("active_at_start", $"c.acquired_at < bk.s AND (c.churned_at IS NULL OR c.churned_at > {asof} OR c.churned_at >= bk.s)"),
                    ("active_at_end", $"c.acquired_at < least(bk.e, {asof}) AND (c.churned_at IS NULL OR c.churned_at > {asof} OR c.churned_at >= least(bk.e, {asof}))"),
                    ("churned_in_period", $"coalesce(c.churned_at <= {asof} AND c.churned_at >= bk.s AND c.churned_at < bk.e, false)"),
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
                "customer_id",
                d)
            {
                Aggregator = CustomersFromEvents,
            },
            new Family(
                Revenue,
                [],
                $"revenue r LEFT JOIN customers c ON c.customer_id = r.customer_id AND c.acquired_at <= {asof} {{day:r.date}} AND r.date <= {asofDate}",
                string.Empty,
                CustomerDims,
                [("invoice_id", "r.invoice_id"), ("customer_id", "r.customer_id"), ("date", "r.date"), ("amount", "r.amount"), ("cost", "coalesce(r.cost, 0)"), ("profit", "r.amount - coalesce(r.cost, 0)")],
                [("gross_profit", "sum(profit)"), ("invoices", "count(*)")],
                "date, invoice_id",
                d),
            new Family(
                Acquired,
                [],
                $"customers c {{bucket:c.acquired_at}} AND c.acquired_at <= {asof}",
                string.Empty,
                CustomerDims,
                [("customer_id", "c.customer_id"), ("acquired_at", "c.acquired_at")],
                [("acquired", "count(*)")],
                "acquired_at, customer_id",
                d),
            new Family(
                Nps,
                [],
                $"nps n LEFT JOIN customers c ON c.customer_id = n.customer_id AND c.acquired_at <= {asof} {{bucket:n.responded_at}} AND n.responded_at <= {asof}",
                string.Empty,
                CustomerDims,
                [("response_id", "n.response_id"), ("responded_at", "n.responded_at"), ("score", "n.score"), ("customer_id", "n.customer_id")],
                [
                    ("answers", "count(*)"),
                    ("promoters", "count(*) FILTER (WHERE score >= 9)"),
                    ("passives", "count(*) FILTER (WHERE score BETWEEN 7 AND 8)"),
                    ("detractors", "count(*) FILTER (WHERE score <= 6)"),
                ],
                "responded_at, response_id",
                d),
        };
        return families.ToImmutableDictionary(f => f.Name);
    }

    /// <summary>
    /// The customers family's aggregates without a row per customer and bucket (at 10 M leads, 5.5 M rows for 0.7 M
    /// customers and twelve months). A customer is active at a moment t when acquired before t and not churned
    /// before t (a churn after as-of is not known): so the active customers at t are the acquisitions before t minus
    /// the departures before t, a departure being the later of acquisition and churn (a churn recorded before the
    /// acquisition leaves the customer active at no moment, as in the rows). Acquisitions and departures are summed per
    /// slice between consecutive moments of interest — each bucket's start, end and end capped at as-of — and each count
    /// is the sum of the spans before its moment; the customers acquired before a bucket's end tell whether the bucket
    /// has a group at all, as they do in the rows. Churns are point events: the customers churned in a bucket are
    /// joined to it by their churn, with their lifetime profit.
    /// </summary>
    private static string CustomersFromEvents(Family f, IReadOnlyList<string> dims, bool quarterHourBuckets)
    {
        var d = f.Dialect;
        var asof = d.Parameter("asof");
        var names = f.Aggregates.Select(a => a.Name).ToList();
        string[] stock = ["start", "end"];
        string[] churn = ["lost", "churned", "realized_sum", "realized_sd"];
        if (names.Except(stock.Concat(churn)).ToList() is { Count: > 0 } unknown)
        {
            throw new InvalidOperationException($"The customers' events give no aggregate {string.Join(", ", unknown)}.");
        }

        var dimCols = string.Concat(dims.Select(x => $", \"dim_{x}\""));
        var grouping = dims.Count == 0 ? "GROUP BY bk.b" : $"GROUP BY GROUPING SETS ((bk.b), (bk.b{dimCols}))";
        var sb = new StringBuilder("WITH ");
        foreach (var cte in f.Prelude)
        {
            sb.Append(cte.Sql).Append(",\n");
        }

        var selectDims = string.Concat(dims.Select(x => ", " + f.DimensionColumn(x)));
        sb.Append(CultureInfo.InvariantCulture, $"cu AS (SELECT c.customer_id{selectDims}, c.acquired_at AS a, CASE WHEN c.churned_at <= {asof} THEN c.churned_at END AS x FROM customers c WHERE c.acquired_at <= {asof} AND {f.Where}),\n");
        var ev = dims.Count == 0 ? string.Empty : dimCols[2..] + ", ";
        sb.Append(CultureInfo.InvariantCulture, $"ev AS (SELECT {ev}a AS t, 1 AS da, 1 AS dn FROM cu UNION ALL SELECT {ev}greatest(a, x), -1, 0 FROM cu WHERE x IS NOT NULL),\n");
        sb.Append(CultureInfo.InvariantCulture, $"th AS (SELECT DISTINCT t FROM (SELECT s AS t FROM _bk UNION ALL SELECT least(e, {asof}) FROM _bk UNION ALL SELECT e FROM _bk) m),\n");
        sb.Append(CultureInfo.InvariantCulture, $"iv AS (SELECT lag(t) OVER (ORDER BY t) AS lo, t AS hi FROM th UNION ALL SELECT max(t), CAST(NULL AS {d.TypeName(ColumnType.Timestamp)}) FROM th),\n");
        // The spans are few: comparing each event with all of them beats a sort of the events (a window over them took
        // twice as long at 1 M leads); the ORs keep DuckDB from planning a merge join of the inequalities.
        var evDims = string.Concat(dims.Select(x => $"ev.\"dim_{x}\", "));
        sb.Append(CultureInfo.InvariantCulture, $"ag AS (SELECT {evDims}iv.hi, sum(ev.da) AS da, sum(ev.dn) AS dn FROM ev JOIN iv ON (ev.t >= iv.lo OR iv.lo IS NULL) AND (ev.t < iv.hi OR iv.hi IS NULL) GROUP BY {evDims}iv.hi),\n");
        sb.Append(CultureInfo.InvariantCulture, $"lv AS (SELECT bk.b{dimCols}, sum(da) FILTER (WHERE hi <= bk.s) AS \"start\", sum(da) FILTER (WHERE hi <= least(bk.e, {asof})) AS \"end\", sum(dn) FILTER (WHERE hi <= bk.e) AS n FROM ag, _bk bk {grouping})");
        var churned = names.Intersect(churn).Any();
        if (churned)
        {
            var joins = string.Concat(f.Prelude.Select(cte => " " + cte.Join));
            var from = BucketJoins.Expand($"cu c{joins} {{bucket:c.x}}", quarterHourBuckets, d);
            var profit = f.Prelude.Length > 0 ? "coalesce(gp.profit, 0)" : "0";
            sb.Append(CultureInfo.InvariantCulture, $",\nch AS (SELECT bk.b{string.Concat(dims.Select(x => $", c.\"dim_{x}\""))}, count(*) FILTER (WHERE c.a < bk.s) AS \"lost\", count(*) AS \"churned\", sum({profit}) AS \"realized_sum\", stddev_samp({profit}) AS \"realized_sd\" FROM {from} WHERE c.a < bk.e {grouping})");
        }

        string Output(string name) => name switch
        {
            "start" or "end" => $"CAST(coalesce(lv.\"{name}\", 0) AS BIGINT) AS \"{name}\"",
            "lost" or "churned" => $"coalesce(ch.\"{name}\", 0) AS \"{name}\"",
            _ => $"ch.\"{name}\"",
        };
        var outDims = string.Concat(dims.Select(x => $", lv.\"dim_{x}\""));
        var aggs = names.Count == 0 ? string.Empty : ", " + string.Join(", ", names.Select(Output));
        sb.Append(CultureInfo.InvariantCulture, $"\nSELECT lv.b{outDims}{aggs} FROM lv");
        if (churned)
        {
            sb.Append(" LEFT JOIN ch ON ch.b = lv.b").Append(string.Concat(dims.Select(x => $" AND ch.\"dim_{x}\" IS NOT DISTINCT FROM lv.\"dim_{x}\"")));
        }

        return sb.Append(" WHERE lv.n > 0").ToString();
    }

    /// <summary>
    /// The CTE <c>opp</c>: each lead's first deal created by as-of (<c>lead_id</c>, <c>t</c>), kept by the import
    /// (<see cref="LeadMilestones"/>); with <paramref name="createdFrom"/> and <paramref name="createdTo"/> (SQL), only
    /// those of the leads created in that span, for a query of that cohort alone.
    /// </summary>
    internal static string FirstOpportunityCte(ISqlDialect d, string? createdFrom = null, string? createdTo = null)
    {
        var asof = d.Parameter("asof");
        var cohort = createdFrom is null || createdTo is null ? string.Empty : " AND " + LeadMilestones.CreatedWithin(createdFrom, createdTo, asof);
        return $"opp AS (SELECT lead_id, opportunity_at AS t FROM {LeadMilestones.Table} WHERE opportunity_at <= {asof}{cohort})";
    }

    /// <summary>A deal <c>d</c>'s state at as-of: <c>won</c> or <c>lost</c> once closed by then, otherwise <c>open</c>.</summary>
    internal static string DealStateAsOf(ISqlDialect d, string alias = "d.") =>
        $"CASE WHEN {ClosedByAsOf(d, alias)} THEN {alias}status ELSE 'open' END";

    /// <summary>True when deal <c>d</c> was won or lost by as-of (the condition of <see cref="DealStateAsOf"/>).</summary>
    internal static string ClosedByAsOf(ISqlDialect d, string alias = "d.") =>
        $"{alias}status IN ('won', 'lost') AND {alias}closed_at <= {d.Parameter("asof")}";

    /// <summary>True when lead <c>l</c> was qualified by as-of within the lead-to-SQL window <c>w_sql</c> of its creation (NULL when not qualified).</summary>
    internal static string QualifiedInWindow(ISqlDialect d) =>
        $"l.qualified_at <= {d.Parameter("asof")} AND {d.SecondsBetween("l.created_at", "l.qualified_at")} <= {d.Parameter("w_sql")}";

    /// <summary>True when the first opportunity at <paramref name="opportunityAt"/> came within the SQL-to-opportunity window <c>w_opp</c> of <paramref name="qualifiedAt"/>.</summary>
    internal static string OpportunityInWindow(ISqlDialect d, string qualifiedAt, string opportunityAt) =>
        $"{d.SecondsBetween(qualifiedAt, opportunityAt)} <= {d.Parameter("w_opp")}";

    /// <summary>True when deal <c>d</c> is in the workspace currency (a deal without a currency is).</summary>
    internal static string InCurrency(ISqlDialect d) =>
        $"coalesce(d.currency, {d.Parameter("currency")}) = {d.Parameter("currency")}";

    /// <summary>
    /// The rule-based score; the source's own score wins when present. Rule values are numbers and escaped words, never
    /// raw user text. <paramref name="decisionMaker"/> is the SQL telling whether lead <c>l</c>'s title is a decision
    /// maker's (<see cref="DecisionMakerSql"/> of it, or a lookup of its result).
    /// </summary>
    internal static string QualityScoreSql(KpiParameters p, ISqlDialect d, string decisionMaker)
    {
        var title = $"CASE WHEN {decisionMaker} THEN {p.DecisionMakerPoints.ToString(CultureInfo.InvariantCulture)} ELSE 0 END";
        var size = p.CompanySizeBands.IsEmpty
            ? "0"
            : "CASE " + string.Concat(p.CompanySizeBands.Select(b => string.Create(CultureInfo.InvariantCulture, $"WHEN l.company_size BETWEEN {b.Min} AND {b.Max} THEN {b.Points} "))) + "ELSE 0 END";
        var need = $"CASE WHEN l.need IS NOT NULL THEN {p.NeedPoints.ToString(CultureInfo.InvariantCulture)} ELSE 0 END";
        return $"CASE WHEN l.quality_score IS NOT NULL THEN l.quality_score ELSE least(100, {title} + {size} + {need}) END";
    }

    /// <summary>
    /// SQL that is true when the lead's job title contains a decision-maker word, as plain text: any character
    /// of a word (dots, dashes, quotes, brackets, «», №, emoji) means itself. The dialect renders it as one
    /// pattern test per row (<see cref="ISqlDialect.ContainsAny"/>).
    /// </summary>
    internal static string DecisionMakerSql(KpiParameters p, ISqlDialect d, string column = "l.job_title") =>
        p.DecisionMakerTitles.IsEmpty
            ? "false"
            : d.ContainsAny(column, p.DecisionMakerTitles);
}
