using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>The period an analysis covers, as the user wrote it.</summary>
/// <param name="Period">The period, or null for the analysis' default (<see cref="DefaultPeriod"/>).</param>
/// <param name="AsOf">The as-of moment, or null for now.</param>
public sealed record AnalysisWindow(string? Period, string? AsOf);

/// <summary>A result of an analysis with what a host needs to render it.</summary>
/// <typeparam name="T">The analysis' report.</typeparam>
/// <param name="Report">The report.</param>
/// <param name="Period">The period analysed (the later one of a comparison; the base of a simulation).</param>
/// <param name="Baseline">The period compared with, when there is one.</param>
/// <param name="Currency">The workspace currency.</param>
/// <param name="Zone">The workspace time zone.</param>
/// <param name="Warnings">Warnings for the user, in the caller's language.</param>
public sealed record AnalysisAnswer<T>(T Report, Period Period, Period? Baseline, string Currency, TimeZoneInfo Zone, IReadOnlyList<Msg> Warnings);

/// <summary>The analyses built on the engine: diagnose, velocity, survival, simulate and calibrate.</summary>
public sealed class AnalysisService
{
    /// <summary>What changed significantly against the previous period (or, with <paramref name="yearBefore"/>, a year before); the last complete quarter by default.</summary>
    /// <param name="window">The period and as-of.</param>
    /// <param name="yearBefore">Compare with the same period a year before instead of the previous one.</param>
    /// <param name="alpha">The significance level.</param>
    /// <param name="drillSuffix">Appended to the drill-down commands the findings suggest (e.g. <c> --db sales.duckdb</c>).</param>
    /// <param name="ctx">The request context.</param>
    public AnalysisAnswer<DiagnoseReport> Diagnose(AnalysisWindow window, bool yearBefore, double alpha, string drillSuffix, RequestContext ctx) =>
        Run(window, DefaultPeriod.LastCompleteQuarter, ctx, (ws, period, asOf) =>
        {
            var before = yearBefore ? period.YearBefore() : period.Previous();
            var report = new DiagnoseEngine(ws).Run(period, before, asOf, ParameterStore.For(ws, period, asOf), drillSuffix, alpha);
            return (ctx.Scope is null ? report : Scoping.Explain(report), before);
        });

    /// <summary>The change of sales velocity split into its factors; the current year by default.</summary>
    public AnalysisAnswer<(VelocityChange? Change, Msg? Reason)> Velocity(AnalysisWindow window, bool yearBefore, RequestContext ctx) => Velocity(window, yearBefore, ctx, null);

    /// <summary>As <see cref="Velocity(AnalysisWindow, bool, RequestContext)"/>, its KPI totals served from and kept in <paramref name="memo"/>.</summary>
    internal AnalysisAnswer<(VelocityChange? Change, Msg? Reason)> Velocity(AnalysisWindow window, bool yearBefore, RequestContext ctx, KpiMemo? memo) =>
        Run(window, DefaultPeriod.CurrentYear, ctx, (ws, period, asOf) =>
        {
            var before = yearBefore ? period.YearBefore() : period.Previous();
            return (VelocityDecomposition.Between(new KpiEngine(ws, memo), before, period, asOf, ParameterStore.For(ws, period, asOf)), before);
        });

    /// <summary>Kaplan–Meier time to win of the deals created in the period; the current year by default.</summary>
    public AnalysisAnswer<SurvivalReport> Survival(AnalysisWindow window, RequestContext ctx) =>
        Run(window, DefaultPeriod.CurrentYear, ctx, (ws, period, asOf) => (new SurvivalEngine(ws).Run(period, asOf), (Period?)null));

    /// <summary>Lead-score calibration over the leads created in the period; the current year by default.</summary>
    public AnalysisAnswer<CalibrationReport> Calibrate(AnalysisWindow window, RequestContext ctx) =>
        Run(window, DefaultPeriod.CurrentYear, ctx, (ws, period, asOf) => (new CalibrationEngine(ws).Run(period, asOf, ParameterStore.For(ws, period, asOf)), (Period?)null));

    /// <summary>What-if: the lever changes pushed through the funnel of the period after the base period (the last complete quarter by default, also for "next").</summary>
    public AnalysisAnswer<SimulationReport> Simulate(AnalysisWindow window, IReadOnlyList<string> changes, int runs, int seed, RequestContext ctx) => Simulate(window, changes, runs, seed, ctx, null);

    /// <summary>As <see cref="Simulate(AnalysisWindow, IReadOnlyList{string}, int, int, RequestContext)"/>, the KPI totals it measures served from and kept in <paramref name="memo"/>.</summary>
    internal AnalysisAnswer<SimulationReport> Simulate(AnalysisWindow window, IReadOnlyList<string> changes, int runs, int seed, RequestContext ctx, KpiMemo? memo)
    {
        ArgumentNullException.ThrowIfNull(window);
        return Run(window with { Period = window.Period is "next" ? null : window.Period }, DefaultPeriod.LastCompleteQuarter, ctx, (ws, period, asOf) =>
        {
            var parsed = changes.Select(LeverChange.Parse).ToList();
            return (Simulation.Run(Simulation.Measure(ws, period, asOf, ParameterStore.For(ws, period, asOf), memo), period, parsed, runs, seed), (Period?)null);
        });
    }

    private static AnalysisAnswer<T> Run<T>(AnalysisWindow window, DefaultPeriod rule, RequestContext ctx, Func<Workspace, Period, DateTimeOffset, (T Report, Period? Baseline)> analyse)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var zone = ws.Settings.Zone;
        var (period, asOf, warnings) = TimeRules.Resolve(ws, window.Period, window.AsOf, rule, ctx.Clock);
        var (report, baseline) = analyse(ws, period, asOf);
        return new AnalysisAnswer<T>(report, period, baseline, ws.Settings.Currency, zone, warnings);
    }
}
