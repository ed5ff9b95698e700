using System.Diagnostics;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>What a management brief covers.</summary>
/// <param name="Period">A month, quarter or year; null for the last complete quarter.</param>
/// <param name="AsOf">The as-of moment, or null for now.</param>
/// <param name="By">A dimension whose slices the scorecard and the funnel show too, or null.</param>
/// <param name="Kpi">Restricts the KPI sections (scorecard, trend, changes, definitions) to this one KPI; null for all active KPIs.</param>
public sealed record BriefQuery(string? Period, string? AsOf, string? By, string? Kpi = null);

/// <summary>One bucket of a KPI's trend in the brief.</summary>
/// <param name="Label">The bucket's label (2025-Q3, 2025-09).</param>
/// <param name="Value">The value; null when undefined.</param>
/// <param name="Ci95">Its 95 % interval, when the KPI has one.</param>
/// <param name="Target">The target set for exactly this bucket (total), if any.</param>
public sealed record BriefTrendPoint(string Label, decimal? Value, Interval? Ci95, Target? Target);

/// <summary>A KPI's trend over the periods that end with the brief's period.</summary>
/// <param name="Kpi">The KPI.</param>
/// <param name="Points">The buckets, oldest first.</param>
public sealed record BriefTrend(KpiDef Kpi, IReadOnlyList<BriefTrendPoint> Points);

/// <summary>The stalled deals of one owner.</summary>
/// <param name="Owner">The owner, or null for deals without one.</param>
/// <param name="Deals">Open deals in their stage longer than its p90.</param>
/// <param name="Amount">Their recorded amounts.</param>
/// <param name="Longest">The stalled deals of this owner, longest in stage first (at most five).</param>
public sealed record StalledByOwner(string? Owner, int Deals, decimal Amount, IReadOnlyList<StalledDeal> Longest);

/// <summary>A KPI of the brief with its defining sentence.</summary>
/// <param name="Kpi">The KPI.</param>
/// <param name="Definition">What it measures (explain's definition; for a custom KPI, what it is built from).</param>
public sealed record BriefDefinition(KpiDef Kpi, Msg Definition);

/// <summary>A section the brief could not compute, and why (e.g. too little data for a simulation).</summary>
/// <param name="Section">The section's stable name: trend, funnel, diagnosis, velocity, simulation, review.</param>
/// <param name="Reason">Why, as a message.</param>
public sealed record BriefGap(string Section, Msg Reason);

/// <summary>
/// The management brief of one period: every section gathered from the existing services with the same request
/// context (so a rep's brief is the rep's data). A section that cannot be computed is null with its reason in
/// <see cref="Gaps"/>; only the scorecard is required.
/// </summary>
/// <param name="Period">The period.</param>
/// <param name="Scorecard">The scorecard with status, pacing and goal attainment.</param>
/// <param name="Rows">The scorecard rows shown (totals, or only <see cref="BriefQuery.Kpi"/>'s; slices of By follow each total).</param>
/// <param name="Trends">Each shown catalogue KPI's trend with its targets.</param>
/// <param name="Funnel">The funnel with losses and revenue at stake per stage.</param>
/// <param name="Diagnosis">The significant changes against the previous period, with their drivers.</param>
/// <param name="Velocity">The velocity change against the previous period, split into its factors.</param>
/// <param name="Simulation">The what-if baseline with the levers ranked.</param>
/// <param name="Stalled">Stalled deals grouped by owner, most first.</param>
/// <param name="Review">The review of the targets over the last complete periods.</param>
/// <param name="Definitions">The definitions of the KPIs shown.</param>
/// <param name="Coverage">The data: rows and date range per entity (the caller's scope).</param>
/// <param name="Gaps">Sections left out, with the reason.</param>
/// <param name="Warnings">Warnings for the reader (as-of in the future, KPI-system file not applied).</param>
/// <param name="Timings">Milliseconds spent per section, for <c>--verbose</c> and the benchmark.</param>
public sealed record Brief(
    Period Period,
    ScorecardAnswer Scorecard,
    IReadOnlyList<ScorecardRow> Rows,
    IReadOnlyList<BriefTrend> Trends,
    FunnelAnswer? Funnel,
    AnalysisAnswer<DiagnoseReport>? Diagnosis,
    AnalysisAnswer<(VelocityChange? Change, Msg? Reason)>? Velocity,
    AnalysisAnswer<SimulationReport>? Simulation,
    IReadOnlyList<StalledByOwner> Stalled,
    ReviewResult? Review,
    IReadOnlyList<BriefDefinition> Definitions,
    StatusAnswer Coverage,
    IReadOnlyList<BriefGap> Gaps,
    IReadOnlyList<Msg> Warnings,
    IReadOnlyList<(string Section, double Ms)> Timings)
{
    /// <summary>The one owner whose data the brief covers when the caller is scoped (a rep); null for the whole company.</summary>
    public string? ScopeOwner { get; init; }

    /// <summary>KPI totals (one KPI, one bucket) the engine computed for this brief: each once, whichever sections read it.</summary>
    public int TotalsComputed { get; init; }

    /// <summary>KPI totals a section was handed from those already computed for this brief instead of computing them again.</summary>
    public int TotalsServed { get; init; }

    /// <summary>The workspace currency.</summary>
    public string Currency => Scorecard.Currency;

    /// <summary>The workspace time zone.</summary>
    public TimeZoneInfo Zone => Scorecard.Zone;
}

