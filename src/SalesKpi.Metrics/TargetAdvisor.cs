using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;

namespace SalesKpi.Metrics;

/// <summary>
/// A forecast of a KPI for one period from the periods of the same kind before it: a least-squares trend,
/// a seasonal effect (the mean detrended residual of the same month or quarter, with at least two years of
/// history) and the spread of what is left. Periods still running and immature cohorts are left out of the
/// history. <see cref="Forecast"/> is null when fewer than 3 periods have values.
/// </summary>
public sealed record KpiForecast
{
    /// <summary>The period forecast.</summary>
    public required Period Period { get; init; }

    /// <summary>The history used: (period, value) for periods with a value, oldest first.</summary>
    public required IReadOnlyList<(Period Period, decimal Value)> History { get; init; }

    /// <summary>Expected value; null with too little history.</summary>
    public double? Forecast { get; init; }

    /// <summary>Standard deviation of the forecast (spread plus trend uncertainty); null with too little history.</summary>
    public double? Sd { get; init; }

    /// <summary>Trend per period.</summary>
    public double Slope { get; init; }

    /// <summary>Seasonal effect for the period's month or quarter; null when not estimated.</summary>
    public double? Seasonal { get; init; }

    /// <summary>The best value in the history given the KPI's direction; null for neutral KPIs or no history.</summary>
    public decimal? Best { get; init; }

    /// <summary>Probability that the KPI reaches <paramref name="target"/> (its direction and tolerance band considered for neutral KPIs); null without a forecast.</summary>
    public double? Probability(KpiDirection direction, Target target)
    {
        if (Forecast is not { } f || Sd is not { } sd)
        {
            return null;
        }

        var t = (double)target.Value;
        var band = Math.Abs(t) * (double)target.TolerancePercent / 100;
        double Below(double x) => sd <= 0 ? (f <= x ? 1 : 0) : Stats.NormalCdf((x - f) / sd);
        return direction switch
        {
            KpiDirection.Higher => 1 - Below(t),
            KpiDirection.Lower => Below(t),
            _ => Below(t + band) - Below(t - band),
        };
    }
}

/// <summary>A suggested target with its forecast and the probability of reaching it.</summary>
/// <param name="Kpi">The KPI.</param>
/// <param name="Slice">The slice; empty for the total.</param>
/// <param name="Forecast">The forecast behind it.</param>
/// <param name="Value">Suggested target value (rounded for the unit); null with too little history.</param>
/// <param name="Probability">Estimated probability of reaching it.</param>
public sealed record TargetSuggestion(SystemKpi Kpi, ImmutableSortedDictionary<string, string> Slice, KpiForecast Forecast, decimal? Value, double? Probability);

/// <summary>The realism check of one target: flagged when beyond the best value seen or under 10 % likely.</summary>
/// <param name="Target">The target.</param>
/// <param name="Forecast">The forecast it was checked against.</param>
/// <param name="Probability">Estimated probability of reaching it; null without enough history.</param>
/// <param name="BeyondBest">True when it is better than every value in the history.</param>
public sealed record RealismCheck(Target Target, KpiForecast Forecast, double? Probability, bool BeyondBest)
{
    /// <summary>The probability below which a target is flagged as unlikely.</summary>
    public const double Unlikely = 0.10;

    /// <summary>True when the target is flagged.</summary>
    public bool Flagged => BeyondBest || Probability < Unlikely;
}

