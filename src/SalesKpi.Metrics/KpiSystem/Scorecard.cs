using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Metrics.KpiSystem;

/// <summary>
/// The change of a KPI against a baseline period. <see cref="Significant"/> is null when no test applies
/// (only proportions — two-proportion z-test — and NPS — z-test of the difference — are tested, and not
/// when either side is an immature cohort or the samples are below the minimums of
/// <see cref="SignificanceRules"/>), else whether p &lt; 0.05.
/// </summary>
/// <param name="Period">The baseline period.</param>
/// <param name="Before">The baseline value; null when undefined.</param>
/// <param name="Delta">Value minus baseline; null when either is undefined.</param>
/// <param name="PValue">Two-sided p-value; null when not tested.</param>
/// <param name="Significant">p &lt; 0.05; null when not tested.</param>
/// <param name="NotTestedReason">Why a KPI that has a test was not tested (samples too small); null otherwise.</param>
public sealed record Change(Period Period, decimal? Before, decimal? Delta, double? PValue, bool? Significant, Msg? NotTestedReason = null);

/// <summary>
/// One KPI (total or slice) on the scorecard. <see cref="Evaluated"/> is what the target is judged on: the
/// projected end value in a running period (a count linearly, an average deal size with a target by the pipeline
/// forecast), else <see cref="KpiResult.Value"/>.
/// </summary>
public sealed record ScorecardRow
{
    /// <summary>The KPI.</summary>
    public required SystemKpi Kpi { get; init; }

    /// <summary>The computed value with its sample size, interval, flags and reason.</summary>
    public required KpiResult Result { get; init; }

    /// <summary>Projected end-of-period value (counts, and average deal sizes with a target, in a running period only); null otherwise.</summary>
    public decimal? Projected { get; init; }

    /// <summary>
    /// For a KPI paced by the pipeline forecast: the share of its Monte Carlo runs in which the KPI reaches the target at
    /// the period's end; null otherwise.
    /// </summary>
    public decimal? TargetChance { get; init; }

    /// <summary>The value the status is judged on.</summary>
    public decimal? Evaluated => Projected ?? Result.Value;

    /// <summary>The target in force; null when none.</summary>
    public Target? Target { get; init; }

    /// <summary>Status against the target; <see cref="TargetStatus.Pending"/> for an immature cohort or a period not yet begun.</summary>
    public TargetStatus Status { get; init; } = TargetStatus.NoTarget;

    /// <summary>Change against the previous period.</summary>
    public required Change VsPrevious { get; init; }

    /// <summary>Change against the same period a year before.</summary>
    public required Change VsYearBefore { get; init; }
}

/// <summary>A goal's attainment: Σ weights of its KPIs on track ÷ Σ weights of its KPIs with a target; null when none has one.</summary>
/// <param name="Goal">The goal.</param>
/// <param name="Attainment">Fraction in [0, 1]; null when no linked KPI has a target.</param>
/// <param name="OnTrack">Linked KPIs on track.</param>
/// <param name="WithTarget">Linked KPIs with a target and a value.</param>
public sealed record GoalAttainment(Goal Goal, decimal? Attainment, int OnTrack, int WithTarget);

/// <summary>The scorecard of one period.</summary>
/// <param name="Period">The period.</param>
/// <param name="AsOfUtc">The as-of instant.</param>
/// <param name="Elapsed">Share of the period elapsed at as-of, in [0, 1].</param>
/// <param name="Version">The KPI-system version it was evaluated with; null for a workspace without versions.</param>
/// <param name="By">Slice dimensions.</param>
/// <param name="Rows">Rows in KPI order, total first then slices.</param>
/// <param name="Goals">Goal attainment (totals only).</param>
/// <param name="Notes">Notes for the reader, as messages a host renders.</param>
public sealed record ScorecardResult(Period Period, DateTime AsOfUtc, decimal Elapsed, ConfigVersion? Version, IReadOnlyList<string> By, IReadOnlyList<ScorecardRow> Rows, IReadOnlyList<GoalAttainment> Goals, IReadOnlyList<Msg> Notes)
{
    /// <summary>The worst status among rows with a target and a value; null when there is none.</summary>
    public TargetStatus? Worst => Rows.Where(r => r.Status is TargetStatus.OnTrack or TargetStatus.AtRisk or TargetStatus.OffTrack).Select(r => (TargetStatus?)r.Status).Max();
}

