using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Metrics.Engine;
using SalesKpi.Storage;

namespace SalesKpi.Metrics.Analyses;

/// <summary>A range of values (an interval of a forecast).</summary>
/// <param name="Low">Lower end.</param>
/// <param name="High">Upper end.</param>
public sealed record ForecastRange(decimal Low, decimal High)
{
    /// <summary>True when <paramref name="value"/> lies inside the range (ends included).</summary>
    public bool Contains(decimal value) => value >= Low && value <= High;
}

/// <summary>
/// Won deals and won revenue expected in a period: the expectation and the 80 % and 95 % central intervals of the
/// Monte Carlo runs (the 10th–90th and 2.5th–97.5th percentiles).
/// </summary>
/// <param name="Deals">Expected won deals.</param>
/// <param name="Revenue">Expected won revenue (workspace currency).</param>
/// <param name="Deals80">80 % interval of won deals.</param>
/// <param name="Deals95">95 % interval of won deals.</param>
/// <param name="Revenue80">80 % interval of won revenue.</param>
/// <param name="Revenue95">95 % interval of won revenue.</param>
public sealed record ForecastFigures(decimal Deals, decimal Revenue, ForecastRange Deals80, ForecastRange Deals95, ForecastRange Revenue80, ForecastRange Revenue95);

/// <summary>
/// The three parts of a forecast: (a) deals already won in the period by as-of, (b) open deals expected to be won inside
/// the period, (c) deals not created yet expected to be created and won inside it. Expectations, not draws.
/// </summary>
/// <param name="WonDeals">(a) deals won in the period by as-of.</param>
/// <param name="WonRevenue">(a) their revenue.</param>
/// <param name="OpenDeals">(b) open deals at as-of.</param>
/// <param name="OpenPipeline">(b) their amounts (estimated where a deal has none).</param>
/// <param name="OpenExpectedDeals">(b) Σ chance to be won inside the period.</param>
/// <param name="OpenExpectedRevenue">(b) Σ chance × amount.</param>
/// <param name="NewExpectedDeals">(c) expected deals created after as-of and won inside the period.</param>
/// <param name="NewExpectedRevenue">(c) their expected revenue.</param>
public sealed record ForecastParts(long WonDeals, decimal WonRevenue, long OpenDeals, decimal OpenPipeline, decimal OpenExpectedDeals, decimal OpenExpectedRevenue, decimal NewExpectedDeals, decimal NewExpectedRevenue);

/// <summary>The forecast of one slice (or the total, <see cref="Value"/> empty).</summary>
/// <param name="Value">The slice value; empty for the total.</param>
/// <param name="Figures">Expected values and intervals.</param>
/// <param name="Parts">The contribution of each part.</param>
/// <param name="PooledDeals">Open deals whose chance came from all slices together because the slice's own history was too short.</param>
public sealed record ForecastSlice(string Value, ForecastFigures Figures, ForecastParts Parts, long PooledDeals)
{
    /// <summary>
    /// Per Monte Carlo run, the period's won revenue ÷ won deals (the deals already won included); NaN for a run without
    /// a win, where the average is undefined.
    /// </summary>
    public ImmutableArray<double> RunAverages { get; init; } = [];

    /// <summary>The average won amount the period is expected to end with: expected revenue ÷ expected deals; null when no win is expected.</summary>
    public decimal? AverageDealSize => Figures.Deals > 0 ? Math.Round(Figures.Revenue / Figures.Deals, 2) : null;

    /// <summary>
    /// Share of the runs whose average won amount ends at or above <paramref name="target"/> (<paramref name="higher"/>),
    /// or at or below it; a run without a win reaches neither. Null without runs.
    /// </summary>
    public decimal? AverageReaches(decimal target, bool higher)
    {
        if (RunAverages.IsDefaultOrEmpty)
        {
            return null;
        }

        var t = (double)target;
        var reached = RunAverages.Count(v => !double.IsNaN(v) && (higher ? v >= t : v <= t));
        return Math.Round((decimal)reached / RunAverages.Length, 4);
    }
}

/// <summary>An open deal and what it is expected to bring to the period.</summary>
/// <param name="DealId">The deal.</param>
/// <param name="Owner">Its owner.</param>
/// <param name="Stage">Its stage at as-of (<c>(none)</c> without stage history).</param>
/// <param name="DaysInStage">Days in that stage at as-of.</param>
/// <param name="StageP90Days">90th percentile of finished stays in that stage; null when unknown.</param>
/// <param name="Amount">Its amount, or the estimate when it has none.</param>
/// <param name="AmountEstimated">True when <see cref="Amount"/> is the mean won amount, not the deal's own.</param>
/// <param name="WinChance">Chance to be won inside the period.</param>
public sealed record ForecastDeal(string DealId, string? Owner, string Stage, decimal DaysInStage, decimal? StageP90Days, decimal Amount, bool AmountEstimated, decimal WinChance)
{
    /// <summary>Chance × amount.</summary>
    public decimal Expected => WinChance * Amount;
}

/// <summary>A target of the period judged against the forecast.</summary>
/// <param name="Kind"><c>revenue</c> or <c>deals</c>.</param>
/// <param name="Target">The target.</param>
/// <param name="Probability">Share of Monte Carlo runs reaching it.</param>
/// <param name="Coverage">Open pipeline ÷ what remains of the target after the deals already won; null when nothing remains.</param>
/// <param name="Gap">Target minus expected value; 0 when the expectation reaches it.</param>
/// <param name="ExtraDeals">Deals to create now to close the gap at current conversions and time to close; null when no deal would be won in time.</param>
/// <param name="ExtraLeads">Leads to bring in now for that, at the current deals per lead; null when unknown.</param>
public sealed record ForecastTarget(string Kind, decimal Target, decimal Probability, decimal? Coverage, decimal Gap, decimal? ExtraDeals, decimal? ExtraLeads);

/// <summary>Targets a forecast is judged against (either may be null).</summary>
/// <param name="Revenue">Won revenue target of the period.</param>
/// <param name="Deals">Won deals target of the period.</param>
public sealed record ForecastTargets(decimal? Revenue, decimal? Deals);

/// <summary>Options of a forecast.</summary>
/// <param name="By">Slice dimension (<c>owner</c>, <c>channel</c>, <c>service_line</c>) or null.</param>
/// <param name="Runs">Monte Carlo runs.</param>
/// <param name="Seed">Seed of the random numbers: the same seed gives the same output.</param>
public sealed record ForecastOptions(string? By = null, int Runs = 2000, int Seed = 1);

/// <summary>
/// A forecast of won deals and revenue in a period as of a moment; <see cref="Reason"/> instead of numbers when the
/// workspace has no history to learn from.
/// </summary>
/// <param name="Period">The period.</param>
/// <param name="AsOfUtc">As-of.</param>
/// <param name="Options">Slicing, runs, seed.</param>
/// <param name="Reason">Why there is no forecast; null when there is one.</param>
/// <param name="Total">The total.</param>
/// <param name="Slices">Per slice value when sliced.</param>
/// <param name="TopDeals">Open deals with the largest expected contribution (at most 10).</param>
/// <param name="Slipping">Open deals in their stage for longer than its p90, most overdue first (at most 10).</param>
/// <param name="Targets">Targets judged (empty when none was given).</param>
/// <param name="Notes">What the reader should know about the estimate (pooled slices, estimated amounts, other currencies).</param>
public sealed record ForecastReport(Period Period, DateTime AsOfUtc, ForecastOptions Options, Msg? Reason, ForecastSlice? Total, ImmutableArray<ForecastSlice> Slices, ImmutableArray<ForecastDeal> TopDeals, ImmutableArray<ForecastDeal> Slipping, ImmutableArray<ForecastTarget> Targets, ImmutableArray<Msg> Notes);

/// <summary>One method's forecast of one past period.</summary>
/// <param name="Expected">Expected won revenue.</param>
/// <param name="Interval80">80 % interval; null when the method has none.</param>
/// <param name="Interval95">95 % interval; null when the method has none.</param>
public sealed record BacktestEstimate(decimal Expected, ForecastRange? Interval80, ForecastRange? Interval95);

