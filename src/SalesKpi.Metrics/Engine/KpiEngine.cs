using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Engine;

/// <summary>
/// Computes KPIs inside the database: one aggregate query per KPI family serves every bucket of the
/// period and every slice of the requested dimensions; intervals and KPIs derived from other KPIs
/// are computed here from the aggregated rows. Nothing reads individual records into memory.
/// </summary>
public sealed class KpiEngine
{
    private const string SliceSeparator = "\u001f";
    private static readonly ImmutableSortedDictionary<string, string> NoSlice = ImmutableSortedDictionary<string, string>.Empty;

    private readonly Workspace ws;
    private readonly KpiMemo? memo;

    /// <summary>Creates an engine over <paramref name="workspace"/>; with <paramref name="memo"/>, totals it has kept are served from it and those computed are kept.</summary>
    public KpiEngine(Workspace workspace, KpiMemo? memo = null)
    {
        ws = workspace;
        this.memo = memo;
    }

    /// <summary>
    /// Internal switch, for measurement and as a fallback: false computes every family in full (all aggregates, columns
    /// and prelude CTEs) instead of only what the requested KPIs declare in <see cref="KpiDefinition.Uses"/>.
    /// Results are the same either way (pinned by a test); only the time differs.
    /// </summary>
    internal static bool PruneByDefault { get; set; } = true;

    /// <summary>Whether this engine prunes each family to the requested KPIs' aggregates; <see cref="PruneByDefault"/> unless set.</summary>
    internal bool PruneFamilies { get; init; } = PruneByDefault;

    /// <summary>
    /// For tests and measurement: false groups every family's rows (<see cref="Family.GroupedRowsSql"/>) even where the
    /// family has its own <see cref="Family.Aggregator"/> — the definition an aggregator must agree with.
    /// </summary>
    internal bool UseAggregators { get; init; } = true;

    /// <summary>
    /// For tests: false joins units to their buckets by range even when every boundary is on the quarter-hour grid, the
    /// way a report whose boundaries are off the grid always does (see <see cref="BucketJoins"/>).
    /// </summary>
    internal bool QuarterHourJoins { get; init; } = true;

    /// <summary>
    /// How many families a report computes at once, each on its own session of the workspace
    /// (<see cref="Workspace.OpenSibling"/>), for every engine that does not set <see cref="Lanes"/>; null (the default):
    /// on an engine whose sessions add speed side by side (<see cref="ISqlDialect.SessionsSideBySide"/>, PostgreSQL) the
    /// processor count, at most 4, else 1 — one session computing them in turn. Process-wide, set by the host before any
    /// report (the CLI from <c>SALESKPI_ENGINE_LANES</c>, for measurement). Values below 1 count as 1. Results are the
    /// same either way (pinned by a test); only the time differs.
    /// </summary>
    public static int? LanesOverride { get; set; }

    /// <summary>How many families this engine computes at once; unset, see <see cref="LanesOverride"/>. Values below 1 count as 1.</summary>
    internal int? Lanes { get; init; }

    private int LaneCount => Math.Max(1, Lanes ?? LanesOverride ?? (ws.Dialect.SessionsSideBySide ? Math.Clamp(Environment.ProcessorCount, 1, 4) : 1));

    // Heaviest first, so that the longest family starts at once and the small ones fill the other lanes
    // (measured at 1 M leads: leads ≈ 45 %, customers ≈ 25 %, deals closed ≈ 12 % of a full report).
    private static readonly string[] CostOrder =
        [Families.Leads, Families.Customers, Families.DealsClosed, Families.Sql, Families.DealsCreated, Families.Revenue, Families.Nps, Families.Spend, Families.Acquired];

    // Sibling lanes running in this process at once, across all reports.
    private static readonly SemaphoreSlim SpareLanes = new(Math.Max(1, Environment.ProcessorCount));

    /// <summary>
    /// For tests: every sibling lane waits for a spare processor token, and the caller's lane starts only when every
    /// sibling lane is ready, so that on small data the families really spread over the lanes instead of the caller's
    /// finishing them all while the siblings open.
    /// </summary>
    internal bool WaitForLanes { get; init; }

    /// <summary>For tests: called by a sibling lane right before it opens its session, which it does only once it has taken a family to compute.</summary>
    internal Action? OpeningSibling { get; init; }

    /// <summary>Computes the requested KPIs. Throws <see cref="SalesKpiException"/> for an unknown dimension.</summary>
    public KpiReport Run(ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (memo is null || request.By.Count > 0)
        {
            return RunCore(request).Report;
        }

        var buckets = request.Buckets is { Count: > 0 } only ? only : request.Grain is { } g ? request.Period.Split(g) : [request.Period];
        return memo.Run(request, request.Kpis.Count == 0 ? [.. KpiCatalog.All] : request.Kpis, buckets, r => RunCore(r).Report);
    }