/// <summary>
/// Evaluates the KPI system of a workspace for a period: values, targets, status, changes, pacing and goals. With a
/// <see cref="KpiMemo"/>, the totals its engine runs ask for are served from (and kept in) that memo.
/// </summary>
public sealed class ScorecardEngine(Workspace ws, KpiMemo? memo = null)
{
    /// <summary>
    /// The scorecard of <paramref name="period"/> at <paramref name="asOf"/>, sliced by <paramref name="by"/>,
    /// with the KPI-system version in force for the period, or <paramref name="version"/> when given.
    /// </summary>
    public ScorecardResult Run(Period period, DateTimeOffset asOf, IReadOnlyList<string> by, int? version = null)
    {
        var dims = by.Select(KpiCatalog.Dimension).Distinct().ToList();
        var (config, used) = ConfigStore.For(ws, period, asOf, version);
        return Evaluate(config, used, period, asOf, dims);
    }

    /// <summary>
    /// The scorecard for judging every target of the period: the totals, plus each slice that has a target
    /// (one pass per set of slice dimensions the targets use, since slices of different dimensions need
    /// separate groupings). Slice rows carry no comparison with earlier periods.
    /// </summary>
    /// <remarks>
    /// With <paramref name="targetedOnly"/>, the totals are computed only for the KPIs with a target for the period
    /// (the other total rows are left out): for a caller that reads nothing but the judged rows, such as the review.
    /// </remarks>
    public ScorecardResult RunForTargets(Period period, DateTimeOffset asOf, int? version = null, bool compare = true, bool targetedOnly = false)
    {
        var (config, used) = ConfigStore.For(ws, period, asOf, version);
        var dimensionSets = config.Targets
            .Where(t => t.Period == period.Label && !t.Slice.IsEmpty)
            .Select(t => t.Slice.Keys.ToList())
            .DistinctBy(d => string.Join(",", d))
            .ToList();
        var targeted = targetedOnly ? config.Targets.Where(t => t.Period == period.Label && t.Slice.IsEmpty).Select(t => t.Kpi).ToHashSet(StringComparer.Ordinal) : null;
        var total = Evaluate(config, used, period, asOf, [], compare, slicesJudgedElsewhere: dimensionSets.Count > 0, only: targeted);
        var sliced = dimensionSets.SelectMany(d => Evaluate(config, used, period, asOf, d, compare: false).Rows.Where(r => r.Target is not null && !r.Result.IsTotal)).ToList();
        return total with { Rows = [.. total.Rows, .. sliced] };
    }

