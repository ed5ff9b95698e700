using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

/// <summary>One lever change: <c>+10%</c> (relative), <c>+2pp</c> (ratios, percentage points) or an absolute value.</summary>
/// <param name="Lever">leads, leads.CHANNEL, lead_to_sql_rate, sql_to_opportunity_rate, win_rate, lead_response_time, average_deal_size, sales_cycle_length.</param>
/// <param name="Kind">relative, points or absolute.</param>
/// <param name="Amount">The number (0.1 for +10 %, 0.02 for +2 pp, the value itself when absolute).</param>
public sealed record LeverChange(string Lever, string Kind, decimal Amount)
{
    /// <summary>The levers that can be changed (leads may also be set per channel as leads.CHANNEL).</summary>
    public static readonly ImmutableArray<string> Levers = ["leads", "lead_to_sql_rate", "sql_to_opportunity_rate", "win_rate", "lead_response_time", "average_deal_size", "sales_cycle_length"];

    /// <summary>Parses <c>LEVER=CHANGE</c>; throws <see cref="SalesKpiException"/> saying what is accepted.</summary>
    public static LeverChange Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var lever = eq > 0 ? text[..eq].Trim().ToLowerInvariant() : string.Empty;
        var value = eq > 0 ? text[(eq + 1)..].Trim().Replace(',', '.') : string.Empty;
        if (!Levers.Contains(lever) && !lever.StartsWith("leads.", StringComparison.Ordinal))
        {
            throw new SalesKpiException(Msg.Of("simulate.unknown_lever", "--set '{0}': the lever must be one of {1} (or leads.CHANNEL).", "--set «{0}»: рычаг должен быть одним из {1} (или leads.КАНАЛ).", text, string.Join(", ", Levers)));
        }

        var inv = CultureInfo.InvariantCulture;
        if (value.EndsWith('%') && decimal.TryParse(value[..^1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, inv, out var pct))
        {
            return new(lever, "relative", pct / 100);
        }

        if (value.EndsWith("pp", StringComparison.OrdinalIgnoreCase) && decimal.TryParse(value[..^2], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, inv, out var pp) && lever.EndsWith("_rate", StringComparison.Ordinal))
        {
            return new(lever, "points", pp / 100);
        }

        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, inv, out var abs) && abs >= 0)
        {
            return new(lever, "absolute", abs);
        }

        throw new SalesKpiException(Msg.Of(
            "simulate.bad_change",
            "--set '{0}': write the change as +10%, -5% or, for rates, +2pp, or a plain value (0.35, 120).",
            "--set «{0}»: укажите изменение как +10%, -5% или, для долей, +2pp, или само значение (0.35, 120).", text));
    }

    /// <summary>Applies the change to a base value.</summary>
    public decimal Apply(decimal value) => Kind switch
    {
        "relative" => value * (1 + Amount),
        "points" => value + Amount,
        _ => Amount,
    };
}

/// <summary>The base period's levers, as the engine measured them.</summary>
/// <param name="LeadsByChannel">Leads per channel, with their lead → SQL successes.</param>
/// <param name="SqlToOpp">SQL → opportunity successes and trials.</param>
/// <param name="Win">Win-rate successes and trials.</param>
/// <param name="DealSize">Mean, SD and count of won amounts.</param>
/// <param name="CycleDays">Mean sales-cycle days.</param>
/// <param name="Response">Per lead of the cohort: its channel, response hours (null for unanswered) and whether it became SQL; for the response-time lever.</param>
/// <param name="SlaHours">The response SLA.</param>
public sealed record Levers(
    ImmutableDictionary<string, (long Leads, long Sql)> LeadsByChannel,
    (long X, long N) SqlToOpp,
    (long X, long N) Win,
    (decimal Mean, decimal Sd, long N) DealSize,
    decimal CycleDays,
    ImmutableArray<(string Channel, double? Hours, bool Sql)> Response,
    double SlaHours)
{
    /// <summary>
    /// The lever's value in the base period, as the simulation starts from it: leads as a count, rates as fractions
    /// (pooled over channels), the median response hours of answered leads, the mean won amount, the mean cycle days;
    /// null when it cannot be measured or the lever is unknown.
    /// </summary>
    public decimal? Current(string lever)
    {
        long leads = LeadsByChannel.Values.Sum(v => v.Leads), sql = LeadsByChannel.Values.Sum(v => v.Sql);
        decimal? Ratio(long x, long n) => n > 0 ? (decimal)x / n : null;
        return lever switch
        {
            "leads" => leads,
            "lead_to_sql_rate" => Ratio(sql, leads),
            "sql_to_opportunity_rate" => Ratio(SqlToOpp.X, SqlToOpp.N),
            "win_rate" => Ratio(Win.X, Win.N),
            "lead_response_time" => Median([.. Response.Where(r => r.Hours is not null).Select(r => r.Hours!.Value).Order()]),
            "average_deal_size" => DealSize.Mean,
            "sales_cycle_length" => CycleDays,
            _ => null,
        };
    }

    private static decimal? Median(double[] sorted) => sorted.Length == 0 ? null : (decimal)(sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2);
}