/// <summary>One period of a backtest: its forecasts by method and what happened.</summary>
/// <param name="Period">The period.</param>
/// <param name="AsOfUtc">The moment the forecasts were made as of.</param>
/// <param name="ActualRevenue">Won revenue in the period, as known at the backtest's as-of.</param>
/// <param name="ActualDeals">Won deals in the period.</param>
/// <param name="Methods">Per method (<c>forecast</c>, <c>weighted_pipeline</c>, <c>run_rate</c>) its estimate; a method without history is missing.</param>
public sealed record BacktestPeriod(Period Period, DateTime AsOfUtc, decimal ActualRevenue, long ActualDeals, ImmutableDictionary<string, BacktestEstimate> Methods);

/// <summary>A method's accuracy over a backtest's periods with a positive actual.</summary>
/// <param name="Method">The method.</param>
/// <param name="Periods">Periods scored.</param>
/// <param name="Mape">Mean |forecast − actual| ÷ actual.</param>
/// <param name="Bias">Mean (forecast − actual) ÷ actual (positive: too high).</param>
/// <param name="Coverage80">Share of periods whose actual fell inside the 80 % interval; null without intervals.</param>
/// <param name="Coverage95">Share inside the 95 % interval; null without intervals.</param>
public sealed record BacktestScore(string Method, int Periods, decimal? Mape, decimal? Bias, decimal? Coverage80, decimal? Coverage95);

/// <summary>A backtest: per period and per method, and the scores over the range.</summary>
/// <param name="At"><c>start</c> or <c>mid</c>: when in each period the forecasts were made.</param>
/// <param name="Periods">The periods.</param>
/// <param name="Scores">Per method.</param>
public sealed record BacktestReport(string At, ImmutableArray<BacktestPeriod> Periods, ImmutableArray<BacktestScore> Scores);

/// <summary>
/// Forecasts won deals and revenue of a period from the workspace's own history, as of a moment (docs/forecast.md).
/// Per-deal inputs are aggregated by SQL (outcome counts per stage, age band and day since a landmark; the open deals
/// of the moment); the cumulative incidence of a win (Aalen–Johansen: won and lost compete, open deals are censored)
/// and the Monte Carlo run in .NET.
/// </summary>
public sealed class ForecastEngine(Workspace ws)
{
    /// <summary>Age-in-stage bands (lower bounds, days): an open deal is judged by the history of deals that were as old in that stage.</summary>
    internal static readonly int[] Bands = [0, 7, 21, 45, 90, 180];

    /// <summary>Days of deal history the estimates are learned from (deals created this long before as-of, or later).</summary>
    public const int HistoryDays = 730;

    /// <summary>Days before as-of whose deal creation rate stands for the deals still to come.</summary>
    public const int FlowDays = 91;

    /// <summary>Days before as-of whose won amounts stand for the amounts of deals still to come and of open deals without one.</summary>
    public const int AmountDays = 182;

    /// <summary>Fewest landmarks a slice's stage and band needs to be estimated on its own rather than pooled.</summary>
    public const int MinHistory = 30;

    private const int MaxDay = 1100;
    private const ulong AmountKey = 0x5DEECE66DUL;
    internal const string CreatedStage = "__created";
    internal const string NoStage = "(none)";