    private (KpiReport Report, Context Context) RunCore(ReportRequest request)
    {
        var by = request.By.Select(KpiCatalog.Dimension).Distinct().ToList();
        var kpis = request.Kpis.Count == 0 ? [.. KpiCatalog.All] : request.Kpis.ToList();
        var p = request.Parameters;
        var zone = ws.Settings.Zone;
        var asOf = request.AsOf.UtcDateTime;
        var buckets = request.Buckets is { Count: > 0 } only ? only : request.Grain is { } g ? request.Period.Split(g) : [request.Period];
        // Only the tables the requested KPIs name (a derived KPI names those of the KPIs it is built from).
        var tables = kpis.SelectMany(k => KpiDefinitions.For(k).Tables).ToHashSet(StringComparer.Ordinal);
        var phase = System.Diagnostics.Stopwatch.StartNew();
        var aligned = LoadBuckets(ws, buckets, zone, p, asOf) && QuarterHourJoins;
        var bucketMs = phase.Elapsed.TotalMilliseconds;
        phase.Restart();
        var counts = TableCounts(asOf, zone, tables);
        request.Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"buckets: {bucketMs:F0} ms, row counts: {phase.Elapsed.TotalMilliseconds:F0} ms"));
        var ctx = new Context(request, buckets, asOf, zone, aligned, counts);

        var families = Families.Build(p, ws.Dialect);
        // Only the families the requested KPIs read under these parameters (a family with no declared use is read).
        var needed = kpis.SelectMany(k => k.Families.Where(f => KpiDefinitions.For(k).Uses.Where(u => u.Family == f) is var declared && (!declared.Any() || declared.Any(u => u.AppliesTo(p))))).Distinct().ToList();
        // Only the aggregates the requested KPIs read; a family no definition declares a use of is computed in full.
        var uses = kpis.SelectMany(k => KpiDefinitions.For(k).Uses).Where(u => u.AppliesTo(p)).GroupBy(u => u.Family)
            .ToDictionary(g => g.Key, g => g.SelectMany(u => u.Names).ToHashSet(StringComparer.Ordinal));
        Family Chosen(string f) => (PruneFamilies && uses.TryGetValue(f, out var names) ? families[f].Pruned(names) : families[f]) is var family && UseAggregators ? family : family with { Aggregator = null };
        var aggs = AggregateAll(needed, Chosen, by, ctx, (f, family, result, ms, lane) =>
            request.Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{f}: {ms:F0} ms, {result.Groups.Count} groups, {family.Aggregates.Length} of {families[f].Aggregates.Length} aggregates{(lane is { } l ? $", lane {l}" : string.Empty)}")), request.Trace);

        // One set of slices per report: every sliced KPI gets a row for every slice value that any sliced KPI
        // of the report sees in the bucket (undefined, with its reason, where it has no units), so tables line up.
        bool Sliced(KpiDef k) => by.Count > 0 && by.All(k.Dimensions.Contains);
        var sliceKeys = kpis.Where(Sliced).SelectMany(k => k.Families).Distinct().Where(aggs.ContainsKey)
            .SelectMany(f => aggs[f].Groups.Keys).Where(k => k.Slice.Length > 0)
            .GroupBy(k => k.Bucket)
            .ToDictionary(g => g.Key, g => g.Select(k => k.Slice).Distinct().Order(StringComparer.Ordinal).ToList());

        var notes = new List<Msg>();
        var results = new List<KpiResult>();
        foreach (var kpi in kpis)
        {
            var sliced = Sliced(kpi);
            if (by.Count > 0 && !sliced)
            {
                notes.Add(Msg.Of(
                    "kpi_not_sliced_by",
                    "{0} is not reported by {1}: its dimensions are {2}.",
                    "{0} не считается в разрезе {1}: его измерения — {2}.",
                    kpi.Id,
                    string.Join(", ", by.Where(d => !kpi.Dimensions.Contains(d))),
                    string.Join(", ", kpi.Dimensions)));
            }

            for (var b = 0; b < buckets.Count; b++)
            {
                var keys = sliced && sliceKeys.TryGetValue(b, out var seen) ? seen : [];
                foreach (var key in keys.Prepend(string.Empty))
                {
                    var slice = key.Length == 0 ? NoSlice : by.Zip(key.Split(SliceSeparator)).ToImmutableSortedDictionary(x => x.First, x => x.Second, StringComparer.Ordinal);
                    results.Add(Compute(kpi, b, key, slice, aggs, ctx));
                }
            }
        }

        return (new KpiReport(asOf, results, notes), ctx);
    }

    /// <summary>
    /// Explains one KPI for one period (a single bucket) and slice: the value as <see cref="Run"/>
    /// computes it, and up to <paramref name="limit"/> records of each source it reads — the same
    /// row-level SQL the report aggregates, so every listed record is one that was counted (with pruning, only the
    /// source's columns and those its order reads are computed: a count's listing skips the response-time and won-deal
    /// scans). With
    /// <paramref name="offset"/>, each source's listing starts after that many records (pages of a drill-down).
    /// </summary>
    public Explanation Explain(KpiDef kpi, Period period, IReadOnlyDictionary<string, string> slice, DateTimeOffset asOf, KpiParameters parameters, int limit, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        ArgumentNullException.ThrowIfNull(slice);
        if (slice.Keys.Select(KpiCatalog.Dimension).Where(d => !kpi.Dimensions.Contains(d)).ToList() is { Count: > 0 } foreign)
        {
            // Its records carry no such dimension: there is no slice of them to list.
            throw new SalesKpiException(Msg.Of(
                "explain.not_sliced_by",
                "{0} has no slice by {1}: its dimensions are {2}.",
                "У {0} нет разреза по {1}: его измерения — {2}.",
                kpi.Id,
                string.Join(", ", foreign),
                string.Join(", ", kpi.Dimensions)));
        }

        var (report, ctx) = RunCore(new ReportRequest { Period = period, By = [.. slice.Keys], Kpis = [kpi], AsOf = asOf, Parameters = parameters });
        var result = report.Results.FirstOrDefault(r => r.Slice.Count == slice.Count && slice.All(kv => r.Slice.TryGetValue(KpiCatalog.Dimension(kv.Key), out var v) && v == kv.Value));
        // The report left the period's single bucket loaded; the listings reuse it and its context.
        var families = Families.Build(parameters, ws.Dialect);
        var definition = KpiDefinitions.For(kpi);
        var sources = definition.Sources
            .Where(s => s.When?.Invoke(parameters) ?? true)
            .Select(s => new ExplainedSource(
                s.Title,
                [.. s.Columns],
                Records(PruneFamilies ? families[s.Family].Listed(s.Columns) : families[s.Family], slice, ctx, limit == int.MaxValue ? limit : limit + 1, offset)))
            .ToList();
        return new Explanation(definition.ExplainText, report, result, sources);
    }

    /// <summary>
    /// The row-level SQL of <paramref name="family"/> over one period (its buckets loaded) as a CTE named
    /// <c>rows</c>, and a factory binding a statement that continues it — so other computations (simulation,
    /// calibration) read the same per-unit definitions as the report instead of restating them.
    /// </summary>
    internal (string Cte, Func<string, DbCommand> Command) FamilyRows(string family, Period period, DateTimeOffset asOf, KpiParameters parameters, IReadOnlyList<string> dims)
    {
        var zone = ws.Settings.Zone;
        var ctx = new Context(new ReportRequest { Period = period, AsOf = asOf, Parameters = parameters }, [period], asOf.UtcDateTime, zone, LoadBuckets(ws, [period], zone, parameters, asOf.UtcDateTime), new Dictionary<string, long>());
        return (Families.Build(parameters, ws.Dialect)[family].RowsCte(dims, ctx.QuarterHourBuckets), sql => ws.NamedCommand(sql, Args(ws, sql, ctx)));
    }

    private List<IReadOnlyDictionary<string, object?>> Records(Family f, IReadOnlyDictionary<string, string> slice, Context ctx, int limit, int offset)
    {
        var dims = slice.Keys.Select(KpiCatalog.Dimension).ToList();
        var sql = f.ListSql(dims, limit, ctx.QuarterHourBuckets, Math.Max(0, offset));
        var args = Args(ws, sql, ctx);
        foreach (var (d, v) in slice)
        {
            args["slice_" + KpiCatalog.Dimension(d)] = v;
        }

        using var cmd = ws.NamedCommand(sql, args);
        using var reader = cmd.ExecuteReader();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var name = reader.GetName(i);
                if (name == "b" || name.StartsWith("dim_", StringComparison.Ordinal))
                {
                    continue;
                }

                row[name] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private sealed record Context(ReportRequest Request, IReadOnlyList<Period> Buckets, DateTime AsOf, TimeZoneInfo Zone, bool QuarterHourBuckets, IReadOnlyDictionary<string, long> Tables)
    {
        public KpiParameters P => Request.Parameters;
    }

    private readonly record struct Key(int Bucket, string Slice);

    /// <summary>The aggregates of one family for every bucket and slice it has units in, and the names of the aggregates computed.</summary>
    private sealed record FamilyAggregates(Dictionary<Key, Agg> Groups, ImmutableHashSet<string> Computed);

    /// <summary>
    /// The aggregates of one family for one bucket and slice, by aggregate name. Reading an aggregate that was not
    /// computed throws: with pruning, that is a KPI whose <see cref="KpiDefinition.Uses"/> misses it, which would
    /// otherwise read as 0 or undefined.
    /// </summary>
    internal sealed class Agg(string family, ImmutableHashSet<string> computed) : Dictionary<string, decimal?>(StringComparer.Ordinal)
    {
        public decimal Get(string name) => Maybe(name) ?? 0m;

        public decimal? Maybe(string name) => computed.Contains(name)
            ? (TryGetValue(name, out var v) ? v : null)
            : throw new InvalidOperationException($"Aggregate '{name}' of family '{family}' was not computed: add it to the reading KPI's Uses in KpiDefinitions.");
    }

    /// <summary>Loads the buckets (<c>_bk</c>), their days (<c>_bd</c>) and quarter-hours (<c>_bq</c>); true when every boundary is on the quarter-hour grid.</summary>
    private static bool LoadBuckets(Workspace ws, IReadOnlyList<Period> buckets, TimeZoneInfo zone, KpiParameters parameters, DateTime asOf)
    {
        if (parameters.Calendar is { } calendar)
        {
            LoadCalendar(ws, calendar, buckets, zone, asOf);
        }

        var d = ws.Dialect;
        ws.Execute(BucketTableSql(d));
        using (var w = ws.CreateBulkWriter("_bk", temporary: true))
        {
            for (var i = 0; i < buckets.Count; i++)
            {
                w.Add(i);
                w.Add(buckets[i].StartUtc(zone));
                w.Add(buckets[i].EndUtc(zone));
                w.Add(buckets[i].Start);
                w.Add(buckets[i].End);
                w.EndRow();
            }
        }

        ws.Execute(DayTableSql(d));
        var aligned = buckets.All(p => p.StartUtc(zone).Ticks % (15 * TimeSpan.TicksPerMinute) == 0 && p.EndUtc(zone).Ticks % (15 * TimeSpan.TicksPerMinute) == 0);
        ws.Execute(QuarterHourTableSql(d, aligned));
        return aligned;
    }

    /// <summary>The buckets: number <c>b</c>, UTC bounds [<c>s</c>, <c>e</c>) and local dates [<c>sd</c>, <c>ed</c>).</summary>
    internal static string BucketTableSql(ISqlDialect d) =>
        d.CreateTempTable("_bk", $"(b INTEGER, s {d.TypeName(ColumnType.Timestamp)}, e {d.TypeName(ColumnType.Timestamp)}, sd {d.TypeName(ColumnType.Date)}, ed {d.TypeName(ColumnType.Date)})");

    /// <summary>Each local date <c>d</c> of each bucket (dates subtract to whole days in both engines).</summary>
    internal static string DayTableSql(ISqlDialect d) =>
        d.CreateTempTable("_bd", $"AS SELECT CAST(sd + CAST(t.i AS INTEGER) AS DATE) AS d, b, s, e, sd, ed FROM _bk, {d.IntegerRange("0", "CAST(ed - sd AS BIGINT)")} t(i)");

    /// <summary>Each UTC quarter-hour key <c>k</c> of each bucket; empty when a boundary is off the quarter-hour grid.</summary>
    internal static string QuarterHourTableSql(ISqlDialect d, bool aligned) =>
        d.CreateTempTable("_bq", aligned
            ? $"AS SELECT k, b, s, e, sd, ed FROM _bk, {d.IntegerRange(BucketJoins.QuarterHour(d, "s"), BucketJoins.QuarterHour(d, "e"))} t(k)"
            : "AS SELECT CAST(0 AS BIGINT) AS k, b, s, e, sd, ed FROM _bk WHERE false");

    /// <summary>
    /// Loads <c>_wh</c>: one row per UTC quarter-hour from two days before the first bucket to two days after
    /// as-of (or the last bucket's end), with the working seconds before it (<c>cum</c>) and the working part of
    /// it [<c>o</c>, <c>c</c>) in epoch seconds. Quarter-hours suffice because every time-zone offset is a
    /// multiple of 15 minutes, so local midnight — the only place two days' spans could meet — is a block edge.
    /// </summary>
    private static void LoadCalendar(Workspace ws, BusinessCalendar calendar, IReadOnlyList<Period> buckets, TimeZoneInfo zone, DateTime asOf)
    {
        var calZone = calendar.TimeZone is null ? zone : TimeZoneInfo.FindSystemTimeZoneById(calendar.TimeZone);
        var from = buckets[0].StartUtc(zone).AddDays(-2);
        var lastEnd = buckets[^1].EndUtc(zone);
        var to = (asOf > lastEnd ? asOf : lastEnd).AddDays(2);
        var spans = new List<(double Open, double Close)>();
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(from, calZone)).AddDays(-1);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(to, calZone)).AddDays(1);
        for (var d = firstDay; d <= lastDay; d = d.AddDays(1))
        {
            if (calendar.IsWorkingDay(d))
            {
                spans.Add((Epoch(LocalToUtc(d, calendar.Open, calZone)), Epoch(LocalToUtc(d, calendar.Close, calZone))));
            }
        }

        // The working spans need the time-zone rules, so C# writes one row per working day; the database
        // expands them into quarter-hours and accumulates the working seconds, set-based. (greatest() and
        // least() skip NULLs in DuckDB, hence the explicit case for a block outside every span.)
        var dialect = ws.Dialect;
        ws.Execute(dialect.CreateTempTable("_ws", $"(o {dialect.TypeName(ColumnType.Number)}, c {dialect.TypeName(ColumnType.Number)})"));
        using (var w = ws.CreateBulkWriter("_ws", temporary: true))
        {
            foreach (var (o, c) in spans)
            {
                w.Add(o);
                w.Add(c);
                w.EndRow();
            }
        }

        using var cmd = ws.NamedCommand(
            WorkingHoursTableSql(dialect),
            new Dictionary<string, object?> { ["qfrom"] = (long)Math.Floor(Epoch(from) / 900), ["qto"] = (long)Math.Ceiling(Epoch(to) / 900) });
        cmd.ExecuteNonQuery();
    }

    /// <summary>The working-time table <c>_wh</c> over the quarter-hours [<c>qfrom</c>, <c>qto</c>) from the working spans in <c>_ws</c>.</summary>
    internal static string WorkingHoursTableSql(ISqlDialect d) =>
        d.CreateTempTable("_wh", $"""
            AS
            WITH q AS (SELECT k, k * 900.0 AS bs FROM {d.IntegerRange(d.Parameter("qfrom"), d.Parameter("qto"))} t(k)),
            part AS (SELECT q.k,
                            CASE WHEN s.o IS NULL THEN q.bs ELSE greatest(q.bs, s.o) END AS o,
                            CASE WHEN s.o IS NULL THEN q.bs ELSE least(q.bs + 900, s.c) END AS c
                     FROM q LEFT JOIN _ws s ON s.o < q.bs + 900 AND s.c > q.bs)
            SELECT k, coalesce(sum(c - o) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum, o, c FROM part
            """);

    private static double Epoch(DateTime utc) => (utc - DateTime.UnixEpoch).TotalSeconds;

    // Working hours skipped or repeated by a DST change follow the workspace's one rule.
    private static DateTime LocalToUtc(DateOnly day, TimeOnly time, TimeZoneInfo zone) => WorkspaceTime.ToUtc(day, time, zone);

    /// <summary>
    /// Per entity, whether any of its rows was known at as-of (1) or none (0), dated by the entity's date column, so that
    /// "no … data imported" does not depend on whether rows created after as-of have been imported since.
    /// </summary>
    private Dictionary<string, long> TableCounts(DateTime asOf, TimeZoneInfo zone, HashSet<string> tables)
    {
        var entities = EntityCatalog.All.Where(e => tables.Contains(e.Name)).ToList();
        if (entities.Count == 0)
        {
            return [];
        }

        var asOfDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(asOf, DateTimeKind.Utc), zone));
        var sql = TableCountsSql(ws.Dialect, entities);
        var args = new Dictionary<string, object?> { ["asof"] = asOf, ["asof_date"] = asOfDate }
            .Where(a => sql.Contains(ws.Dialect.Parameter(a.Key), StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => a.Value);
        using var cmd = ws.NamedCommand(sql, args);
        using var r = cmd.ExecuteReader();
        r.Read();
        return entities.Select((e, i) => (e.Name, r.GetInt64(i))).ToDictionary(x => x.Name, x => x.Item2);
    }

    /// <summary>
    /// One row: per entity of the catalogue, 1 when it has a row dated by as-of (<c>asof</c>, or <c>asof_date</c> for a
    /// date column), else 0. Only "none" matters to the KPIs, so each count stops at the first such row: counting all of
    /// them scanned every table in full, 0.8–1.3 s of a 1 M-lead report on PostgreSQL (docs/benchmarks.md).
    /// </summary>
    internal static string TableCountsSql(ISqlDialect d, IEnumerable<EntityDef>? entities = null) =>
        "SELECT " + string.Join(", ", (entities ?? EntityCatalog.All).Select(e =>
        {
            var dated = d.Parameter(e.Columns.Single(c => c.Name == e.DateColumn).Type == ColumnType.Date ? "asof_date" : "asof");
            return $"(SELECT count(*) FROM (SELECT 1 FROM {d.Quote(e.Name)} WHERE {d.Quote(e.DateColumn)} <= {dated} LIMIT 1) AS {d.Quote("any_" + e.Name)})";
        }));

    /// <summary>
    /// The aggregates of every family in <paramref name="names"/>: one after another on this session, or with
    /// more than one lane (<see cref="LaneCount"/>) side by side on sibling sessions (each loads its own buckets first; the heaviest
    /// family starts first). A sibling lane takes a family before it opens its session, so it opens one only for a family
    /// still waiting; one that cannot get a spare processor token takes none, and one that gets no session gives its family
    /// back to the caller's lane. The caller's session is always one lane. <paramref name="done"/> is called once per family, never concurrently, with the lane (1 = the caller's session) when there is more than one.
    /// </summary>
    private Dictionary<string, FamilyAggregates> AggregateAll(List<string> names, Func<string, Family> family, IReadOnlyList<string> by, Context ctx, Action<string, Family, FamilyAggregates, double, int?> done, Action<string>? trace)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<string>(names.OrderBy(n => Array.IndexOf(CostOrder, n) is var i && i < 0 ? CostOrder.Length : i));
        var results = new Dictionary<string, FamilyAggregates>(StringComparer.Ordinal);
        var gate = new object();

        var siblings = Math.Min(LaneCount, names.Count) - 1;

        // Every lane, the caller's too, computes on its own backend alone while siblings may run beside it; inside a
        // transaction no sibling opens, and the caller keeps the engine's own parallelism.
        var sideBySide = siblings > 0 && !ws.InTransaction ? ws.Dialect.SideBySideSession : null;

        // The report waits for every family, not for every lane: a sibling still opening when the families are done
        // (small data, where one lane finishes them all) closes on its own afterwards.
        using var remaining = new CountdownEvent(names.Count);
        Exception? failed = null;

        void Compute(Workspace session, int lane, string name)
        {
            try
            {
                // After a failure the families left are taken and skipped, so that the count of those to wait for ends.
                if (Volatile.Read(ref failed) is not null)
                {
                    return;
                }

                var watch = System.Diagnostics.Stopwatch.StartNew();
                var f = family(name);
                var result = Aggregate(session, f, by, ctx);
                lock (gate)
                {
                    results[name] = result;
                    done(name, f, result, watch.Elapsed.TotalMilliseconds, siblings > 0 ? lane : null);
                }
            }
            catch (Exception ex)
            {
                // The first failure is the report's; the lanes compute no new family after it.
                Interlocked.CompareExchange(ref failed, ex, null);
            }
            finally
            {
                remaining.Signal();
            }
        }

        void Drain(Workspace session, int lane)
        {
            while (queue.TryDequeue(out var name))
            {
                Compute(session, lane, name);
            }
        }

        // A sibling that took a family but got no session gives it back here, for the caller's lane.
        using var givenBack = new SemaphoreSlim(0);

        // Only tests wait for the lanes to be ready (see WaitForLanes); then every lane signals before the report goes on.
        using var ready = WaitForLanes ? new CountdownEvent(siblings) : null;
        for (var lane = 2; lane < siblings + 2; lane++)
        {
            var number = lane;
            _ = Task.Run(() =>
            {
                // A lane only speeds a report up: without a spare processor in this process (a busy server), a session or
                // work left, the other lanes do its share. The tokens also bound the extra connections a process opens.
                var spare = ready is not null ? SpareLanes.Wait(TimeSpan.FromSeconds(30)) : SpareLanes.Wait(0);
                Workspace? sibling = null;
                string? first = null;
                var loaded = false;
                try
                {
                    try
                    {
                        // The lane takes its first family before it opens a session, so that a session is opened only for a
                        // family still waiting: on small data the caller's lane has often taken them all by now.
                        if (spare && queue.TryDequeue(out first))
                        {
                            OpeningSibling?.Invoke();
                            if ((sibling = ws.OpenSibling()) is not null)
                            {
                                LoadBuckets(sibling, ctx.Buckets, ctx.Zone, ctx.P, ctx.AsOf);
                                if (sideBySide is { } setup)
                                {
                                    sibling.Execute(setup.Enter);
                                }

                                loaded = true;
                            }
                        }
                    }
                    catch (Exception ex) when (ex is DbException or SalesKpiException or TimeoutException)
                    {
                        lock (gate)
                        {
                            trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"lane {number}: no session ({ex.Message})"));
                        }
                    }
                    finally
                    {
                        ready?.Signal();
                    }

                    if (loaded)
                    {
                        Compute(sibling!, number, first!);
                        Drain(sibling!, number);
                    }
                    else if (first is not null)
                    {
                        // Under the gate: no lane can finish the family given back (and so end the report and dispose
                        // givenBack) before it is released.
                        lock (gate)
                        {
                            queue.Enqueue(first);
                            givenBack.Release();
                        }
                    }
                }
                finally
                {
                    sibling?.Dispose();
                    if (spare)
                    {
                        SpareLanes.Release();
                    }
                }
            });
        }

        ready?.Wait();
        if (sideBySide is { } own)
        {
            ws.Execute(own.Enter);
        }

        try
        {
            Drain(ws, 1);

            // A family a sibling has taken is finished there (or fails there), or given back to this lane.
            while (WaitHandle.WaitAny([remaining.WaitHandle, givenBack.AvailableWaitHandle]) == 1)
            {
                givenBack.Wait();
                Drain(ws, 1);
            }
        }
        finally
        {
            if (sideBySide is { } back)
            {
                ws.Execute(back.Leave);
            }
        }

        if (failed is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failed).Throw();
        }

        return results;
    }

    private static FamilyAggregates Aggregate(Workspace ws, Family family, IReadOnlyList<string> by, Context ctx)
    {
        var computed = family.Aggregates.Select(a => a.Name).ToImmutableHashSet(StringComparer.Ordinal);
        var dims = by.All(family.Dimensions.ContainsKey) ? by : [];
        var sql = family.AggregateSql(dims, ctx.QuarterHourBuckets);
        using var cmd = ws.NamedCommand(sql, Args(ws, sql, ctx));
        using var reader = cmd.ExecuteReader();
        var result = new Dictionary<Key, Agg>();
        while (reader.Read())
        {
            var bucket = reader.GetInt32(0);
            var values = Enumerable.Range(1, dims.Count).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToList();
            var key = values.Any(v => v is null) ? string.Empty : string.Join(SliceSeparator, values);
            var agg = new Agg(family.Name, computed);
            for (var i = 1 + dims.Count; i < reader.FieldCount; i++)
            {
                agg[reader.GetName(i)] = ToDecimal(reader, i);
            }

            result[new Key(bucket, key)] = agg;
        }

        return new FamilyAggregates(result, computed);
    }

    private static Dictionary<string, object?> Args(Workspace ws, string sql, Context ctx)
    {
        var asOfLocal = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(ctx.AsOf, DateTimeKind.Utc), ctx.Zone);
        var all = new Dictionary<string, object?>
        {
            ["asof"] = ctx.AsOf,
            ["pstart"] = ctx.Buckets.Min(b => b.StartUtc(ctx.Zone)),
            ["pend"] = ctx.Buckets.Max(b => b.EndUtc(ctx.Zone)),
            ["asof_date"] = asOfLocal.Date,
            ["w_sql"] = ctx.P.LeadToSqlWindowDays * 86400.0,
            ["w_opp"] = ctx.P.SqlToOpportunityWindowDays * 86400.0,
            ["w_win"] = ctx.P.LeadToWinWindowDays * 86400.0,
            ["sla"] = ctx.P.ResponseSlaHours,
            ["threshold"] = (double)ctx.P.QualityThreshold,
            ["currency"] = ws.Settings.Currency,
        };

        // Only the parameters the statement uses: DuckDB rejects values it has no placeholder for.
        return all.Where(a => sql.Contains(ws.Dialect.Parameter(a.Key), StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => a.Key == "asof_date" ? (object?)DateOnly.FromDateTime((DateTime)a.Value!) : a.Value);
    }

    private static decimal? ToDecimal(DbDataReader r, int i)
    {
        if (r.IsDBNull(i))
        {
            return null;
        }

        return r.GetValue(i) switch
        {
            decimal d => d,
            double d => double.IsFinite(d) ? (decimal)d : null,
            float f => (decimal)f,
            long l => l,
            int n => n,
            BigInteger big => (decimal)big,
            var v => Convert.ToDecimal(v, CultureInfo.InvariantCulture),
        };
    }

    private static KpiResult Compute(KpiDef kpi, int bucket, string key, ImmutableSortedDictionary<string, string> slice, IReadOnlyDictionary<string, FamilyAggregates> aggs, Context ctx)
    {
        var period = ctx.Buckets[bucket];
        var start = period.StartUtc(ctx.Zone);
        var end = period.EndUtc(ctx.Zone);
        var flags = ImmutableArray.CreateBuilder<string>();
        if (end > ctx.AsOf)
        {
            flags.Add("partial");
        }

        var definition = KpiDefinitions.For(kpi);
        var window = definition.WindowDays?.Invoke(ctx.P) ?? 0;
        if (window > 0 && end.AddDays(window) > ctx.AsOf)
        {
            flags.Add("immature");
        }

        var result = new KpiResult { Kpi = kpi, Period = period, Slice = slice, Flags = flags.ToImmutable() };
        if (start > ctx.AsOf)
        {
            return result with { Reason = Msg.Of("period_after_as_of", "the period starts after the as-of moment", "период начинается после момента расчёта (as-of)") };
        }

        Agg A(string family) => !aggs.ContainsKey(family)
            ? throw new InvalidOperationException($"Family '{family}' was not computed for {kpi.Id}: declare its use in KpiDefinitions (and when it applies).")
            : aggs[family].Groups.TryGetValue(new Key(bucket, key), out var a) ? a : new Agg(family, aggs[family].Computed);
        Msg? Missing(ImmutableArray<string> tables) =>
            tables.FirstOrDefault(t => ctx.Tables[t] == 0) is { } t
                ? Msg.Of("no_data_imported", "no {0}.csv data imported", "не импортированы данные {0}.csv", t)
                : null;

        return definition.Compute(result, new KpiInputs(A, Missing, Missing(definition.Tables), period, ctx.P, ctx.AsOf, ctx.Zone));
    }

    private static KpiResult Null(KpiResult r, Msg reason, long n = 0) => r with { Value = null, Reason = reason, N = n, Ci95 = null };

    private static ImmutableSortedDictionary<string, decimal?> Details(params (string Key, decimal? Value)[] items) =>
        items.ToImmutableSortedDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);

    internal static KpiResult Leads(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("n");
        return missing is not null ? Null(r, missing) : r with { Value = n, N = n };
    }

    internal static KpiResult CostPerLead(KpiResult r, Agg spend, Agg leads, Msg? missing)
    {
        var n = (long)leads.Get("n");
        var cost = spend.Get("spend");
        if (missing is not null)
        {
            return Null(r, missing, n);
        }

        return n == 0
            ? Null(r, Msg.Of("no_leads_created", "no leads created in the period", "нет лидов, созданных в периоде")) with { Numerator = cost, Denominator = 0 }
            : r with { Value = cost / n, N = n, Numerator = cost, Denominator = n };
    }

    internal static KpiResult Quality(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("n");
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_leads_created", "no leads created in the period", "нет лидов, созданных в периоде"));
        }

        return r with { Value = a.Get("score_sum") / n, N = n, Details = Details(("high_quality_share", a.Get("high") / n), ("high_quality_leads", a.Get("high")), (DetailKeys.StdDev, a.Maybe("score_sd"))) };
    }

    internal static KpiResult Proportion(KpiResult r, Agg a, string num, string den, Msg? missing, Msg empty)
    {
        var x = (long)a.Get(num);
        var n = (long)a.Get(den);
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? empty) with { Numerator = x, Denominator = n };
        }

        return r with { Value = (decimal)x / n, N = n, Numerator = x, Denominator = n, Ci95 = Stats.Wilson(x, n) };
    }

    internal static KpiResult Response(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("n");
        var answered = (long)a.Get("answered");
        var details = Details(
            (DetailKeys.MeanHours, a.Maybe("resp_mean")),
            (DetailKeys.StdDevHours, a.Maybe("resp_sd")),
            ("p90_hours", a.Maybe("resp_p90")),
            ("unanswered", n - answered),
            ("within_sla_share", n == 0 ? null : a.Get("within_sla") / n));
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_leads_created", "no leads created in the period", "нет лидов, созданных в периоде"));
        }

        return answered == 0
            ? Null(r, Msg.Of("no_lead_responded", "no lead created in the period has a response", "ни на один лид периода нет ответа"), 0) with { Details = details }
            : r with { Value = a.Maybe("resp_median"), N = answered, Details = details };
    }

    internal static KpiResult DealSize(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("amount_n");
        var details = Details(("median", a.Maybe("amount_median")), (DetailKeys.StdDev, a.Maybe("amount_sd")), ("excluded_other_currency", a.Get("other_currency")));
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_deals_won", "no deals won in the period", "нет выигранных сделок в периоде")) with { Details = details };
        }

        return r with { Value = a.Get("amount_sum") / n, N = n, Details = details };
    }

    internal static KpiResult Cycle(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("won");
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_deals_won", "no deals won in the period", "нет выигранных сделок в периоде"));
        }

        return r with { Value = a.Maybe("cycle_mean"), N = n, Details = Details(("median_days", a.Maybe("cycle_median")), ("p90_days", a.Maybe("cycle_p90")), (DetailKeys.StdDevDays, a.Maybe("cycle_sd"))) };
    }

    internal static KpiResult WinRate(KpiResult r, Agg a, Msg? missing)
    {
        var won = (long)a.Get("won");
        var closed = won + (long)a.Get("lost");
        if (missing is not null || closed == 0)
        {
            return Null(r, missing ?? Msg.Of("no_deals_closed", "no deals won or lost in the period", "нет выигранных или проигранных сделок в периоде")) with { Numerator = won, Denominator = closed };
        }

        return r with { Value = (decimal)won / closed, N = closed, Numerator = won, Denominator = closed, Ci95 = Stats.Wilson(won, closed) };
    }

    internal static KpiResult Activities(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("won");
        var calls = a.Get("calls");
        var meetings = a.Get("meetings");
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_deals_won", "no deals won in the period", "нет выигранных сделок в периоде"));
        }

        return r with
        {
            Value = (calls + meetings) / n,
            N = n,
            Numerator = calls + meetings,
            Denominator = n,
            Details = Details(("calls_per_deal", calls / n), ("meetings_per_deal", meetings / n), (DetailKeys.StdDev, a.Maybe("touches_sd"))),
        };
    }

    internal static KpiResult Ltv(KpiResult r, Agg customers, Agg revenue, KpiInputs inputs)
    {
        var s = (long)customers.Get("start");
        var e = (long)customers.Get("end");
        var lost = (long)customers.Get("lost");
        var grossProfit = revenue.Get("gross_profit");
        var (missing, period) = (inputs.Missing, inputs.Period);

        // A partial period is evaluated over the days up to as-of; one not begun by as-of has no days to spread profit and churn over.
        var endUtc = period.EndUtc(inputs.Zone) < inputs.AsOf ? period.EndUtc(inputs.Zone) : inputs.AsOf;
        var days = (endUtc - period.StartUtc(inputs.Zone)).TotalDays;
        if (missing is null && days <= 0)
        {
            return Null(r, Msg.Of("period_not_begun", "the period had not begun by as-of", "к моменту as-of период ещё не начался"));
        }

        if (missing is not null || s == 0)
        {
            return Null(r, missing ?? Msg.Of("no_active_customers_at_start", "no customers active at the start of the period", "нет клиентов, активных на начало периода"));
        }

        var months = days / 30.4375;
        var churn = (double)lost / s;
        var monthlyChurn = 1 - Math.Pow(1 - churn, 1 / months);
        var monthlyProfit = grossProfit / ((s + e) / 2m) / (decimal)months;
        var details = Details(("monthly_gross_profit_per_customer", monthlyProfit), ("monthly_churn", (decimal)monthlyChurn), ("customers_at_start", s), ("customers_at_end", e), ("churned_of_start", lost), ("gross_profit", grossProfit));
        if (monthlyChurn <= 0)
        {
            return Null(r, Msg.Of("no_churn_observed", "no churn observed", "оттока не наблюдалось"), s) with { Details = details };
        }

        return r with { Value = monthlyProfit / (decimal)monthlyChurn, N = s, Details = details };
    }

    internal static KpiResult Retention(KpiResult r, Agg a, Msg? missing)
    {
        var s = (long)a.Get("start");
        var kept = s - (long)a.Get("lost");
        if (missing is not null || s == 0)
        {
            return Null(r, missing ?? Msg.Of("no_active_customers_at_start", "no customers active at the start of the period", "нет клиентов, активных на начало периода"));
        }

        return r with { Value = (decimal)kept / s, N = s, Numerator = kept, Denominator = s, Ci95 = Stats.Wilson(kept, s) };
    }

    internal static KpiResult Nps(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("answers");
        var pro = (long)a.Get("promoters");
        var det = (long)a.Get("detractors");
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_nps_answers", "no NPS answers in the period", "нет ответов NPS в периоде"));
        }

        return r with
        {
            Value = 100m * (pro - det) / n,
            N = n,
            Ci95 = Stats.Nps(pro, det, n),
            Details = Details((DetailKeys.Promoters, pro), ("passives", a.Get("passives")), (DetailKeys.Detractors, det)),
        };
    }

    internal static KpiResult Velocity(KpiResult r, Agg created, Agg closed, KpiParameters parameters, Msg? missing)
    {
        if (missing is not null)
        {
            return Null(r, missing);
        }

        var deals = (long)created.Get("created");
        var winRate = WinRate(r, parameters.WinRateBasis == WinRateBasis.Closed ? closed : created, null).Value;
        var size = DealSize(r, closed, null).Value;
        var cycle = Cycle(r, closed, null).Value;
        var details = Details(("deals_created", deals), ("win_rate", winRate), ("average_deal_size", size), ("sales_cycle_length", cycle));
        if (winRate is null || size is null || cycle is null)
        {
            return Null(r, Msg.Of("velocity_factor_undefined", "win rate, deal size or cycle length is undefined in the period", "коэффициент закрытия, средний чек или длительность цикла не определены в периоде"), deals) with { Details = details };
        }

        return cycle == 0
            ? Null(r, Msg.Of("sales_cycle_zero", "the sales cycle length is 0 days", "длительность цикла продаж равна 0 дней"), deals) with { Details = details }
            : r with { Value = deals * winRate * size / cycle, N = deals, Details = details };
    }

    internal static KpiResult Cac(KpiResult r, Agg spend, Agg acquired, Msg? missing)
    {
        var n = (long)acquired.Get("acquired");
        var cost = spend.Get("spend");
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_customers_acquired", "no customers acquired in the period", "нет привлечённых клиентов в периоде")) with { Numerator = cost, Denominator = n };
        }

        return r with { Value = cost / n, N = n, Numerator = cost, Denominator = n };
    }

    internal static KpiResult LtvToCac(KpiResult r, KpiResult ltv, KpiResult cac)
    {
        var details = Details(("customer_lifetime_value", ltv.Value), ("customer_acquisition_cost", cac.Value));
        if (ltv.Value is null || cac.Value is null)
        {
            return Null(r, Msg.Of("ltv_or_cac_undefined", "{0} is undefined: {1}", "{0} не определён: {1}", ltv.Value is null ? "LTV" : "CAC", (ltv.Value is null ? ltv : cac).Reason)) with { Details = details };
        }

        return cac.Value == 0
            ? Null(r, Msg.Of("cac_zero", "CAC is 0 (no spend in the period)", "CAC равен 0 (нет затрат в периоде)")) with { Details = details }
            : r with { Value = ltv.Value / cac.Value, N = Math.Min(ltv.N, cac.N), Numerator = ltv.Value, Denominator = cac.Value, Details = details };
    }

    internal static KpiResult Realized(KpiResult r, Agg a, Msg? missing)
    {
        var n = (long)a.Get("churned");
        if (missing is not null || n == 0)
        {
            return Null(r, missing ?? Msg.Of("no_customers_churned", "no customers churned in the period", "нет ушедших клиентов в периоде"));
        }

        return r with { Value = a.Get("realized_sum") / n, N = n, Numerator = a.Get("realized_sum"), Denominator = n, Details = Details((DetailKeys.StdDev, a.Maybe("realized_sd"))) };
    }
}