/// <summary>A forecast: median and 90 % interval.</summary>
/// <param name="Median">Median over the runs.</param>
/// <param name="Low">5th percentile.</param>
/// <param name="High">95th percentile.</param>
public sealed record Range90(decimal Median, decimal Low, decimal High);

/// <summary>The outcome of a simulation.</summary>
/// <param name="Base">The base period.</param>
/// <param name="Next">The forecast period.</param>
/// <param name="BaselineWon">Won deals if nothing changes.</param>
/// <param name="ScenarioWon">Won deals with the changes.</param>
/// <param name="BaselineRevenue">Won revenue if nothing changes.</param>
/// <param name="ScenarioRevenue">Won revenue with the changes.</param>
/// <param name="RevenueGain">Scenario − baseline revenue (common random numbers, so the interval is the change's own).</param>
/// <param name="Ranking">Levers by the revenue a 10 % improvement of each alone would add, largest first.</param>
public sealed record SimulationReport(Period Base, Period Next, Range90 BaselineWon, Range90 ScenarioWon, Range90 BaselineRevenue, Range90 ScenarioRevenue, Range90 RevenueGain, ImmutableArray<(string Lever, decimal Gain)> Ranking)
{
    /// <summary>The base period's levers the runs started from.</summary>
    public Levers? Measured { get; init; }

    /// <summary>The won revenue of every run if nothing changes, ascending (the distribution the ranges summarise).</summary>
    public ImmutableArray<double> BaselineRevenueRuns { get; init; } = [];

    /// <summary>The won revenue of every run with the changes, ascending.</summary>
    public ImmutableArray<double> ScenarioRevenueRuns { get; init; } = [];
}