    /// <summary>The scorecard of <paramref name="period"/> under an explicit configuration.</summary>
    /// <remarks>
    /// Without <paramref name="compare"/>, the changes against earlier periods are left empty (the review needs
    /// only status). With <paramref name="slicesJudgedElsewhere"/>, slice targets get no "not shown" note. With
    /// <paramref name="only"/>, only those active KPIs are computed and get rows.
    /// </remarks>
    public ScorecardResult Evaluate(KpiSystemConfig config, ConfigVersion? used, Period period, DateTimeOffset asOf, IReadOnlyList<string> by, bool compare = true, bool slicesJudgedElsewhere = false, IReadOnlySet<string>? only = null)
    {
        var zone = ws.Settings.Zone;
        var engine = new KpiEngine(ws, memo);
        var active = config.ActiveKpis();
        IReadOnlyList<SystemKpi> kpis = only is null ? active : [.. active.Where(k => only.Contains(k.Id))];
        var start = period.StartUtc(zone);
        var end = period.EndUtc(zone);
        var at = asOf.UtcDateTime;
        var elapsed = at >= end ? 1m : at <= start ? 0m : (decimal)((at - start).TotalSeconds / (end - start).TotalSeconds);

        IReadOnlyList<KpiResult> current;
        Dictionary<(string, string), KpiResult> previous = [], yearBefore = [];
        if (compare && period.Kind is { } kind)
        {
            // One engine pass over the year before up to the period, split by its own grain, yields all three
            // periods as whole buckets: cheaper than three passes, and the same values. Only those three buckets are
            // computed: the units of the periods between (two of a quarter's five) are never joined.
            var three = new[] { period.YearBefore(), period.Previous(), period }.DistinctBy(p => p.Label).OrderBy(p => p.Start).ToList();
            var all = SystemValues.Compute(engine, config, kpis, Period.Range(period.YearBefore().Start, period.End), kind, by, asOf, three);
            current = all.Where(r => r.Period.Label == period.Label).ToList();
            previous = Index(all.Where(r => r.Period.Label == period.Previous().Label).ToList());
            yearBefore = Index(all.Where(r => r.Period.Label == period.YearBefore().Label).ToList());
        }
        else
        {
            current = SystemValues.Compute(engine, config, kpis, period, null, by, asOf);
            previous = compare ? Index(SystemValues.Compute(engine, config, kpis, period.Previous(), null, by, asOf)) : [];
            yearBefore = compare ? Index(SystemValues.Compute(engine, config, kpis, period.YearBefore(), null, by, asOf)) : [];
        }

        var targets = config.Targets.Where(t => t.Period == period.Label).ToDictionary(t => (t.Kpi, SystemValues.SliceKey(t.Slice)));
        var paced = elapsed is > 0 and < 1 ? PaceByForecast(current, kpis, targets, period, asOf) : new PacedRows([], []);

        var rows = new List<ScorecardRow>();
        foreach (var r in current)
        {
            var kpi = kpis.First(k => k.Id == r.Kpi.Id);
            var key = SystemValues.SliceKey(r.Slice);
            var isPaced = paced.Rows.TryGetValue((r.Kpi.Id, key), out var forecast);
            var projected = isPaced ? forecast.Expected
                : elapsed is > 0 and < 1 && r.Kpi.Unit == KpiUnit.Count && r.Value is { } v ? v / elapsed : (decimal?)null;
            var target = targets.GetValueOrDefault((r.Kpi.Id, key));
            var row = new ScorecardRow
            {
                Kpi = kpi,
                Result = r,
                Projected = projected,
                TargetChance = isPaced ? forecast.Chance : null,
                Target = target,
                VsPrevious = Compare(r, projected, period.Previous(), previous.GetValueOrDefault((r.Kpi.Id, key))),
                VsYearBefore = Compare(r, projected, period.YearBefore(), yearBefore.GetValueOrDefault((r.Kpi.Id, key))),
            };
            // A period not begun, or a cohort still inside its conversion window, would be judged on what has not happened yet.
            var status = target is null ? TargetStatus.NoTarget
                : elapsed == 0 || (r.Flags.Contains("immature") && r.Value is not null) ? TargetStatus.Pending
                : TargetRules.Status(r.Kpi.Direction, target, row.Evaluated);
            rows.Add(row with { Status = status });
        }

        var notes = new List<Msg>();
        if (elapsed < 1)
        {
            notes.Add(Msg.Of(
                "scorecard.period_running",
                "{0} is running ({1:P0} elapsed): counts are judged on their projected end value, other KPIs on the value to date.",
                "{0} ещё идёт (прошло {1:P0}): количества оцениваются по прогнозу на конец периода, остальные KPI — по значению на дату.",
                period.Label,
                elapsed));
        }

        notes.AddRange(paced.Notes);

        foreach (var orphan in targets.Values.Where(t => !rows.Any(r => r.Target == t) && !(slicesJudgedElsewhere && !t.Slice.IsEmpty)))
        {
            var slice = SystemValues.SliceKey(orphan.Slice);
            notes.Add(
                !active.Any(k => k.Id == orphan.Kpi) ? Msg.Of("scorecard.target_kpi_inactive", "The target for {0} {1} is not shown: the KPI is not active.", "Цель для {0} {1} не показана: KPI не активен.", orphan.Kpi, slice)
                : !orphan.Slice.Keys.All(by.Contains) ? Msg.Of("scorecard.target_needs_by", "The target for {0} {1} is shown with --by {2}.", "Цель для {0} {1} видна с --by {2}.", orphan.Kpi, slice, string.Join(",", orphan.Slice.Keys))
                : Msg.Of("scorecard.target_no_slice", "The target for {0} {1} has no matching slice in the data.", "Для цели {0} {1} нет такого разреза в данных.", orphan.Kpi, slice));
        }

        var goals = config.Goals.Select(g =>
        {
            var judged = g.Kpis
                .Select(l => (l.Weight, Row: rows.FirstOrDefault(r => r.Kpi.Id == l.Kpi && r.Result.IsTotal)))
                .Where(x => x.Row is { Status: TargetStatus.OnTrack or TargetStatus.AtRisk or TargetStatus.OffTrack })
                .ToList();
            var total = judged.Sum(x => x.Weight);
            var on = judged.Where(x => x.Row!.Status == TargetStatus.OnTrack).ToList();
            return new GoalAttainment(g, total > 0 ? on.Sum(x => x.Weight) / total : null, on.Count, judged.Count);
        }).ToList();

        return new ScorecardResult(period, at, elapsed, used, by, rows, goals, notes);
    }

    private sealed record PacedRows(Dictionary<(string Kpi, string Slice), (decimal? Expected, decimal? Chance)> Rows, List<Msg> Notes);