/// <summary>Forecasts KPIs from their own history to suggest targets and check the realism of targets.</summary>
public sealed class TargetAdvisor(Workspace ws, TimeProvider clock)
{
    /// <summary>How many periods of history a forecast reads for each kind of target period.</summary>
    public static int HistoryLength(Grain kind) => kind switch
    {
        Grain.Month => 24,
        Grain.Quarter => 8,
        Grain.Year => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "targets are per month, quarter or year"),
    };

    /// <summary>Forecasts of <paramref name="kpi"/> for <paramref name="period"/>, total first and then by <paramref name="by"/>.</summary>
    public IReadOnlyList<(ImmutableSortedDictionary<string, string> Slice, KpiForecast Forecast)> Forecasts(KpiSystemConfig config, SystemKpi kpi, Period period, IReadOnlyList<string> by) =>
        Forecasts(config, [kpi], period, by).Select(x => (x.Slice, x.Forecast)).ToList();

    /// <summary>Forecasts of several KPIs for <paramref name="period"/> from one pass over their history, total first and then by <paramref name="by"/>.</summary>
    public IReadOnlyList<(SystemKpi Kpi, ImmutableSortedDictionary<string, string> Slice, KpiForecast Forecast)> Forecasts(KpiSystemConfig config, IReadOnlyList<SystemKpi> kpis, Period period, IReadOnlyList<string> by)
    {
        var kind = period.Kind is { } k && k is Grain.Month or Grain.Quarter or Grain.Year ? k
            : throw new SalesKpiException(Loc.F("'{0}' is not a month, quarter or year: targets are set per 2026-03, 2026-Q1 or 2026.", "«{0}» — не месяц, квартал или год: цели задаются на 2026-03, 2026-Q1 или 2026.", period.Label));
        var length = HistoryLength(kind);
        var first = kind switch
        {
            Grain.Month => period.Start.AddMonths(-length),
            Grain.Quarter => period.Start.AddMonths(-3 * length),
            _ => period.Start.AddYears(-length),
        };
        var results = SystemValues.Compute(new KpiEngine(ws), config, kpis, Period.Range(first, period.Start), kind, by, clock.GetUtcNow());
        return kpis.SelectMany(kpi => results
            .Where(r => r.Kpi.Id == kpi.Id)
            .GroupBy(r => SystemValues.SliceKey(r.Slice))
            .OrderBy(g => g.Key.Length > 0).ThenBy(g => g.Key, StringComparer.Ordinal)
            // A running period or a cohort still inside its window is not yet what it will be: it would drag the fit down.
            .Select(g => (kpi, g.First().Slice, Fit(kpi.Def, period, kind, [.. g.Where(r => r.Value is not null && !r.Flags.Contains("partial") && !r.Flags.Contains("immature")).OrderBy(r => r.Period.Start).Select(r => (r.Period, r.Value!.Value))]))))
            .ToList();
    }

    /// <summary>Suggested targets reached with probability <paramref name="probability"/> (0.5: the forecast itself; lower is more ambitious).</summary>
    public IReadOnlyList<TargetSuggestion> Suggest(KpiSystemConfig config, IReadOnlyList<SystemKpi> kpis, Period period, IReadOnlyList<string> by, double probability = 0.5)
    {
        if (probability is <= 0 or >= 1)
        {
            throw new SalesKpiException(Loc.T("--probability must be between 0 and 1, e.g. 0.5.", "--probability должно быть между 0 и 1, например 0.5."));
        }

        return Forecasts(config, kpis, period, by)
            .Select(x =>
            {
                var (kpi, slice, f) = x;
                if (f.Forecast is not { } mean || f.Sd is not { } sd)
                {
                    return new TargetSuggestion(kpi, slice, f, null, null);
                }

                var z = Stats.NormalQuantile(1 - probability);
                var raw = kpi.Def.Direction switch
                {
                    KpiDirection.Higher => mean + (z * sd),
                    KpiDirection.Lower => mean - (z * sd),
                    _ => mean,
                };
                var value = Round(kpi.Def, Clamp(kpi.Def, raw));
                var target = new Target { Kpi = kpi.Id, Period = period.Label, Slice = slice, Value = value };
                return new TargetSuggestion(kpi, slice, f, value, f.Probability(kpi.Def.Direction, target));
            })
            .ToList();
    }

    /// <summary>Checks every target of <paramref name="targets"/> against the history of its KPI and slice.</summary>
    public IReadOnlyList<RealismCheck> Check(KpiSystemConfig config, IEnumerable<Target> targets)
    {
        var checks = new List<RealismCheck>();
        foreach (var group in targets.GroupBy(t => (t.Kpi, t.Period, Dims: string.Join(",", t.Slice.Keys))))
        {
            var kpi = config.Find(group.Key.Kpi);
            var period = Period.Parse(group.Key.Period);
            if (kpi is null || period.Kind is not (Grain.Month or Grain.Quarter or Grain.Year))
            {
                continue;
            }

            var forecasts = Forecasts(config, kpi, period, group.First().Slice.Keys.ToList());
            foreach (var t in group)
            {
                var f = forecasts.FirstOrDefault(x => SystemValues.SliceKey(x.Slice) == SystemValues.SliceKey(t.Slice)).Forecast
                    ?? new KpiForecast { Period = period, History = [] };
                var beyond = f.Best is { } best && kpi.Def.Direction switch
                {
                    KpiDirection.Higher => t.Value > best,
                    KpiDirection.Lower => t.Value < best,
                    _ => false,
                };
                checks.Add(new RealismCheck(t, f, f.Probability(kpi.Def.Direction, t), beyond));
            }
        }

        return checks;
    }

    /// <summary>Rounds a target for its unit: ratios to 0.001, counts to whole numbers, money to whole units, others to 0.1.</summary>
    public static decimal Round(KpiDef kpi, double value) => kpi.Unit switch
    {
        KpiUnit.Ratio => Math.Round((decimal)value, 3, MidpointRounding.AwayFromZero),
        KpiUnit.Count or KpiUnit.Money or KpiUnit.MoneyPerDay => Math.Round((decimal)value, 0, MidpointRounding.AwayFromZero),
        KpiUnit.Multiple or KpiUnit.CountPerDeal => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero),
        _ => Math.Round((decimal)value, 1, MidpointRounding.AwayFromZero),
    };

    private static KpiForecast Fit(KpiDef kpi, Period period, Grain kind, IReadOnlyList<(Period Period, decimal Value)> history)
    {
        var best = history.Count == 0 ? (decimal?)null : kpi.Direction switch
        {
            KpiDirection.Higher => history.Max(h => h.Value),
            KpiDirection.Lower => history.Min(h => h.Value),
            _ => null,
        };
        var f = new KpiForecast { Period = period, History = history, Best = best };
        var n = history.Count;
        if (n < 3)
        {
            return f;
        }

        // Time index by position in the calendar so gaps (periods without a value) keep their distance.
        var index = history.Select(h => (double)Steps(kind, h.Period.Start, period.Start)).ToArray();
        var y = history.Select(h => (double)h.Value).ToArray();
        var tMean = index.Average();
        var yMean = y.Average();
        var sxx = index.Sum(t => (t - tMean) * (t - tMean));
        var slope = sxx > 0 ? index.Zip(y).Sum(p => (p.First - tMean) * (p.Second - yMean)) / sxx : 0;
        var intercept = yMean - (slope * tMean);
        var residuals = index.Zip(y).Select(p => p.Second - (intercept + (slope * p.First))).ToArray();

        double? seasonal = null;
        var cycle = kind switch { Grain.Month => 12, Grain.Quarter => 4, _ => 0 };
        if (cycle > 0 && index[^1] - index[0] + 1 >= 2 * cycle)
        {
            // Target is at index 0; history at negative indices — same season when the distance is a multiple of the cycle.
            var same = index.Select((t, i) => (t, i)).Where(x => (int)-x.t % cycle == 0).Select(x => residuals[x.i]).ToList();
            if (same.Count >= 2)
            {
                seasonal = same.Average();
                var positions = index.Select(t => ((int)-t % cycle + cycle) % cycle).ToArray();
                var effects = positions.Distinct().ToDictionary(p => p, p => residuals.Where((_, i) => positions[i] == p).Average());
                residuals = [.. residuals.Select((e, i) => e - effects[positions[i]])];
            }
        }

        var spread = Math.Sqrt(residuals.Sum(e => e * e) / Math.Max(1, n - 2));
        var sd = spread * Math.Sqrt(1 + (1.0 / n) + (sxx > 0 ? tMean * tMean / sxx : 0));
        var forecast = Clamp(kpi, intercept + (seasonal ?? 0));
        return f with { Forecast = forecast, Sd = sd, Slope = slope, Seasonal = seasonal };
    }

    // Periods from `from` to `to` (negative for history before the target).
    private static int Steps(Grain kind, DateOnly from, DateOnly to)
    {
        var months = ((from.Year - to.Year) * 12) + from.Month - to.Month;
        return kind switch { Grain.Month => months, Grain.Quarter => months / 3, _ => from.Year - to.Year };
    }

    private static double Clamp(KpiDef kpi, double v) => kpi.Unit switch
    {
        KpiUnit.Ratio => Math.Clamp(v, 0, 1),
        KpiUnit.Score => Math.Clamp(v, 0, 100),
        KpiUnit.Nps => Math.Clamp(v, -100, 100),
        _ => Math.Max(0, v),
    };
}