/// <summary>
/// The management-brief use case: gathers the scorecard, trends, funnel, diagnosis, velocity, what-if levers,
/// stalled deals, target review and definitions of one period from the services that compute each of them.
/// Hosts render the result (HTML, PDF); nothing here formats text.
/// </summary>
public sealed class BriefService
{
    /// <summary>Monte Carlo runs of the what-if section: enough for a stable ranking of the levers, few enough to stay fast.</summary>
    public const int SimulationRuns = 1000;

    /// <summary>Complete periods the target review looks back over.</summary>
    public const int ReviewPeriods = 4;

    /// <summary>Gathers the brief <paramref name="query"/> asks for.</summary>
    public Brief Run(BriefQuery query, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        var timings = new List<(string, double)>();
        var clock = Stopwatch.StartNew();
        T Timed<T>(string section, Func<T> run)
        {
            var start = clock.Elapsed.TotalMilliseconds;
            try
            {
                return run();
            }
            finally
            {
                lock (timings)
                {
                    timings.Add((section, clock.Elapsed.TotalMilliseconds - start));
                }


                ctx.Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"trace: brief {section}: {clock.Elapsed.TotalMilliseconds - start:F0} ms"));
            }
        }

        // One moment for every section, even when it is "now": one document's numbers, and totals the sections can share.
        query = query with { AsOf = query.AsOf ?? ctx.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) };

        // One period for every section: the brief's default is the last complete quarter, a period people discuss.
        Period period;
        DateTimeOffset asOf;
        List<Msg> warnings;
        using (var ws = ctx.Open(WorkspaceAccess.ReadOnly))
        {
            (period, asOf, warnings) = TimeRules.Resolve(ws, query.Period, query.AsOf, DefaultPeriod.LastCompleteQuarter, ctx.Clock);
        }

        var label = period.Label;
        var gaps = new List<BriefGap>();
        TR? Section<TR>(string name, Func<TR> run)
            where TR : class
        {
            try
            {
                return Timed(name, run);
            }
            catch (SalesKpiException ex)
            {
                lock (gaps)
                {
                    gaps.Add(new BriefGap(name, ex.Text));
                }

                return null;
            }
        }

        // The sections read the same snapshot and nothing of each other: they run side by side, each on its own
        // connection, so the engine's work of one fills the single-threaded phases of another. The KPI totals several
        // sections read (the scorecard's three periods, the trend's buckets, the velocity's and the what-if's periods, the
        // review's quarters) are computed once, in one engine run, and served to each from this call's memo; the sections
        // that read them start after that run, the trend after the scorecard (it charts the scorecard's KPIs).
        var memo = new KpiMemo();
        var funnelTask = Task.Run(() => Section("funnel", () => new FunnelService().Run(new FunnelQuery(label, query.AsOf, query.By), ctx)));
        var diagnosisTask = Task.Run(() => Section("diagnosis", () => new AnalysisService().Diagnose(new AnalysisWindow(label, query.AsOf), false, 0.05, string.Empty, ctx)));
        var coverageTask = Task.Run(() => Timed("coverage", () => new StatusService().Run(0, ctx)));
        Task<AnalysisAnswer<(VelocityChange? Change, Msg? Reason)>?>? velocityTask = null;
        Task<AnalysisAnswer<SimulationReport>?>? simulationTask = null;
        Task<ReviewResult?>? reviewTask = null;
        Task[] started = [funnelTask, diagnosisTask, coverageTask];

        // Nothing started is left running behind an error of the scorecard or of the KPI asked for.
        void Abandon()
        {
            try
            {
                Task.WaitAll(started);
            }
            catch (AggregateException)
            {
                // The brief failed already; that error is the one to report.
            }
        }

        ScorecardAnswer scorecard;
        try
        {
            Timed("shared", () => Share(period, asOf, memo, ctx));
            velocityTask = Task.Run(() => Section("velocity", () => new AnalysisService().Velocity(new AnalysisWindow(label, query.AsOf), false, ctx, memo)));
            simulationTask = Task.Run(() => Section("simulation", () => new AnalysisService().Simulate(new AnalysisWindow(label, query.AsOf), [], SimulationRuns, 1, ctx, memo)));
            var grain = period.Kind == Grain.Month ? "month" : "quarter";
            reviewTask = Task.Run(() => Section("review", () => new KpiSystemHistoryService().Review(ReviewPeriods, grain, query.AsOf, ctx, memo).Review));
            started = [.. started, velocityTask, simulationTask, reviewTask];
            scorecard = Timed("scorecard", () => new ScorecardService().Run(new ScorecardQuery(label, query.AsOf, null, query.By), ctx, memo));
        }
        catch (Exception)
        {
            Abandon();
            throw;
        }

        foreach (var w in scorecard.Warnings.Where(w => !warnings.Any(x => x.Code == w.Code)))
        {
            warnings.Add(w);
        }

        var kpiFilter = query.Kpi?.Trim();
        if (kpiFilter is not null && !scorecard.Scorecard.Rows.Any(r => r.Kpi.Id == kpiFilter))
        {
            Abandon();
            throw new SalesKpiException(Msg.Of("brief.kpi_not_active", "'{0}' is not an active KPI of this workspace: use one of {1}.", "«{0}» — не активный KPI этой области: используйте один из {1}.", kpiFilter, string.Join(", ", scorecard.Scorecard.Rows.Select(r => r.Kpi.Id).Distinct(StringComparer.Ordinal))));
        }

        // Totals first, each followed by its slices, as on the scorecard.
        var rows = scorecard.Scorecard.Rows.Where(r => kpiFilter is null || r.Kpi.Id == kpiFilter).ToList();
        var shown = rows.Where(r => r.Result.IsTotal).Select(r => r.Kpi).ToList();
        var trendsTask = Task.Run(() => Section("trend", () => Trends(shown, period, query.AsOf, ctx, memo)) ?? []);

        // The first failure other than a section's own reason surfaces as itself, not wrapped.
        Task.WhenAll([.. started, trendsTask]).GetAwaiter().GetResult();
        var trends = trendsTask.Result;
        var funnel = funnelTask.Result;
        var diagnosis = diagnosisTask.Result;
        if (diagnosis is not null && kpiFilter is not null)
        {
            diagnosis = diagnosis with { Report = diagnosis.Report with { Findings = [.. diagnosis.Report.Findings.Where(f => f.Kpi == kpiFilter)] } };
        }

        var velocity = velocityTask!.Result;
        var simulation = simulationTask!.Result;
        var review = reviewTask!.Result;
        if (review is not null && kpiFilter is not null)
        {
            review = review with { Kpis = [.. review.Kpis.Where(k => k.Kpi == kpiFilter)] };
        }

        var coverage = coverageTask.Result;
        var stalled = funnel is null ? [] : funnel.Funnel.Stalled
            .GroupBy(d => d.Owner, StringComparer.Ordinal)
            .Select(g => new StalledByOwner(g.Key, g.Count(), g.Sum(d => d.Amount ?? 0), [.. g.OrderByDescending(d => d.Days).Take(5)]))
            .OrderByDescending(s => s.Deals).ThenBy(s => s.Owner, StringComparer.Ordinal)
            .ToList();
        var definitions = shown.Select(k => new BriefDefinition(k.Def, Definition(k))).ToList();
        ctx.Trace?.Invoke(string.Create(CultureInfo.InvariantCulture, $"trace: brief total: {clock.Elapsed.TotalMilliseconds:F0} ms; KPI results computed {memo.Computed}, served again {memo.Served}"));
        // In the document's order, whichever section finished first.
        string[] order = ["trend", "funnel", "diagnosis", "velocity", "simulation", "review"];
        gaps.Sort((x, y) => Array.IndexOf(order, x.Section).CompareTo(Array.IndexOf(order, y.Section)));
        return new Brief(period, scorecard, rows, trends, funnel, diagnosis, velocity, simulation, stalled, review, definitions, coverage, gaps, warnings, timings) { ScopeOwner = ctx.Scope?.Owner, TotalsComputed = memo.Computed, TotalsServed = memo.Served };
    }

    /// <summary>
    /// The one engine run whose totals the other sections are served: every active catalogue KPI (and those custom ratio
    /// KPIs are built from) with the KPIs of the velocity and the what-if, over the trend's buckets and — when they have
    /// the trend's grain — the scorecard's three periods, under the KPI system in force for the period. A section whose
    /// request differs (other parameters, slices, another grain) computes as on its own; a failure here is left to the
    /// sections to report.
    /// </summary>
    private static bool Share(Period period, DateTimeOffset asOf, KpiMemo memo, RequestContext ctx)
    {
        try
        {
            using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
            var (config, _) = ConfigStore.For(ws, period, asOf);
            var kpis = config.ActiveKpis()
                .SelectMany(k => k.Custom is { IsRatio: true } c ? new[] { config.Find(c.Numerator!), config.Find(c.Denominator!) } : [k])
                .OfType<SystemKpi>().Where(k => k.Custom is null).Select(k => k.Def)
                .Concat([KpiCatalog.Get("sales_velocity"), KpiCatalog.SqlToOpportunityRate, KpiCatalog.WinRate, KpiCatalog.AverageDealSize, KpiCatalog.SalesCycleLength])
                .DistinctBy(k => k.Id).ToList();
            var (range, grain) = TrendRange(period);
            var buckets = range.Split(grain).ToList();
            if (period.Kind == grain)
            {
                buckets = [.. buckets.Concat([period.YearBefore(), period.Previous(), period]).DistinctBy(b => b.Label).OrderBy(b => b.Start)];
            }

            new KpiEngine(ws, memo).Run(new ReportRequest
            {
                Period = Period.Range(buckets[0].Start, buckets[^1].End),
                Grain = grain,
                Buckets = buckets,
                Kpis = kpis,
                AsOf = asOf,
                Parameters = config.Parameters,
                Trace = ctx.Trace is { } trace ? line => trace("trace: " + line) : null,
            });
            return true;
        }
        catch (SalesKpiException)
        {
            // Each section computes what it needs and reports its own reason.
            return false;
        }
    }

    // The buckets that end with the period: twelve months for a month, eight quarters otherwise.
    private static (Period Range, Grain Grain) TrendRange(Period period)
    {
        var monthly = period.Kind == Grain.Month;
        var last = new DateOnly(period.LastDay.Year, period.LastDay.Month, 1);
        var lastQuarter = new DateOnly(last.Year, ((last.Month - 1) / 3 * 3) + 1, 1);
        return monthly ? (Period.Range(last.AddMonths(-11), last.AddMonths(1)), Grain.Month) : (Period.Range(lastQuarter.AddMonths(-21), lastQuarter.AddMonths(3)), Grain.Quarter);
    }

    // The trend's buckets, catalogue KPIs, totals.
    private static List<BriefTrend> Trends(IReadOnlyList<SystemKpi> kpis, Period period, string? asOf, RequestContext ctx, KpiMemo memo)
    {
        var ids = kpis.Where(k => k.Custom is null).Select(k => k.Id).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var (range, grain) = TrendRange(period);
        var report = new ReportService().Run(new ReportQuery(range.Label, asOf, grain == Grain.Month ? "month" : "quarter", [], ids), ctx, memo).Report;
        var targets = new TargetsService().List(null, null, false, ctx).Targets.Where(t => t.Slice.Count == 0).ToList();
        return [.. ids.Select(id => new BriefTrend(
            KpiCatalog.Get(id),
            [.. report.Results.Where(r => r.IsTotal && r.Kpi.Id == id && r.Period.Kind == grain).OrderBy(r => r.Period.Start)
                .Select(r => new BriefTrendPoint(r.Period.Label, r.Value, r.Ci95, targets.FirstOrDefault(t => t.Kpi == id && t.Period == r.Period.Label)))]))];
    }

    private static Msg Definition(SystemKpi kpi)
    {
        if (kpi.Custom is { } custom)
        {
            return custom.IsRatio
                ? Msg.Of("brief.custom_ratio", "Custom KPI: {0} ÷ {1}.", "Собственный KPI: {0} ÷ {1}.", custom.Numerator, custom.Denominator)
                : Msg.Of("brief.custom_filter", "Custom KPI: {0} restricted to {1}.", "Собственный KPI: {0}, только {1}.", KpiCatalog.Get(custom.Base!).Title, string.Join(", ", custom.Filter.Select(kv => kv.Key + " = " + kv.Value)));
        }

        return KpiDefinitionText.Of(kpi.Def) ?? kpi.Def.Title;
    }
}
