using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Metrics.KpiSystem;

/// <summary>
/// A forecast of a KPI for one period from the periods of the same kind before it: a least-squares trend fitted
/// together with a seasonal effect per month or quarter (when every season has at least two observations) and
/// the spread of what is left, with the prediction uncertainty of the fit. Periods still running, immature cohorts
/// and periods before the data began (no unit at all) are left out of the history. <see cref="Forecast"/> is null when fewer than 3 periods have values.
/// </summary>
public sealed record KpiForecast
{
    /// <summary>The period forecast.</summary>
    public required Period Period { get; init; }

    /// <summary>The history used: (period, value) for periods with a value, oldest first.</summary>
    public required IReadOnlyList<(Period Period, decimal Value)> History { get; init; }

    /// <summary>Expected value; null with too little history.</summary>
    public double? Forecast { get; init; }

    /// <summary>Standard deviation of the forecast (residual spread and the fit's own uncertainty); null with too little history.</summary>
    public double? Sd { get; init; }

    /// <summary>Trend per period.</summary>
    public double Slope { get; init; }

    /// <summary>Seasonal effect of the period's month or quarter against the average season; null when not estimated.</summary>
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
        var kind = TargetRules.TargetPeriod(period).Kind!.Value;
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
            // Periods before the first with any unit are before the data began, not zeros.
            .Select(g => (kpi, g.First().Slice, Fit(kpi.Def, period, kind, [.. g.OrderBy(r => r.Period.Start).SkipWhile(r => r.N == 0).Where(r => r.Value is not null && !r.Flags.Contains("partial") && !r.Flags.Contains("immature")).Select(r => (r.Period, r.Value!.Value))]))))
            .ToList();
    }

    /// <summary>Suggested targets reached with probability <paramref name="probability"/> (0.5: the forecast itself; lower is more ambitious).</summary>
    public IReadOnlyList<TargetSuggestion> Suggest(KpiSystemConfig config, IReadOnlyList<SystemKpi> kpis, Period period, IReadOnlyList<string> by, double probability = 0.5)
    {
        if (probability is <= 0 or >= 1)
        {
            throw new SalesKpiException(Msg.Of("targets.bad_probability", "--probability must be between 0 and 1, e.g. 0.5.", "--probability должно быть между 0 и 1, например 0.5."));
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

    /// <summary>Checks every target of <paramref name="targets"/> against the history of its KPI and slice (one engine pass per period and set of slice dimensions).</summary>
    public IReadOnlyList<RealismCheck> Check(KpiSystemConfig config, IEnumerable<Target> targets)
    {
        var checks = new List<RealismCheck>();
        foreach (var group in targets.Where(t => config.Find(t.Kpi) is not null).GroupBy(t => (t.Period, Dims: string.Join(",", t.Slice.Keys))))
        {
            var period = Period.Parse(group.Key.Period);
            if (period.Kind is not (Grain.Month or Grain.Quarter or Grain.Year))
            {
                continue;
            }

            var kpis = group.Select(t => config.Find(t.Kpi)!).DistinctBy(k => k.Id).ToList();
            var forecasts = Forecasts(config, kpis, period, group.First().Slice.Keys.ToList());
            foreach (var t in group)
            {
                var kpi = kpis.First(k => k.Id == t.Kpi);
                var f = forecasts.FirstOrDefault(x => x.Kpi.Id == t.Kpi && SystemValues.SliceKey(x.Slice) == SystemValues.SliceKey(t.Slice)).Forecast
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

        // Time index by position in the calendar (the target at 0, history negative) so gaps keep their distance.
        var index = history.Select(h => (double)Steps(kind, h.Period.Start, period.Start)).ToArray();
        var y = history.Select(h => (double)h.Value).ToArray();
        var cycle = kind switch { Grain.Month => 12, Grain.Quarter => 4, _ => 0 };
        var positions = index.Select(t => cycle == 0 ? 0 : (int)(((-(long)t % cycle) + cycle) % cycle)).ToArray();
        // Trend and season are fitted together (least squares with one dummy per other month or quarter):
        // fitted one after the other, a trend leaks into the seasonal effects and the other way round.
        var seasonal = cycle > 0 && n >= cycle + 4 && Enumerable.Range(0, cycle).All(p => positions.Count(x => x == p) >= 2);
        var columns = seasonal ? cycle + 1 : 2;
        double[] Row(int i) => [.. Enumerable.Range(0, columns).Select(j => j == 0 ? 1 : j == 1 ? index[i] : positions[i] == j - 1 ? 1.0 : 0.0)];
        var rows = Enumerable.Range(0, n).Select(Row).ToArray();
        var xtx = new double[columns, columns];
        var xty = new double[columns];
        for (var i = 0; i < n; i++)
        {
            for (var a = 0; a < columns; a++)
            {
                xty[a] += rows[i][a] * y[i];
                for (var b = 0; b < columns; b++)
                {
                    xtx[a, b] += rows[i][a] * rows[i][b];
                }
            }
        }

        var beta = Solve(xtx, xty);
        var e0 = Solve(xtx, [.. Enumerable.Range(0, columns).Select(j => j == 0 ? 1.0 : 0.0)]);
        if (beta is null || e0 is null)
        {
            return f;
        }

        var sse = Enumerable.Range(0, n).Sum(i => Math.Pow(y[i] - rows[i].Zip(beta).Sum(p => p.First * p.Second), 2));
        var spread = Math.Sqrt(sse / Math.Max(1, n - columns));
        var sd = spread * Math.Sqrt(1 + Math.Max(0, e0[0]));
        // The target's own season is the baseline (no dummy); its effect against the average season is minus the mean of the others.
        double? effect = seasonal ? -beta.Skip(2).Sum() / cycle : null;
        return f with { Forecast = Clamp(kpi, beta[0]), Sd = sd, Slope = beta[1], Seasonal = effect };
    }

    // Gaussian elimination with partial pivoting; null when the system is singular.
    private static double[]? Solve(double[,] a, double[] b)
    {
        var m = b.Length;
        var x = (double[,])a.Clone();
        var v = (double[])b.Clone();
        for (var c = 0; c < m; c++)
        {
            var pivot = Enumerable.Range(c, m - c).MaxBy(r => Math.Abs(x[r, c]));
            if (Math.Abs(x[pivot, c]) < 1e-9)
            {
                return null;
            }

            for (var k = 0; k < m; k++)
            {
                (x[c, k], x[pivot, k]) = (x[pivot, k], x[c, k]);
            }

            (v[c], v[pivot]) = (v[pivot], v[c]);
            for (var r = 0; r < m; r++)
            {
                if (r == c)
                {
                    continue;
                }

                var factor = x[r, c] / x[c, c];
                for (var k = c; k < m; k++)
                {
                    x[r, k] -= factor * x[c, k];
                }

                v[r] -= factor * v[c];
            }
        }

        return [.. Enumerable.Range(0, m).Select(i => v[i] / x[i, i])];
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
