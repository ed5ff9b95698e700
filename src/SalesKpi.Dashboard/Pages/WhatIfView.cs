using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;

namespace SalesKpi.Dashboard.Pages;

/// <summary>
/// What the what-if page shows: the simulation of the period after the base period with the levers changed by the
/// percentages in the URL, exactly as <c>saleskpi simulate --set LEVER=+N%</c> and <c>GET /api/v1/simulate</c> compute
/// it for the same changes, runs and seed — the outcome's distribution baseline against scenario, and the ranking of
/// the levers.
/// </summary>
/// <param name="Answer">The simulation.</param>
/// <param name="Changes">The change of each lever in percent (0 for unchanged), in the order of <see cref="LeverChange.Levers"/>.</param>
/// <param name="Sets">The changes as the CLI's <c>--set</c> and the API's <c>set=</c> take them.</param>
/// <param name="Runs">The Monte Carlo runs.</param>
/// <param name="Seed">The random seed.</param>
public sealed record WhatIfView(AnalysisAnswer<SimulationReport> Answer, IReadOnlyList<(string Lever, decimal Percent)> Changes, IReadOnlyList<string> Sets, int Runs, int Seed)
{
    /// <summary>The page's run count when the URL gives none: half the API's default, so the page answers fast on large workspaces.</summary>
    public const int DefaultRuns = 1000;

    /// <summary>The most runs the page accepts.</summary>
    public const int MaxRuns = 20000;

    /// <summary>The simulation's report.</summary>
    public SimulationReport Report => Answer.Report;

    /// <summary>
    /// Runs the simulation with <paramref name="percents"/> (lever → change in percent as typed, e.g. <c>10</c> or
    /// <c>-5,5</c>; blank or 0 for unchanged) over <paramref name="period"/> (null: the last complete quarter, as the
    /// CLI). A bad number, run count or period throws with what to fix.
    /// </summary>
    public static WhatIfView Load(AnalysisService analyses, Application.RequestContext ctx, string? period, string? asOf, IReadOnlyDictionary<string, string?> percents, int? runs, int? seed)
    {
        ArgumentNullException.ThrowIfNull(analyses);
        ArgumentNullException.ThrowIfNull(percents);
        var n = runs ?? DefaultRuns;
        if (n is < 100 or > MaxRuns)
        {
            throw new SalesKpiException(Msg.Of("page.bad_runs", "runs must be between 100 and {0}, e.g. 1000.", "runs должно быть от 100 до {0}, например 1000.", MaxRuns));
        }

        var changes = new List<(string, decimal)>();
        var sets = new List<string>();
        foreach (var lever in LeverChange.Levers)
        {
            var text = percents.TryGetValue(lever, out var t) ? t?.Trim() : null;
            var pct = 0m;
            if (!string.IsNullOrEmpty(text) && !decimal.TryParse(text.Replace(',', '.'), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out pct))
            {
                throw new SalesKpiException(Msg.Of("page.bad_percent", "{0}={1}: give the change in percent as a number, e.g. 10 or -5.", "{0}={1}: укажите изменение в процентах числом, например 10 или -5.", lever, text));
            }

            changes.Add((lever, pct));
            if (pct != 0)
            {
                sets.Add(lever + "=" + (pct > 0 ? "+" : "") + pct.ToString(CultureInfo.InvariantCulture) + "%");
            }
        }

        var s = seed ?? 1;
        return new WhatIfView(analyses.Simulate(new AnalysisWindow(period, asOf), sets, n, s, ctx), changes, sets, n, s);
    }

    /// <summary>
    /// The revenue runs of baseline and scenario counted in <paramref name="bins"/> equal bins over their common range:
    /// each bin's lower and upper edge and the runs of each that fall in it.
    /// </summary>
    public IReadOnlyList<(double Low, double High, int Baseline, int Scenario)> Histogram(int bins = 30)
    {
        var b = Report.BaselineRevenueRuns;
        var s = Report.ScenarioRevenueRuns;
        if (b.IsDefaultOrEmpty || s.IsDefaultOrEmpty)
        {
            return [];
        }

        double min = Math.Min(b[0], s[0]), max = Math.Max(b[^1], s[^1]);
        var width = max > min ? (max - min) / bins : 1;
        int Bin(double v) => Math.Clamp((int)((v - min) / width), 0, bins - 1);
        var baseline = new int[bins];
        var scenario = new int[bins];
        foreach (var v in b)
        {
            baseline[Bin(v)]++;
        }

        foreach (var v in s)
        {
            scenario[Bin(v)]++;
        }

        return [.. Enumerable.Range(0, bins).Select(i => (min + (i * width), min + ((i + 1) * width), baseline[i], scenario[i]))];
    }

    /// <summary>The median and the 80 % and 95 % intervals of one run list (ascending), as the quantiles the reported 90 % range uses.</summary>
    public static (decimal Median, decimal Low80, decimal High80, decimal Low95, decimal High95) Spread(IReadOnlyList<double> sorted) =>
        ((decimal)Simulation.Quantile(sorted, 0.5), (decimal)Simulation.Quantile(sorted, 0.1), (decimal)Simulation.Quantile(sorted, 0.9), (decimal)Simulation.Quantile(sorted, 0.025), (decimal)Simulation.Quantile(sorted, 0.975));
}