/// <summary>
/// What-if over the funnel: next period's won deals = Σ over channels of leads × lead→SQL × SQL→opportunity
/// × win rate × (base cycle ÷ new cycle), revenue = won × average deal size. The base period's
/// measurements are repeated for the next period unless a lever changes them. A shorter cycle turns
/// the same pipeline into wins faster (velocity scales with 1 ÷ cycle). A response-time change
/// rescales every response time; leads then answered within the SLA convert at the within-SLA rate of
/// the base period, the rest at the other rate — within each channel, since channels differ in both
/// response time and conversion and a pooled comparison would credit the channel, not the speed. The interval comes from Monte Carlo runs that redraw
/// each lead volume (Poisson), each rate (Beta of its successes and failures) and the deal size
/// (normal, its standard error), the same draws for baseline and scenario.
/// </summary>
public static class Simulation
{
    /// <summary>Measures the levers of <paramref name="period"/>; with <paramref name="memo"/>, the KPI totals it reads are served from (and kept in) it.</summary>
    public static Levers Measure(Workspace ws, Period period, DateTimeOffset asOf, KpiParameters p, KpiMemo? memo = null)
    {
        var engine = new KpiEngine(ws, memo);
        var byChannel = engine.Run(new ReportRequest { Period = period, By = ["channel"], Kpis = [KpiCatalog.LeadToSqlRate], AsOf = asOf, Parameters = p });
        var totals = engine.Run(new ReportRequest { Period = period, Kpis = [KpiCatalog.SqlToOpportunityRate, KpiCatalog.WinRate, KpiCatalog.AverageDealSize, KpiCatalog.SalesCycleLength], AsOf = asOf, Parameters = p });
        KpiResult T(KpiDef kpi) => totals.Results.Single(r => r.Kpi.Id == kpi.Id);
        var channels = byChannel.Results.Where(r => !r.IsTotal).ToImmutableDictionary(r => r.Slice["channel"], r => ((long)(r.Denominator ?? 0), (long)(r.Numerator ?? 0)));
        var size = T(KpiCatalog.AverageDealSize);
        var cycle = T(KpiCatalog.SalesCycleLength).Value;
        if (channels.IsEmpty || size.Value is null || cycle is null || T(KpiCatalog.WinRate).Denominator is not > 0 || T(KpiCatalog.SqlToOpportunityRate).Denominator is not > 0)
        {
            throw new SalesKpiException(Msg.Of(
                "simulate.too_little_data",
                "{0} has too little data to simulate from (it needs leads, qualified leads, closed and won deals): choose another --period.",
                "В {0} слишком мало данных для моделирования (нужны лиды, SQL, закрытые и выигранные сделки): выберите другой --period.", period.Label));
        }

        // Response hours and conversion per lead, exactly as KPIs 4 and 5 define them.
        var (rows, command) = engine.FamilyRows(Families.Leads, period, asOf, p, ["channel"]);
        var response = ImmutableArray.CreateBuilder<(string, double?, bool)>();
        using (var cmd = command(rows + "SELECT \"dim_channel\", response_hours, to_sql FROM rows"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                response.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetDouble(1), r.GetBoolean(2)));
            }
        }

        return new Levers(
            channels,
            ((long)T(KpiCatalog.SqlToOpportunityRate).Numerator!.Value, (long)T(KpiCatalog.SqlToOpportunityRate).Denominator!.Value),
            ((long)T(KpiCatalog.WinRate).Numerator!.Value, (long)T(KpiCatalog.WinRate).Denominator!.Value),
            (size.Value.Value, size.Details.GetValueOrDefault("std_dev") ?? 0, size.N),
            cycle.Value,
            response.ToImmutable(),
            p.ResponseSlaHours);
    }

    /// <summary>Simulates <paramref name="changes"/> on the levers of <paramref name="basePeriod"/> for the period after it.</summary>
    public static SimulationReport Run(Levers levers, Period basePeriod, IReadOnlyList<LeverChange> changes, int runs, int seed)
    {
        var rng = new Random(seed);
        var baseWon = new double[runs];
        var scenWon = new double[runs];
        var baseRev = new double[runs];
        var scenRev = new double[runs];
        var responseFactors = ResponseFactors(levers, changes);

        // Channels in name order: a dictionary's own order follows string hashes, which differ from process to
        // process, and the draws must not — the same seed gives the same runs on every start.
        var channels = levers.LeadsByChannel.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        for (var i = 0; i < runs; i++)
        {
            // One draw of the world, used for both baseline and scenario (common random numbers).
            var leads = channels.ToDictionary(kv => kv.Key, kv => (Leads: Poisson(rng, kv.Value.Leads), Rate: Beta(rng, kv.Value.Sql, kv.Value.Leads)));
            var opp = Beta(rng, levers.SqlToOpp.X, levers.SqlToOpp.N);
            var win = Beta(rng, levers.Win.X, levers.Win.N);
            var size = Math.Max(0, (double)levers.DealSize.Mean + (Normal(rng) * (double)levers.DealSize.Sd / Math.Sqrt(Math.Max(1, levers.DealSize.N))));
            (baseWon[i], baseRev[i]) = Outcome(leads, opp, win, size, [], null, (double)levers.CycleDays);
            (scenWon[i], scenRev[i]) = Outcome(leads, opp, win, size, changes, responseFactors, (double)levers.CycleDays);
        }

        var gain = scenRev.Zip(baseRev, (s, b) => s - b).ToArray();
        return new SimulationReport(basePeriod, Next(basePeriod), R(baseWon), R(scenWon), R(baseRev), R(scenRev), R(gain), Rank(levers))
        {
            Measured = levers,
            BaselineRevenueRuns = [.. baseRev.Order()],
            ScenarioRevenueRuns = [.. scenRev.Order()],
        };
    }

    /// <summary>The next period of the same kind and length.</summary>
    public static Period Next(Period p)
    {
        var probe = Period.Range(p.End, p.End.AddDays(p.Days));
        return p.Label switch
        {
            _ when p.Label.Length == 4 => Period.Year(p.End.Year),
            _ when p.Label.Contains("-Q", StringComparison.Ordinal) => Period.Quarter(p.End),
            _ when p.Label.Contains("-W", StringComparison.Ordinal) => Period.Week(p.End),
            _ when p.Label.Length == 7 => Period.Month(p.End),
            _ when p.Label.Length == 10 => Period.Day(p.End),
            _ => probe,
        };
    }

    private static (double Won, double Revenue) Outcome(Dictionary<string, (double Leads, double Rate)> leads, double opp, double win, double size, IReadOnlyList<LeverChange> changes, IReadOnlyDictionary<string, double>? responseFactors, double cycleDays)
    {
        decimal Apply(string lever, double value) =>
            changes.Where(c => c.Lever == lever).Aggregate((decimal)value, (v, c) => c.Apply(v));
        double won = 0;
        foreach (var (channel, (count, rate)) in leads)
        {
            var n = (double)changes.Where(c => c.Lever == "leads" || c.Lever == "leads." + channel).Aggregate((decimal)count, (v, c) => c.Apply(v));
            var toSql = Math.Clamp((double)Apply("lead_to_sql_rate", rate * (responseFactors?.GetValueOrDefault(channel, 1) ?? 1)), 0, 1);
            won += n * toSql;
        }

        won *= Math.Clamp((double)Apply("sql_to_opportunity_rate", opp), 0, 1) * Math.Clamp((double)Apply("win_rate", win), 0, 1);
        var newCycle = (double)Apply("sales_cycle_length", cycleDays);
        won *= newCycle > 0 ? cycleDays / newCycle : 1;
        return (won, won * (double)Apply("average_deal_size", size));
    }

    /// <summary>Per channel, the multiplier on lead → SQL from a response-time change (see <see cref="ResponseFactor"/>).</summary>
    internal static Dictionary<string, double> ResponseFactors(Levers levers, IReadOnlyList<LeverChange> changes) =>
        levers.Response.GroupBy(x => x.Channel).ToDictionary(g => g.Key, g => ResponseFactor([.. g.Select(x => (x.Hours, x.Sql))], levers.SlaHours, changes));

    /// <summary>
    /// The multiplier on lead → SQL of one group of leads from a response-time change: the within-SLA
    /// and other conversion rates weighted by the share within the SLA before and after rescaling every
    /// response time. 1 when there is no change or either rate cannot be measured.
    /// </summary>
    internal static double ResponseFactor(IReadOnlyList<(double? Hours, bool Sql)> leads, double slaHours, IReadOnlyList<LeverChange> changes)
    {
        var change = changes.LastOrDefault(c => c.Lever == "lead_response_time");
        if (change is null || leads.Count == 0)
        {
            return 1;
        }

        var within = leads.Where(x => x.Hours <= slaHours).ToList();
        var other = leads.Where(x => !(x.Hours <= slaHours)).ToList();
        if (within.Count == 0 || other.Count == 0)
        {
            return 1;
        }

        double rateIn = within.Count(x => x.Sql) / (double)within.Count, rateOut = other.Count(x => x.Sql) / (double)other.Count;
        double Share(Func<double, double> scale) => leads.Count(x => x.Hours is { } h && scale(h) <= slaHours) / (double)leads.Count;
        var before = Share(h => h);
        var after = Share(h => (double)change.Apply((decimal)h));
        var baseRate = (rateIn * before) + (rateOut * (1 - before));
        return baseRate > 0 ? ((rateIn * after) + (rateOut * (1 - after))) / baseRate : 1;
    }

    private static ImmutableArray<(string, decimal)> Rank(Levers levers)
    {
        var point = levers.LeadsByChannel.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => ((double)kv.Value.Leads, kv.Value.Leads > 0 ? (double)kv.Value.Sql / kv.Value.Leads : 0));
        var opp = levers.SqlToOpp.N > 0 ? (double)levers.SqlToOpp.X / levers.SqlToOpp.N : 0;
        var win = levers.Win.N > 0 ? (double)levers.Win.X / levers.Win.N : 0;
        var size = (double)levers.DealSize.Mean;
        var cycle = (double)levers.CycleDays;
        var baseline = Outcome(point, opp, win, size, [], null, cycle).Revenue;
        var gains = LeverChange.Levers.Select(lever =>
        {
            var better = KpiCatalog.Get(lever).Direction == KpiDirection.Lower ? -0.1m : 0.1m;
            var change = new LeverChange(lever, "relative", better);
            var revenue = Outcome(point, opp, win, size, [change], ResponseFactors(levers, [change]), cycle).Revenue;
            return (lever, (decimal)(revenue - baseline));
        });
        return [.. gains.OrderByDescending(g => g.Item2)];
    }

    private static Range90 R(double[] values)
    {
        var sorted = values.Order().ToArray();
        return new Range90((decimal)Quantile(sorted, 0.5), (decimal)Quantile(sorted, 0.05), (decimal)Quantile(sorted, 0.95));
    }

    /// <summary>The <paramref name="q"/> quantile of ascending <paramref name="sorted"/> runs: the nearest run, as the reported ranges take it.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double Poisson(Random rng, long lambda) =>
        lambda > 50 ? Math.Max(0, Math.Round(lambda + (Math.Sqrt(lambda) * Normal(rng)))) : Knuth(rng, lambda);

    private static double Knuth(Random rng, long lambda)
    {
        var limit = Math.Exp(-lambda);
        var k = 0;
        var prod = rng.NextDouble();
        while (prod > limit)
        {
            k++;
            prod *= rng.NextDouble();
        }

        return k;
    }

    private static double Beta(Random rng, long successes, long trials)
    {
        var a = Gamma(rng, successes + 1);
        var b = Gamma(rng, trials - successes + 1);
        return a / (a + b);
    }

    // Marsaglia–Tsang, for shape ≥ 1 (here always successes + 1 or failures + 1).
    private static double Gamma(Random rng, double shape)
    {
        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = rng.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }
}