    /// <summary>
    /// The rows of a running period judged on the pipeline forecast (docs/forecast.md) instead of their value to date: the
    /// forecast predicts the period's won deals and won revenue, and of the catalogue only average_deal_size (won revenue ÷
    /// won deals) is made of them — the catalogue, or a custom filter of it by one deal dimension, in the total or one
    /// slice of a deal dimension. Only rows with a target: the forecast costs seconds on a large workspace, and pacing is
    /// for judging. One forecast per dimension needed.
    /// </summary>
    private PacedRows PaceByForecast(IReadOnlyList<KpiResult> current, IReadOnlyList<SystemKpi> kpis, Dictionary<(string, string), Target> targets, Period period, DateTimeOffset asOf)
    {
        var wanted = new List<(KpiResult Row, string Key, string? Dimension, string? Value, Target Target)>();
        foreach (var r in current)
        {
            var key = SystemValues.SliceKey(r.Slice);
            var kpi = kpis.First(k => k.Id == r.Kpi.Id);
            if (!targets.TryGetValue((r.Kpi.Id, key), out var target) || r.Flags.Contains("immature")
                || (kpi.Custom?.Base ?? (kpi.Custom is null ? kpi.Id : null)) != AverageDealSize)
            {
                continue;
            }

            var slice = (kpi.Custom?.Filter ?? ImmutableSortedDictionary<string, string>.Empty).SetItems(r.Slice);
            if (slice.Count > 1 || slice.Keys.Any(d => !Families.DealDimensions.ContainsKey(d)))
            {
                continue;
            }

            wanted.Add((r, key, slice.Keys.FirstOrDefault(), slice.Values.FirstOrDefault(), target));
        }

        var rows = new Dictionary<(string, string), (decimal?, decimal?)>();
        var notes = new List<Msg>();
        foreach (var group in wanted.GroupBy(w => w.Dimension))
        {
            var report = new ForecastEngine(ws).Run(period, asOf, new ForecastOptions(group.Key));
            if (report.Reason is { } reason)
            {
                notes.Add(reason);
                continue;
            }

            foreach (var w in group)
            {
                var slice = w.Dimension is null ? report.Total : report.Slices.FirstOrDefault(x => x.Value == w.Value);
                if (slice?.AverageDealSize is not { } expected)
                {
                    continue;
                }

                var chance = w.Row.Kpi.Direction == KpiDirection.Neutral ? null : slice.AverageReaches(w.Target.Value, w.Row.Kpi.Direction == KpiDirection.Higher);
                rows[(w.Row.Kpi.Id, w.Key)] = (expected, chance);
            }
        }

        if (rows.Count > 0)
        {
            notes.Add(Msg.Of(
                "scorecard.forecast_paced",
                "{0} {1} judged on the value the pipeline forecast expects at the end of {2} (won revenue ÷ won deals, docs/forecast.md), not on the value to date; the chance is the share of its runs reaching the target.",
                "{0} {1} оценивается по значению, которое прогноз воронки ожидает на конец {2} (выигранная выручка ÷ выигранные сделки, docs/forecast.md), а не по значению на дату; шанс — доля прогонов, достигающих цели.",
                rows.Count, string.Join(", ", rows.Keys.Select(k => k.Item2.Length == 0 ? k.Item1 : k.Item1 + " " + k.Item2).Distinct()), period.Label));
        }

        return new PacedRows(rows, notes);
    }

    private const string AverageDealSize = "average_deal_size";

    private static Dictionary<(string, string), KpiResult> Index(IReadOnlyList<KpiResult> results) =>
        results.ToDictionary(r => (r.Kpi.Id, SystemValues.SliceKey(r.Slice)));

    private static Change Compare(KpiResult now, decimal? projected, Period basePeriod, KpiResult? before)
    {
        var value = projected ?? now.Value;
        var delta = value is { } a && before?.Value is { } b ? a - b : (decimal?)null;
        ChangeTest? test = null;
        // A cohort still converting is not comparable with a finished one: no test rather than a false alarm.
        var comparable = !now.Flags.Contains("immature") && before?.Flags.Contains("immature") != true;
        if (comparable && delta is not null && before is not null && now.Kpi.IsProportion && now.Numerator is { } x2 && now.Denominator is { } n2 && before.Numerator is { } x1 && before.Denominator is { } n1)
        {
            test = SignificanceRules.Proportions((long)x1, (long)n1, (long)x2, (long)n2);
        }
        else if (comparable && delta is not null && before is not null && now.Kpi.Unit == KpiUnit.Nps && now.N > 0 && before.N > 0)
        {
            test = SignificanceRules.Nps(Count(before, "promoters"), Count(before, "detractors"), before.N, Count(now, "promoters"), Count(now, "detractors"), now.N);
        }

        var p = test?.PValue;
        return new Change(basePeriod, before?.Value, delta, p, p is { } pv ? pv < 0.05 : null, test?.NotTestedReason);
    }

    private static long Count(KpiResult r, string key) => (long)(r.Details.GetValueOrDefault(key) ?? 0);
}