    /// <summary>The forecast of <paramref name="period"/> as of <paramref name="asOf"/>.</summary>
    public ForecastReport Run(Period period, DateTimeOffset asOf, ForecastOptions options, ForecastTargets? targets = null)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(options);
        var model = Measure(period, asOf, options.By, withDealsAndP90: true);
        return Forecast(model, period, asOf, options, targets ?? new ForecastTargets(null, null));
    }

    /// <summary>
    /// For each of <paramref name="periods"/>, the forecasts made as of its start (or midpoint, <paramref name="mid"/>) with
    /// only what was known then, against the won revenue as known at <paramref name="now"/>.
    /// </summary>
    public BacktestReport Backtest(IReadOnlyList<Period> periods, bool mid, DateTimeOffset now, ForecastOptions options)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(options);
        var zone = ws.Settings.Zone;
        var rows = new List<BacktestPeriod>();
        foreach (var p in periods)
        {
            var start = p.StartUtc(zone);
            var at = mid ? Period.MidnightUtc(p.Start.AddDays(p.Days / 2), zone) : start;
            var asOf = new DateTimeOffset(at, TimeSpan.Zero);
            if (asOf > now)
            {
                continue;
            }

            var model = Measure(p, asOf, null, withDealsAndP90: false);
            var methods = ImmutableDictionary.CreateBuilder<string, BacktestEstimate>();
            var f = Forecast(model, p, asOf, options with { By = null }, new ForecastTargets(null, null));
            if (f.Total is { } t)
            {
                methods["forecast"] = new BacktestEstimate(t.Figures.Revenue, t.Figures.Revenue80, t.Figures.Revenue95);
                methods["weighted_pipeline"] = WeightedPipeline(model);
            }

            if (model.RunRate is { } rr)
            {
                methods["run_rate"] = rr;
            }

            var (deals, revenue) = Actual(p, now);
            rows.Add(new BacktestPeriod(p, at, revenue, deals, methods.ToImmutable()));
        }

        var scores = new[] { "forecast", "weighted_pipeline", "run_rate" }.Select(m => Score(m, rows)).ToImmutableArray();
        return new BacktestReport(mid ? "mid" : "start", [.. rows], scores);
    }

    private static BacktestScore Score(string method, IReadOnlyList<BacktestPeriod> rows)
    {
        var scored = rows.Where(r => r.ActualRevenue > 0 && r.Methods.ContainsKey(method)).ToList();
        if (scored.Count == 0)
        {
            return new BacktestScore(method, 0, null, null, null, null);
        }

        decimal Mean(Func<BacktestPeriod, decimal> f) => scored.Average(f);
        var withIntervals = scored.Where(r => r.Methods[method].Interval80 is not null).ToList();
        decimal? Cover(Func<BacktestEstimate, ForecastRange?> interval) =>
            withIntervals.Count == 0 ? null : (decimal)withIntervals.Count(r => interval(r.Methods[method])!.Contains(r.ActualRevenue)) / withIntervals.Count;
        return new BacktestScore(
            method,
            scored.Count,
            Math.Round(Mean(r => Math.Abs(r.Methods[method].Expected - r.ActualRevenue) / r.ActualRevenue), 4),
            Math.Round(Mean(r => (r.Methods[method].Expected - r.ActualRevenue) / r.ActualRevenue), 4),
            Cover(e => e.Interval80) is { } c80 ? Math.Round(c80, 4) : null,
            Cover(e => e.Interval95) is { } c95 ? Math.Round(c95, 4) : null);
    }

    // CRM style: the deals already won plus every open deal's amount times its stage's historic win rate (won ÷ closed of
    // the deals that entered the stage), whatever the deal's age and however long closing takes. The interval treats the
    // deals as independent coin flips (normal approximation).
    private static BacktestEstimate WeightedPipeline(Model m)
    {
        decimal expected = m.Won.Revenue;
        double variance = 0;
        foreach (var d in m.Open)
        {
            var rate = m.StageWinRate.GetValueOrDefault(d.Stage, m.StageWinRate.GetValueOrDefault(CreatedStage));
            expected += (decimal)rate * d.Amount;
            variance += rate * (1 - rate) * (double)d.Amount * (double)d.Amount;
        }

        var sd = Math.Sqrt(variance);
        ForecastRange Around(double z) => new(Math.Max(0, expected - (decimal)(z * sd)), expected + (decimal)(z * sd));
        return new BacktestEstimate(Math.Round(expected, 2), Around(1.2816), Around(1.96));
    }

    private (long Deals, decimal Revenue) Actual(Period p, DateTimeOffset now)
    {
        var zone = ws.Settings.Zone;
        var d = ws.Dialect;
        var sql = $"""
            SELECT count(*), coalesce(sum(CASE WHEN {Families.InCurrency(d)} THEN d.amount END), 0) FROM deals d
            WHERE d.status = 'won' AND d.closed_at >= {d.Parameter("s")} AND d.closed_at < {d.Parameter("e")} AND d.closed_at <= {d.Parameter("asof")}
              AND d.created_at <= {d.Parameter("asof")}
            """;
        using var cmd = ws.NamedCommand(sql, new Dictionary<string, object?> { ["s"] = p.StartUtc(zone), ["e"] = p.EndUtc(zone), ["asof"] = now.UtcDateTime, ["currency"] = ws.Settings.Currency });
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), Convert.ToDecimal(r.GetValue(1), CultureInfo.InvariantCulture));
    }

    private ForecastReport Forecast(Model m, Period period, DateTimeOffset asOf, ForecastOptions options, ForecastTargets targets)
    {
        var at = asOf.UtcDateTime;
        if (!m.HasHistory)
        {
            return new ForecastReport(
                period, at, options,
                Msg.Of(
                    "forecast.no_history",
                    "No forecast: no deal was won in the {0} days before {1}, so there is no history to learn win chances and amounts from.",
                    "Прогноза нет: за {0} дн. до {1} не выиграно ни одной сделки — не на чем оценить шансы выигрыша и суммы.",
                    HistoryDays, at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                null, [], [], [], [], []);
        }

        var zone = ws.Settings.Zone;
        var s = period.StartUtc(zone);
        var e = period.EndUtc(zone);
        // The window, in days after as-of, inside which a win counts: (u0, u1].
        var u0 = Math.Max(0, (s - at).TotalDays);
        var u1 = (e - at).TotalDays;
        var sliceNames = m.SliceNames;
        var sliceIndex = sliceNames.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var k = sliceNames.Count;

        // (b) each open deal's chance to be won inside the window.
        var chances = new double[m.Open.Count];
        var curveOf = new int[m.Open.Count];
        var curves = new List<Incidence>();
        var curveIndex = new Dictionary<Incidence, int>(ReferenceEqualityComparer.Instance);
        int CurveIndex(Incidence? c)
        {
            if (c is null)
            {
                return -1;
            }

            if (!curveIndex.TryGetValue(c, out var x))
            {
                curveIndex[c] = x = curves.Count;
                curves.Add(c);
            }

            return x;
        }

        var pooled = new long[k];
        var fallback = 0L;
        for (var i = 0; i < m.Open.Count; i++)
        {
            var d = m.Open[i];
            if (u1 <= 0)
            {
                continue;
            }

            var (cif, usedPool, fellBack) = m.Incidence(d.Slice, d.Size, d.Stage, d.DaysInStage);
            if (usedPool && m.Sliced)
            {
                pooled[sliceIndex[d.Slice]]++;
            }

            if (fellBack)
            {
                fallback++;
            }

            chances[i] = cif is null ? 0 : Math.Max(0, cif.At(u1) - cif.At(u0));
            curveOf[i] = CurveIndex(cif);
        }

        // (c) deals still to come: created at a steady rate from as-of to the period's end, each won inside the window with
        // the incidence from creation: μ = λ Σ_days [F(e − c) − F(s − c)].
        var newMean = new double[k];
        var newCurve = new int[k];
        Array.Fill(newCurve, -1);
        var newAmount = new double[k];
        var perNewDeal = new double[k];
        var flowRate = new double[k];
        var flowSeen = new long[k];
        for (var j = 0; j < k; j++)
        {
            var name = sliceNames[j];
            double wins = 0, value = 0, inWindow = 0;
            foreach (var size in m.Sizes)
            {
                var seen = m.FlowCount.GetValueOrDefault((name, size));
                var rate = seen / (double)FlowDays * m.Season;
                var (cif, _, _) = m.Incidence(name, size, CreatedStage, 0);
                if (cif is null || seen == 0)
                {
                    continue;
                }

                double sum = 0;
                var days = (int)Math.Ceiling(Math.Max(0, u1));
                for (var c = 0; c < days; c++)
                {
                    var mid = Math.Min(c + 0.5, u1);
                    sum += Math.Max(0, cif.At(u1 - mid) - cif.At(u0 - mid));
                }

                wins += rate * sum;
                newCurve[j] = CurveIndex(cif);
                value += rate * sum * (double)m.MeanNewAmount(name, size);
                inWindow += rate * Math.Max(0, cif.At(u1) - cif.At(u0));
                flowRate[j] += rate;
                flowSeen[j] += seen;
            }

            newMean[j] = wins;
            newAmount[j] = wins > 0 ? value / wins : (double)m.MeanAmount(name, string.Empty);
            perNewDeal[j] = flowRate[j] > 0 ? inWindow / flowRate[j] : 0;
        }

        // Monte Carlo with common random numbers: a deal's uniform depends only on (seed, run, deal), so the same seed gives
        // the same draws whatever the slicing, and the slices add up to the total run by run.
        var runs = Math.Max(100, options.Runs);
        var dealsRuns = new double[k + 1][];
        var revenueRuns = new double[k + 1][];
        for (var j = 0; j <= k; j++)
        {
            dealsRuns[j] = new double[runs];
            revenueRuns[j] = new double[runs];
        }

        var quantiles = m.AmountQuantiles;
        var pooledMean = (double)m.MeanAmount(string.Empty, string.Empty);
        var curveFactor = new double[curves.Count];
        for (var r = 0; r < runs; r++)
        {
            // One level factor per run, shared by every deal and slice: wins come in better and worse spells.
            var level = m.Shock > 0 ? Math.Exp((m.Shock * new Draws(options.Seed, r, Draws.Hash("level")).Normal()) - (m.Shock * m.Shock / 2)) : 1;
            // The chances are estimates: each run draws how far each group's true chances may lie from them (keyed by the
            // group, so every deal of a group and the deals still to come share the draw).
            for (var c = 0; c < curves.Count; c++)
            {
                curveFactor[c] = curves[c].Uncertainty(new Draws(options.Seed, r, curves[c].Key).Normal());
            }
            for (var i = 0; i < m.Open.Count; i++)
            {
                if (chances[i] <= 0)
                {
                    continue;
                }

                var d = m.Open[i];
                if (Draws.Uniform(options.Seed, r, d.Hash) < Math.Min(1, chances[i] * level * curveFactor[curveOf[i]]))
                {
                    var j = sliceIndex[d.Slice];
                    dealsRuns[j][r]++;
                    // A deal without a known amount brings a won amount drawn from the distribution, not the mean every time.
                    revenueRuns[j][r] += d.AmountEstimated && quantiles.Length > 0
                        ? quantiles[(int)(Draws.Uniform(options.Seed, r, d.Hash ^ AmountKey) * quantiles.Length)] * (pooledMean > 0 ? (double)d.Amount / pooledMean : 1)
                        : (double)d.Amount;
                }
            }

            for (var j = 0; j < k; j++)
            {
                if (newMean[j] <= 0)
                {
                    continue;
                }

                // The creation rate is itself uncertain: a Gamma posterior on the deals seen in the flow window, widened by
                // the month-to-month over-dispersion of creation (a Poisson–Gamma, i.e. negative binomial, count): the
                // squared coefficients of variation add, 1/shape = 1/seen + dispersion.
                var rng = new Draws(options.Seed, r, Draws.Hash(sliceNames[j]));
                var seen = Math.Max(1, flowSeen[j]);
                var shape = 1 / ((1.0 / seen) + m.FlowDispersion);
                var n = rng.Poisson(newMean[j] * level * (newCurve[j] >= 0 ? curveFactor[newCurve[j]] : 1) * rng.Gamma(Math.Max(1, shape)) / Math.Max(1, shape));
                var scale = pooledMean > 0 ? newAmount[j] / pooledMean : 1;
                dealsRuns[j][r] += n;
                for (var x = 0; x < n; x++)
                {
                    revenueRuns[j][r] += quantiles.Length == 0 ? newAmount[j] : quantiles[(int)(rng.Next() * quantiles.Length)] * scale;
                }
            }

            for (var j = 0; j < k; j++)
            {
                dealsRuns[k][r] += dealsRuns[j][r];
                revenueRuns[k][r] += revenueRuns[j][r];
            }
        }

        ForecastSlice SliceOf(int j)
        {
            var name = j == k ? null : sliceNames[j];
            bool In(OpenDeal d) => name is null || d.Slice == name;
            var won = name is null ? m.Won : m.WonBySlice.GetValueOrDefault(name);
            long openCount = 0;
            decimal pipeline = 0, expDeals = 0, expRevenue = 0;
            for (var i = 0; i < m.Open.Count; i++)
            {
                var d = m.Open[i];
                if (!In(d))
                {
                    continue;
                }

                openCount++;
                pipeline += d.Amount;
                expDeals += (decimal)chances[i];
                expRevenue += (decimal)chances[i] * d.Amount;
            }

            var newDeals = name is null ? newMean.Sum() : newMean[j];
            var newRevenue = name is null ? Enumerable.Range(0, k).Sum(x => newMean[x] * newAmount[x]) : newMean[j] * newAmount[j];
            var parts = new ForecastParts(won.Deals, won.Revenue, openCount, Math.Round(pipeline, 2), Math.Round(expDeals, 2), Math.Round(expRevenue, 2), Math.Round((decimal)newDeals, 2), Math.Round((decimal)newRevenue, 2));
            var deals = won.Deals + parts.OpenExpectedDeals + parts.NewExpectedDeals;
            var revenue = won.Revenue + parts.OpenExpectedRevenue + parts.NewExpectedRevenue;
            var dr = dealsRuns[j].Order().ToArray();
            var rr = revenueRuns[j].Order().ToArray();
            ForecastRange R(double[] sorted, double lo, double hi, decimal offset, int digits) =>
                new(Math.Round(offset + (decimal)Quantile(sorted, lo), digits), Math.Round(offset + (decimal)Quantile(sorted, hi), digits));
            var figures = new ForecastFigures(
                Math.Round(deals, 2), Math.Round(revenue, 2),
                R(dr, 0.10, 0.90, won.Deals, 0), R(dr, 0.025, 0.975, won.Deals, 0),
                R(rr, 0.10, 0.90, won.Revenue, 2), R(rr, 0.025, 0.975, won.Revenue, 2));
            var averages = Enumerable.Range(0, runs).Select(x =>
            {
                var n = won.Deals + dealsRuns[j][x];
                return n > 0 ? ((double)won.Revenue + revenueRuns[j][x]) / n : double.NaN;
            }).ToImmutableArray();
            return new ForecastSlice(name ?? string.Empty, figures, parts, name is null ? pooled.Sum() : pooled[j]) { RunAverages = averages };
        }

        var total = SliceOf(k);
        var slices = m.Sliced ? Enumerable.Range(0, k).Select(SliceOf).ToImmutableArray() : [];

        var dealsOut = m.Open.Select((d, i) => new ForecastDeal(d.DealId, d.Owner, d.Stage, Math.Round((decimal)d.DaysInStage, 1), m.StageP90.TryGetValue(d.Stage, out var p90) ? Math.Round((decimal)p90, 1) : null, d.Amount, d.AmountEstimated, Math.Round((decimal)chances[i], 4))).ToList();
        var top = dealsOut.Where(d => d.WinChance > 0).OrderByDescending(d => d.Expected).ThenBy(d => d.DealId, StringComparer.Ordinal).Take(10).ToImmutableArray();
        var slipping = dealsOut.Where(d => d.StageP90Days is { } p && p > 0 && d.DaysInStage > p)
            .OrderByDescending(d => d.DaysInStage / d.StageP90Days!.Value).ThenBy(d => d.DealId, StringComparer.Ordinal).Take(10).ToImmutableArray();

        var judged = ImmutableArray.CreateBuilder<ForecastTarget>();
        var flowDeals = flowRate.Sum();
        var leadsPerDeal = m.LeadFlow > 0 && flowDeals > 0 ? m.LeadFlow / FlowDays / flowDeals : (double?)null;
        var perNewDealTotal = flowDeals > 0 ? Enumerable.Range(0, k).Sum(j => perNewDeal[j] * flowRate[j]) / flowDeals : 0;
        var newDealValue = flowDeals > 0 ? Enumerable.Range(0, k).Sum(j => perNewDeal[j] * newAmount[j] * flowRate[j]) / flowDeals : 0;
        ForecastTarget Judge(string kind, decimal target, decimal expected, double[] runsOf, decimal already, decimal pipeline, double perDeal)
        {
            var reached = (decimal)runsOf.Count(v => (decimal)v + already >= target) / runs;
            var remaining = target - already;
            var gap = Math.Max(0, target - expected);
            decimal? extraDeals = gap == 0 ? 0 : perDeal > 0 ? Math.Round(gap / (decimal)perDeal, 1) : null;
            decimal? extraLeads = extraDeals is { } x && leadsPerDeal is { } lpd ? Math.Round(x * (decimal)lpd, 1) : null;
            return new ForecastTarget(kind, target, Math.Round(reached, 4), remaining > 0 ? Math.Round(pipeline / remaining, 2) : null, Math.Round(gap, 2), extraDeals, extraLeads);
        }

        if (targets.Revenue is { } rt)
        {
            judged.Add(Judge("revenue", rt, total.Figures.Revenue, revenueRuns[k], total.Parts.WonRevenue, total.Parts.OpenPipeline, newDealValue));
        }

        if (targets.Deals is { } dt)
        {
            judged.Add(Judge("deals", dt, total.Figures.Deals, dealsRuns[k], total.Parts.WonDeals, total.Parts.OpenDeals, perNewDealTotal));
        }

        var notes = ImmutableArray.CreateBuilder<Msg>();
        if (m.Sliced && pooled.Sum() > 0)
        {
            notes.Add(Msg.Of(
                "forecast.pooled",
                "{0} open deals are judged by the history of all slices together: their slice has fewer than {1} deals of that stage and age.",
                "{0} открытых сделок оценены по истории всех разрезов вместе: в их разрезе меньше {1} сделок этого этапа и возраста.",
                pooled.Sum(), MinHistory));
        }

        if (fallback > 0)
        {
            notes.Add(Msg.Of(
                "forecast.fallback",
                "{0} open deals are in a stage or at an age with too little history; they are judged by a younger age in the stage, or by deals from creation.",
                "{0} открытых сделок находятся на этапе или в возрасте с малой историей; они оценены по меньшему возрасту на этапе или по сделкам с момента создания.",
                fallback));
        }

        var estimated = m.Open.Count(d => d.AmountEstimated);
        if (!m.AmountsTrusted && m.Open.Count > 0)
        {
            notes.Add(Msg.Of(
                "forecast.amounts_at_close",
                "Open deals' own amounts are not used: here most open and lost deals have no amount, so amounts are written when a deal is won and would give its outcome away.",
                "Собственные суммы открытых сделок не используются: здесь у большинства открытых и проигранных сделок суммы нет — её пишут при выигрыше, и она выдавала бы исход.",
                m.Open.Count));
        }

        if (estimated > 0)
        {
            notes.Add(Msg.Of(
                "forecast.estimated_amounts",
                "{0:N0} open deals have no amount; the mean won amount of the last half year stands in for it.",
                "У {0:N0} открытых сделок нет суммы; вместо неё взята средняя сумма выигранных сделок за последние полгода.",
                estimated));
        }

        if (m.OtherCurrency > 0)
        {
            notes.Add(Msg.Of(
                "forecast.other_currency",
                "{0} open deals in another currency are left out.",
                "{0} открытых сделок в другой валюте не учтены.",
                m.OtherCurrency));
        }

        return new ForecastReport(period, at, options, null, total, slices, top, slipping, judged.ToImmutable(), notes.ToImmutable());
    }

    private static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (pos - lo));
    }

    // ---- inputs, aggregated by SQL ----

    private Model Measure(Period period, DateTimeOffset asOf, string? by, bool withDealsAndP90)
    {
        var d = ws.Dialect;
        var zone = ws.Settings.Zone;
        var at = asOf.UtcDateTime;
        var slice = by is null ? "CAST(NULL AS VARCHAR)" : $"coalesce(CAST({Families.DealDimensions[by]} AS VARCHAR), '(none)')";
        var args = new Dictionary<string, object?>
        {
            ["asof"] = at,
            ["hist"] = at.AddDays(-HistoryDays),
            ["flow"] = at.AddDays(-FlowDays),
            ["year"] = at.AddDays(-AmountDays),
            ["s"] = period.StartUtc(zone),
            ["e"] = period.EndUtc(zone),
            ["currency"] = ws.Settings.Currency,
            ["cycle"] = (double)period.Days * 86400,
        };

        // Where a CRM writes the amount only when a deal closes, the amount of a deal open at as-of is not known then
        // (and would give away its outcome): such amounts are ignored and estimated instead.
        var trusted = AmountsKnownWhileOpen();
        var cuts = trusted ? WonAmountQuartiles(args) : null;
        args["q1"] = cuts?[0] ?? 0m;
        args["q2"] = cuts?[1] ?? 0m;
        args["q3"] = cuts?[2] ?? 0m;
        var size = cuts is null ? "''" : $"""
            CASE WHEN d.amount > 0 AND {Families.InCurrency(d)} THEN
              (CASE WHEN d.amount < {d.Parameter("q1")} THEN 'a1' WHEN d.amount < {d.Parameter("q2")} THEN 'a2' WHEN d.amount < {d.Parameter("q3")} THEN 'a3' ELSE 'a4' END)
            ELSE 'na' END
            """;
        var amount = trusted ? $"CASE WHEN {Families.InCurrency(d)} AND d.amount > 0 THEN d.amount END" : "CAST(NULL AS DECIMAL(18,4))";
        var model = new Model { Sliced = by is not null, Sizes = cuts is null ? [string.Empty] : ["a1", "a2", "a3", "a4", "na"], AmountsTrusted = trusted };

        // Landmarks: every stay in a stage, looked at when it was 0, 7, 21, … days old (if still in the stage and the deal
        // still open then, and that moment is not after as-of), plus each deal at its creation; from there, days to the
        // deal's outcome (won, lost) or to as-of (still open: censored).
        using (var cmd = ws.NamedCommand(LandmarkSql(d, slice, size, by is not null, cuts is not null), args))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var sl = r.IsDBNull(0) ? string.Empty : r.GetString(0);
                var key = (sl, r.IsDBNull(1) ? string.Empty : r.GetString(1), r.GetString(2), Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture));
                var outcome = r.GetString(4);
                var day = Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture);
                var n = r.GetInt64(6);
                if (!model.Groups.TryGetValue(key, out var g))
                {
                    model.Groups[key] = g = new GroupCounts();
                }

                g.Add(outcome, day, n);
                if (sl.Length > 0)
                {
                    model.Slices.Add(sl);
                }
            }
        }

        model.Build();

        using (var cmd = ws.NamedCommand(OpenDealsSql(d, slice, size, amount), args))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var other = r.GetBoolean(6);
                if (other)
                {
                    model.OtherCurrency++;
                    continue;
                }

                var sl = r.IsDBNull(2) ? string.Empty : r.GetString(2);
                var id = r.GetString(0);
                model.Open.Add(new OpenDeal(id, r.IsDBNull(1) ? null : r.GetString(1), sl, r.GetString(7), r.GetString(3), Convert.ToDouble(r.GetValue(4), CultureInfo.InvariantCulture), r.IsDBNull(5) ? null : Convert.ToDecimal(r.GetValue(5), CultureInfo.InvariantCulture), Draws.Hash(id)));
                if (sl.Length > 0)
                {
                    model.Slices.Add(sl);
                }
            }
        }

        using (var cmd = ws.NamedCommand(FlowSql(d, slice, size), args))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var sl = r.IsDBNull(0) ? string.Empty : r.GetString(0);
                var sz = r.IsDBNull(1) ? string.Empty : r.GetString(1);
                var bySlice = Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture) == 0;
                var bySize = Convert.ToInt32(r.GetValue(3), CultureInfo.InvariantCulture) == 0;
                var amounts = (Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture), Convert.ToDecimal(r.GetValue(6), CultureInfo.InvariantCulture));
                var won = (Convert.ToInt64(r.GetValue(7), CultureInfo.InvariantCulture), Convert.ToDecimal(r.GetValue(8), CultureInfo.InvariantCulture));
                model.FastAmounts[(bySlice ? sl : string.Empty, bySize ? sz : string.Empty)] = (Convert.ToInt64(r.GetValue(11), CultureInfo.InvariantCulture), Convert.ToDecimal(r.GetValue(12), CultureInfo.InvariantCulture));
                if (bySlice && bySize)
                {
                    model.FlowCount[(sl, sz)] = Convert.ToInt64(r.GetValue(4), CultureInfo.InvariantCulture);
                }
                else if (bySlice)
                {
                    model.WonBySlice[sl] = won;
                    model.Amounts[(sl, string.Empty)] = amounts;
                }
                else if (bySize)
                {
                    model.Amounts[(string.Empty, sz)] = amounts;
                }
                else
                {
                    model.Amounts[(string.Empty, string.Empty)] = amounts;
                    model.Won = won;
                    model.RunRateRevenue = Convert.ToDecimal(r.GetValue(9), CultureInfo.InvariantCulture);
                    model.RunRateSquares = Convert.ToDouble(r.GetValue(10), CultureInfo.InvariantCulture);
                }

                if (by is not null && bySlice && sl.Length > 0)
                {
                    model.Slices.Add(sl);
                }
            }
        }

        using (var cmd = ws.NamedCommand($"SELECT count(*) FROM leads WHERE created_at > {d.Parameter("flow")} AND created_at <= {d.Parameter("asof")}", args))
        {
            model.LeadFlow = Convert.ToDouble(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        model.AmountQuantiles = AmountQuantiles(args);
        model.Season = Season(period, at, args);
        model.Shock = Shock(period, at, args);
        model.FlowDispersion = FlowDispersion(at, args);

        for (var i = 0; i < model.Open.Count; i++)
        {
            if (model.Open[i].OwnAmount is null)
            {
                model.Open[i] = model.Open[i] with { ImputedAmount = model.MeanAmount(model.Open[i].Slice, string.Empty) };
            }
        }

        if (withDealsAndP90)
        {
            using var cmd = ws.NamedCommand(StageP90Sql(d), args);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!r.IsDBNull(1))
                {
                    model.StageP90[r.GetString(0)] = Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture);
                }
            }
        }

        // Run rate: the revenue won in the flow window, per day, for the days of the period still ahead; its interval from
        // a compound Poisson (deals at the window's rate, amounts as in the window).
        var s = period.StartUtc(zone);
        var e = period.EndUtc(zone);
        var ahead = Math.Max(0, (e - (at > s ? at : s)).TotalDays);
        if (model.RunRateRevenue > 0 || model.Won.Revenue > 0)
        {
            var expected = model.Won.Revenue + (model.RunRateRevenue * (decimal)(ahead / FlowDays));
            var sd = Math.Sqrt(model.RunRateSquares * ahead / FlowDays);
            ForecastRange Around(double z) => new(Math.Max(0, expected - (decimal)(z * sd)), expected + (decimal)(z * sd));
            model.RunRate = new BacktestEstimate(Math.Round(expected, 2), Around(1.2816), Around(1.96));
        }

        return model;
    }

    /// <summary>
    /// True when amounts are entered before a deal closes: most of the deals open now or lost carry a positive amount
    /// (a CRM that writes the amount only on a win leaves them empty or 0).
    /// </summary>
    private bool AmountsKnownWhileOpen()
    {
        using var cmd = ws.NamedCommand("SELECT count(*) FILTER (WHERE amount > 0), count(*) FROM deals WHERE status IN ('open', 'lost')", new Dictionary<string, object?>());
        using var r = cmd.ExecuteReader();
        return r.Read() && r.GetInt64(1) > 0 && r.GetInt64(0) * 2 >= r.GetInt64(1);
    }

    /// <summary>The quartiles of the amounts won in the history window; null when none was won.</summary>
    private decimal[]? WonAmountQuartiles(Dictionary<string, object?> args)
    {
        var d = ws.Dialect;
        using var cmd = ws.NamedCommand(
            $"SELECT {d.PercentileCont(0.25, "amount")}, {d.PercentileCont(0.5, "amount")}, {d.PercentileCont(0.75, "amount")} FROM deals d WHERE status = 'won' AND closed_at >= {d.Parameter("hist")} AND closed_at <= {d.Parameter("asof")} AND {Families.InCurrency(d)} AND amount > 0",
            args);
        using var r = cmd.ExecuteReader();
        return r.Read() && !r.IsDBNull(0) ? [.. Enumerable.Range(0, 3).Select(i => Convert.ToDecimal(r.GetValue(i), CultureInfo.InvariantCulture))] : null;
    }

    /// <summary>
    /// How the deal creation of the days ahead compared with the flow window a year before: (deals created a year before in
    /// the days now ahead, per day) ÷ (deals created a year before in the flow window, per day); 1 when either count is
    /// below <see cref="MinHistory"/>, and kept within 0.5–2.
    /// </summary>
    private double Season(Period period, DateTime at, Dictionary<string, object?> args)
    {
        var d = ws.Dialect;
        var ahead = Math.Max(1, (period.EndUtc(ws.Settings.Zone) - at).TotalDays);
        var ly = at.AddDays(-365);
        var q = new Dictionary<string, object?>(args) { ["ly0"] = ly.AddDays(-FlowDays), ["ly1"] = ly, ["ly2"] = ly.AddDays(Math.Min(ahead, 365)) };
        using var cmd = ws.NamedCommand(
            $"SELECT count(*) FILTER (WHERE created_at > {d.Parameter("ly0")} AND created_at <= {d.Parameter("ly1")}), count(*) FILTER (WHERE created_at > {d.Parameter("ly1")} AND created_at <= {d.Parameter("ly2")}) FROM deals WHERE created_at > {d.Parameter("ly0")} AND created_at <= {d.Parameter("ly2")}",
            q);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return 1;
        }

        long before = r.GetInt64(0), after = r.GetInt64(1);
        return before < MinHistory || after < MinHistory ? 1 : Math.Clamp(after / Math.Min(ahead, 365) / (before / (double)FlowDays), 0.5, 2);
    }

    /// <summary>
    /// The spread of the level of wins beyond chance: the won deals of the six periods of P's kind before as-of (whole
    /// periods, so a pattern of the calendar such as quarter-end peaks shows) vary more than a Poisson count would;
    /// σ² = ln(1 + (variance − mean) ÷ mean²), 0 when they do not. With fewer than four of them with wins (a short
    /// history), the six calendar months before as-of stand in. Each Monte Carlo run scales all chances and the flow by
    /// one lognormal factor of that σ.
    /// </summary>
    private double Shock(Period period, DateTime at, Dictionary<string, object?> args)
    {
        var zone = ws.Settings.Zone;
        IReadOnlyList<(DateTime From, DateTime To)> Before(Period first)
        {
            var spans = new List<(DateTime, DateTime)>();
            for (var (p, tries) = (first, 0); spans.Count < 6 && tries < 12; p = p.Previous(), tries++)
            {
                if (p.EndUtc(zone) <= at)
                {
                    spans.Add((p.StartUtc(zone), p.EndUtc(zone)));
                }
            }

            return spans;
        }

        var sigma = LevelSigma(Before(period.Previous()), args);
        return sigma ?? LevelSigma(Before(Period.Month(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(at, zone))).Previous()), args) ?? 0;
    }

    // σ of the lognormal level from the won deals of the spans; null with fewer than four spans with wins.
    private double? LevelSigma(IReadOnlyList<(DateTime From, DateTime To)> spans, Dictionary<string, object?> args)
    {
        if (spans.Count < 4)
        {
            return null;
        }

        var d = ws.Dialect;
        // Filtered counts: grouping by a computed span index took DuckDB tens of seconds on 200,000 deals.
        var q = new Dictionary<string, object?>(args);
        var filters = new List<string>();
        for (var k = 0; k < spans.Count; k++)
        {
            var n = k.ToString(CultureInfo.InvariantCulture);
            q["sf" + n] = spans[k].From;
            q["st" + n] = spans[k].To;
            filters.Add($"count(*) FILTER (WHERE closed_at >= {d.Parameter("sf" + n)} AND closed_at < {d.Parameter("st" + n)})");
        }

        q["sfmin"] = spans.Min(x => x.From);
        var counts = new long[spans.Count];
        using (var cmd = ws.NamedCommand(
            $"SELECT {string.Join(", ", filters)} FROM deals WHERE status = 'won' AND closed_at >= {d.Parameter("sfmin")} AND closed_at <= {d.Parameter("asof")} AND created_at <= {d.Parameter("asof")}",
            q))
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read())
            {
                for (var k = 0; k < spans.Count; k++)
                {
                    counts[k] = r.GetInt64(k);
                }
            }
        }

        return ExtraDispersion(counts) is { } x ? Math.Sqrt(Math.Log(1 + x)) : null;
    }

    /// <summary>
    /// The squared coefficient of variation of the rate behind counts beyond what a Poisson count has, (variance − mean) ÷
    /// mean² over the counts above 0 (sample variance); 0 when they vary no more than Poisson; null with fewer than four.
    /// </summary>
    internal static double? ExtraDispersion(IReadOnlyList<long> counts)
    {
        var seen = counts.Where(c => c > 0).ToList();
        if (seen.Count < 4)
        {
            return null;
        }

        var mean = seen.Average();
        var variance = seen.Sum(c => (c - mean) * (c - mean)) / (seen.Count - 1);
        return variance > mean ? (variance - mean) / (mean * mean) : 0;
    }

    /// <summary>
    /// The over-dispersion of deal creation: the deals created in each of the six 30-day spans before as-of vary more than
    /// a Poisson count would; returns (variance − mean) ÷ mean², the squared coefficient of variation of the rate of a
    /// Poisson–Gamma (negative binomial) count; 0 when they do not or with fewer than four spans with deals.
    /// </summary>
    private double FlowDispersion(DateTime at, Dictionary<string, object?> args)
    {
        var d = ws.Dialect;
        var q = new Dictionary<string, object?>(args);
        for (var k = 0; k <= 6; k++)
        {
            q["fspan" + k.ToString(CultureInfo.InvariantCulture)] = at.AddDays(-30 * k);
        }

        var filters = Enumerable.Range(0, 6).Select(k => $"count(*) FILTER (WHERE created_at > {d.Parameter("fspan" + (k + 1).ToString(CultureInfo.InvariantCulture))} AND created_at <= {d.Parameter("fspan" + k.ToString(CultureInfo.InvariantCulture))})");
        var counts = new long[6];
        using (var cmd = ws.NamedCommand($"SELECT {string.Join(", ", filters)} FROM deals WHERE created_at > {d.Parameter("fspan6")} AND created_at <= {d.Parameter("asof")}", q))
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read())
            {
                for (var k = 0; k < 6; k++)
                {
                    counts[k] = r.GetInt64(k);
                }
            }
        }

        return ExtraDispersion(counts) ?? 0;
    }

    private double[] AmountQuantiles(Dictionary<string, object?> args)
    {
        var d = ws.Dialect;
        var cols = string.Join(", ", Enumerable.Range(0, 20).Select(i => d.PercentileCont((i + 0.5) / 20, "amount")));
        using var cmd = ws.NamedCommand(
            $"SELECT {cols} FROM deals d WHERE status = 'won' AND closed_at > {d.Parameter("year")} AND closed_at <= {d.Parameter("asof")} AND created_at <= {d.Parameter("asof")} AND {Families.InCurrency(d)} AND amount IS NOT NULL",
            args);
        using var r = cmd.ExecuteReader();
        if (!r.Read() || r.IsDBNull(0))
        {
            return [];
        }

        return [.. Enumerable.Range(0, 20).Select(i => Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture))];
    }

    // Only the channel slice reads the deal's lead; joining a million leads for nothing is most of a forecast's time.
    private static string LeadJoin(string slice, string asof) =>
        slice.Contains("l.", StringComparison.Ordinal) ? $" LEFT JOIN leads l ON l.lead_id = d.lead_id AND l.created_at <= {asof}" : string.Empty;

    /// <summary>The deals of the history window as of <c>asof</c>, with slice <c>sl</c>, outcome and the end of their follow-up.</summary>
    private static string HistoryCte(ISqlDialect d, string slice, string size = "''")
    {
        var asof = d.Parameter("asof");
        return $"""
            dl AS (
              SELECT d.deal_id, d.created_at, {slice} AS sl, {size} AS sz,
                     {Families.DealStateAsOf(d)} AS outcome,
                     CASE WHEN {Families.ClosedByAsOf(d)} THEN d.closed_at ELSE {asof} END AS end_at
              FROM deals d{LeadJoin(slice, asof)}
              WHERE d.created_at <= {asof} AND d.created_at >= {d.Parameter("hist")}),
            st AS (
              SELECT s.deal_id, s.stage, s.entered_at, lead(s.entered_at) OVER (PARTITION BY s.deal_id ORDER BY s.entered_at) AS next_at
              FROM deal_stages s JOIN dl ON dl.deal_id = s.deal_id WHERE s.entered_at <= {asof})
            """;
    }

    /// <summary>
    /// Per (slice and) stage, age band <c>lo</c>, outcome and whole days from the landmark to the outcome or to as-of: the
    /// landmarks' count. The pseudo-stage <c>__created</c> is every deal at its creation; <c>(none)</c> a deal without stage
    /// history by as-of.
    /// </summary>
    internal static string LandmarkSql(ISqlDialect d, string slice, string size, bool sliced, bool sized)
    {
        var asof = d.Parameter("asof");
        var bands = string.Join(", ", Bands.Select(b => $"({b.ToString(CultureInfo.InvariantCulture)})"));
        var sets = new List<string> { "(stage, lo, outcome, day)" };
        if (sliced)
        {
            sets.Add("(sl, stage, lo, outcome, day)");
        }

        if (sized)
        {
            sets.Add("(sz, stage, lo, outcome, day)");
        }

        var group = sets.Count == 1 ? "GROUP BY sl, sz, stage, lo, outcome, day" : $"GROUP BY GROUPING SETS ({string.Join(", ", sets)})";
        return $"""
            WITH {HistoryCte(d, slice, size)},
            stays AS (
              SELECT dl.sl, dl.sz, st.stage, st.entered_at, coalesce(st.next_at, dl.end_at) AS left_at, dl.outcome, dl.end_at
              FROM st JOIN dl ON dl.deal_id = st.deal_id
              UNION ALL
              SELECT dl.sl, dl.sz, '{NoStage}', dl.created_at, dl.end_at, dl.outcome, dl.end_at
              FROM dl WHERE NOT EXISTS (SELECT 1 FROM st WHERE st.deal_id = dl.deal_id)
              UNION ALL
              SELECT dl.sl, dl.sz, '{CreatedStage}', dl.created_at, dl.end_at, dl.outcome, dl.end_at FROM dl),
            lm AS (
              SELECT stays.*, b.lo FROM stays CROSS JOIN (VALUES {bands}) AS b(lo)
              WHERE (b.lo = 0 OR ({d.SecondsBetween("entered_at", "left_at")} > b.lo * 86400.0 AND stage <> '{CreatedStage}'))
                AND {d.SecondsBetween("entered_at", asof)} >= b.lo * 86400.0)
            SELECT {(sliced || sets.Count == 1 ? "sl" : "CAST(NULL AS VARCHAR)")}, {(sized || sets.Count == 1 ? "sz" : "CAST(NULL AS VARCHAR)")}, stage, lo, outcome,
                   least({MaxDay}, floor(greatest(0, {d.SecondsBetween("entered_at", "end_at")} - lo * 86400.0) / 86400.0)) AS day,
                   count(*)
            FROM lm {group}
            """;
    }

    /// <summary>The deals open at as-of: id, owner, slice, current stage, days in it, amount in the workspace currency, other currency.</summary>
    internal static string OpenDealsSql(ISqlDialect d, string slice, string size, string amount)
    {
        var asof = d.Parameter("asof");
        return $"""
            WITH o AS (
              SELECT d.deal_id, d.owner, {slice} AS sl, {size} AS sz, d.created_at,
                     {amount} AS amount, NOT ({Families.InCurrency(d)}) AS other
              FROM deals d{LeadJoin(slice, asof)}
              WHERE d.created_at <= {asof} AND NOT ({Families.ClosedByAsOf(d)})),
            cur AS (
              SELECT s.deal_id, {d.ArgMax("s.stage", "s.entered_at")} AS stage, max(s.entered_at) AS since
              FROM deal_stages s JOIN o ON o.deal_id = s.deal_id WHERE s.entered_at <= {asof} GROUP BY s.deal_id)
            SELECT o.deal_id, o.owner, o.sl, coalesce(cur.stage, '{NoStage}'),
                   greatest(0, {d.SecondsBetween("coalesce(cur.since, o.created_at)", asof)}) / 86400.0, o.amount, o.other, o.sz
            FROM o LEFT JOIN cur ON cur.deal_id = o.deal_id ORDER BY o.deal_id
            """;
    }

    /// <summary>
    /// Per slice (and the total, grouping flag 1): deals created in the flow window, won amounts of the last year (count,
    /// sum), deals won in the period by as-of (count, revenue), and the revenue won in the flow window (sum, sum of squares).
    /// </summary>
    internal static string FlowSql(ISqlDialect d, string slice, string size)
    {
        var asof = d.Parameter("asof");
        var amount = $"CASE WHEN {Families.InCurrency(d)} THEN d.amount END";
        var wonBy = $"d.status = 'won' AND d.closed_at <= {asof}";
        var fast = $"{d.SecondsBetween("created_at", "closed_at")} <= {d.Parameter("cycle")}";
        return $"""
            WITH x AS (
              SELECT {slice} AS sl, {size} AS sz, d.created_at, d.closed_at, {wonBy} AS won, {amount} AS amount
              FROM deals d{LeadJoin(slice, asof)}
              WHERE d.created_at <= {asof} AND (d.created_at > {d.Parameter("flow")} OR d.closed_at > {d.Parameter("year")}))
            SELECT sl, sz, GROUPING(sl), GROUPING(sz),
                   count(*) FILTER (WHERE created_at > {d.Parameter("flow")}),
                   count(amount) FILTER (WHERE won AND closed_at > {d.Parameter("year")}),
                   coalesce(sum(amount) FILTER (WHERE won AND closed_at > {d.Parameter("year")}), 0),
                   count(*) FILTER (WHERE won AND closed_at >= {d.Parameter("s")} AND closed_at < {d.Parameter("e")}),
                   coalesce(sum(amount) FILTER (WHERE won AND closed_at >= {d.Parameter("s")} AND closed_at < {d.Parameter("e")}), 0),
                   coalesce(sum(amount) FILTER (WHERE won AND closed_at > {d.Parameter("flow")}), 0),
                   coalesce(sum(CAST(amount AS {d.TypeName(ColumnType.Number)}) * CAST(amount AS {d.TypeName(ColumnType.Number)})) FILTER (WHERE won AND closed_at > {d.Parameter("flow")}), 0),
                   count(amount) FILTER (WHERE won AND closed_at > {d.Parameter("year")} AND {fast}),
                   coalesce(sum(amount) FILTER (WHERE won AND closed_at > {d.Parameter("year")} AND {fast}), 0)
            FROM x GROUP BY GROUPING SETS ((), (sl), (sz), (sl, sz))
            """;
    }

    /// <summary>Per stage, the 90th percentile of days of the finished stays of the history window.</summary>
    internal static string StageP90Sql(ISqlDialect d) => $"""
        WITH {HistoryCte(d, "CAST(NULL AS VARCHAR)")}
        SELECT st.stage, {d.PercentileCont(0.9, $"{d.SecondsBetween("st.entered_at", "coalesce(st.next_at, dl.end_at)")} / 86400.0")}
        FROM st JOIN dl ON dl.deal_id = st.deal_id
        WHERE st.next_at IS NOT NULL OR dl.outcome <> 'open'
        GROUP BY st.stage
        """;

    private sealed record OpenDeal(string DealId, string? Owner, string Slice, string Size, string Stage, double DaysInStage, decimal? OwnAmount, ulong Hash)
    {
        public decimal? ImputedAmount { get; init; }

        public decimal Amount => OwnAmount ?? ImputedAmount ?? 0;

        public bool AmountEstimated => OwnAmount is null;
    }

    /// <summary>Outcome counts of one group of landmarks by whole day.</summary>
    private sealed class GroupCounts
    {
        public SortedDictionary<int, (long Won, long Lost, long Open)> Days { get; } = [];

        public long N { get; private set; }

        public long Won { get; private set; }

        public long Lost { get; private set; }

        public void Add(string outcome, int day, long n)
        {
            var c = Days.GetValueOrDefault(day);
            Days[day] = outcome switch
            {
                "won" => (c.Won + n, c.Lost, c.Open),
                "lost" => (c.Won, c.Lost + n, c.Open),
                _ => (c.Won, c.Lost, c.Open + n),
            };
            N += n;
            Won += outcome == "won" ? n : 0;
            Lost += outcome == "lost" ? n : 0;
        }
    }

    private sealed class Model
    {
        public bool Sliced { get; init; }

        /// <summary>Amount classes: <c>a1</c>…<c>a4</c> (the quarters of the won amounts' distribution) and <c>na</c> (no amount), or one empty class when amounts are not used.</summary>
        public IReadOnlyList<string> Sizes { get; init; } = [string.Empty];

        public bool AmountsTrusted { get; init; }

        public Dictionary<(string Slice, string Size, string Stage, int Band), GroupCounts> Groups { get; } = [];

        public Dictionary<(string Slice, string Size, string Stage, int Band), Incidence> Curves { get; } = [];

        public SortedSet<string> Slices { get; } = new(StringComparer.Ordinal);

        public List<OpenDeal> Open { get; } = [];

        public Dictionary<(string Slice, string Size), long> FlowCount { get; } = [];

        public Dictionary<(string Slice, string Size), (long N, decimal Sum)> Amounts { get; } = [];

        public Dictionary<string, (long Deals, decimal Revenue)> WonBySlice { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, double> StageWinRate { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, double> StageP90 { get; } = new(StringComparer.Ordinal);

        public (long Deals, decimal Revenue) Won { get; set; }

        public decimal RunRateRevenue { get; set; }

        public double RunRateSquares { get; set; }

        public BacktestEstimate? RunRate { get; set; }

        public double LeadFlow { get; set; }

        public long OtherCurrency { get; set; }

        public double[] AmountQuantiles { get; set; } = [];

        /// <summary>Seasonal factor of the deal creation ahead (1 without a year of history).</summary>
        public double Season { get; set; } = 1;

        /// <summary>σ of the per-run lognormal level factor (0: none).</summary>
        public double Shock { get; set; }

        /// <summary>Squared coefficient of variation of the deal creation rate beyond a Poisson count (0: none).</summary>
        public double FlowDispersion { get; set; }

        /// <summary>Won amounts of the last year of deals won within the period's length of their creation, by (slice, class).</summary>
        public Dictionary<(string Slice, string Size), (long N, decimal Sum)> FastAmounts { get; } = [];

        /// <summary>The mean amount a deal created now and won inside the period brings: of the fast wins of its class, else <see cref="MeanAmount"/>.</summary>
        public decimal MeanNewAmount(string slice, string size) =>
            FastAmounts.TryGetValue((string.Empty, size), out var a) && a.N >= 10 ? a.Sum / a.N : MeanAmount(slice, size);

        public bool HasHistory => Groups.TryGetValue((string.Empty, string.Empty, CreatedStage, 0), out var g) && g.Won > 0;

        public IReadOnlyList<string> SliceNames => Sliced ? [.. Slices] : [string.Empty];

        public void Build()
        {
            foreach (var (key, g) in Groups)
            {
                var curve = Analyses.Incidence.Of(g.Days.Select(kv => (kv.Key, kv.Value.Won, kv.Value.Lost, kv.Value.Open)));
                curve.Key = Draws.Hash(string.Join('\u001f', key.Slice, key.Size, key.Stage, key.Band.ToString(CultureInfo.InvariantCulture)));
                Curves[key] = curve;
                if (key.Slice.Length == 0 && key.Size.Length == 0 && key.Band == 0 && g.Won + g.Lost > 0)
                {
                    StageWinRate[key.Stage] = (double)g.Won / (g.Won + g.Lost);
                }
            }
        }

        /// <summary>The mean won amount of the last year: of the amount class when given, else of the slice, else of all; each needs 10 deals.</summary>
        public decimal MeanAmount(string slice, string size)
        {
            if (size.Length > 0 && Amounts.TryGetValue((string.Empty, size), out var bySize) && bySize.N >= 10)
            {
                return bySize.Sum / bySize.N;
            }

            if (Sliced && slice.Length > 0 && Amounts.TryGetValue((slice, string.Empty), out var bySlice) && bySlice.N >= 10)
            {
                return bySlice.Sum / bySlice.N;
            }

            return Amounts.TryGetValue((string.Empty, string.Empty), out var all) && all.N > 0 ? all.Sum / all.N : 0;
        }

        /// <summary>
        /// The incidence curve for a deal of <paramref name="slice"/> and amount class <paramref name="size"/> in
        /// <paramref name="stage"/> for <paramref name="days"/>: the slice's own when it has enough landmarks, else the
        /// amount class's, else all deals'; a band with too little history falls back to younger bands of the stage, then
        /// to deals from creation.
        /// </summary>
        public (Incidence? Curve, bool Pooled, bool FellBack) Incidence(string slice, string size, string stage, double days)
        {
            var band = Bands.LastOrDefault(b => b <= days);
            var fellBack = false;
            for (var i = Array.IndexOf(Bands, band); i >= 0; i--)
            {
                if (Sliced && slice.Length > 0 && Curves.TryGetValue((slice, string.Empty, stage, Bands[i]), out var own) && own.N >= MinHistory)
                {
                    return (own, false, fellBack);
                }

                var pooled = Sliced && slice.Length > 0;
                if (size.Length > 0 && Curves.TryGetValue((string.Empty, size, stage, Bands[i]), out var sized) && sized.N >= MinHistory)
                {
                    return (sized, pooled, fellBack);
                }

                if (Curves.TryGetValue((string.Empty, string.Empty, stage, Bands[i]), out var all) && (all.N >= MinHistory || stage == CreatedStage))
                {
                    return (all, pooled, fellBack);
                }

                fellBack = true;
            }

            return stage == CreatedStage ? (null, false, true) : (Incidence(slice, size, CreatedStage, 0).Curve, true, true);
        }
    }
}

/// <summary>
/// The cumulative incidence of a win (Aalen–Johansen with the competing outcomes won and lost; deals still open are
/// censored): F(t) = Σ_{tⱼ ≤ t} S(tⱼ₋) · wonⱼ ÷ at-riskⱼ, S the chance of still being open.
/// </summary>
internal sealed class Incidence
{
    private readonly double[] cumulative;

    private Incidence(double[] cumulative, long n)
    {
        this.cumulative = cumulative;
        N = n;
    }

    /// <summary>Landmarks the curve was estimated from.</summary>
    public long N { get; }

    /// <summary>Landmarks later won.</summary>
    public long Won { get; private init; }

    /// <summary>A stable key of the group the curve belongs to (keys its parameter draws).</summary>
    public ulong Key { get; set; }

    /// <summary>
    /// A draw of the factor by which the true chances of the group may differ from the estimated ones, given the
    /// landmarks it was estimated from: lognormal with σ² = ln(1 + (1 − p) ÷ (p·n)), p the share won, n the landmarks
    /// (the relative variance of a share estimated from n); 1 without wins.
    /// </summary>
    public double Uncertainty(double z)
    {
        if (Won <= 0 || N <= 0)
        {
            return 1;
        }

        var p = (double)Won / N;
        var sigma2 = Math.Log(1 + ((1 - p) / (p * N)));
        return Math.Exp((Math.Sqrt(sigma2) * z) - (sigma2 / 2));
    }

    /// <summary>Chance to be won within <paramref name="days"/> days (outcomes on whole days before it).</summary>
    public double At(double days)
    {
        if (days <= 0 || cumulative.Length == 0)
        {
            return 0;
        }

        var i = Math.Min(cumulative.Length - 1, (int)Math.Ceiling(days) - 1);
        return cumulative[i];
    }

    /// <summary>Estimates the curve from whole-day outcome counts (won, lost, still open) since the landmark.</summary>
    public static Incidence Of(IEnumerable<(int Day, long Won, long Lost, long Open)> days)
    {
        var list = days.OrderBy(x => x.Day).ToList();
        long atRisk = list.Sum(x => x.Won + x.Lost + x.Open);
        var n = atRisk;
        var max = list.Count == 0 ? 0 : list[^1].Day + 1;
        var cum = new double[max];
        double survival = 1, incidence = 0;
        var j = 0;
        for (var day = 0; day < max; day++)
        {
            if (j < list.Count && list[j].Day == day)
            {
                var (_, won, lost, open) = list[j];
                if (atRisk > 0)
                {
                    incidence += survival * won / atRisk;
                    survival *= 1 - ((double)(won + lost) / atRisk);
                }

                // Outcomes on a day come before the deals followed only up to that day leave the risk set.
                atRisk -= won + lost + open;
                j++;
            }

            cum[day] = incidence;
        }

        return new Incidence(cum, n) { Won = list.Sum(x => x.Won) };
    }
}

/// <summary>
/// Deterministic random numbers from (seed, run, key): SplitMix64. A stable hash (FNV-1a) of a deal id keys its draws, so
/// they do not depend on process or order.
/// </summary>
internal sealed class Draws(int seed, int run, ulong key)
{
    private ulong state = Mix(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)run * 0xC2B2AE3D27D4EB4FUL) ^ key);

    public static ulong Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }

    public static double Uniform(int seed, int run, ulong key) => ToUnit(Mix(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)run * 0xC2B2AE3D27D4EB4FUL) ^ key));

    public double Next()
    {
        state += 0x9E3779B97F4A7C15UL;
        return ToUnit(Mix(state));
    }

    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 50)
        {
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * Normal())));
        }

        var limit = Math.Exp(-mean);
        var k = 0;
        var p = Next();
        while (p > limit)
        {
            k++;
            p *= Next();
        }

        return k;
    }

    /// <summary>Gamma(shape, 1), Marsaglia–Tsang (shape ≥ 1).</summary>
    public double Gamma(double shape)
    {
        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            var x = Normal();
            var v = Math.Pow(1 + (c * x), 3);
            if (v <= 0)
            {
                continue;
            }

            var u = Next();
            if (Math.Log(Math.Max(u, 1e-300)) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    public double Normal()
    {
        var u1 = Math.Max(Next(), 1e-300);
        var u2 = Next();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double ToUnit(ulong x) => (x >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
