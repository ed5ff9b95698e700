using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;

namespace SalesKpi.Dashboard.Pages;

/// <summary>
/// What the diagnosis page shows for one period: the statistically significant changes against the previous period
/// (or the same period a year before) with their drivers, exactly as <c>saleskpi diagnose</c> and
/// <c>GET /api/v1/diagnose</c> give them, and the change of sales velocity between the same two periods split into
/// its four factors, as <c>saleskpi velocity</c> and <c>GET /api/v1/velocity</c> give it.
/// </summary>
/// <param name="Diagnosis">The diagnosis (significance level 0.05).</param>
/// <param name="Velocity">The velocity decomposition of the same period against the same baseline.</param>
/// <param name="YearBefore">Whether the baseline is the same period a year before rather than the previous one.</param>
public sealed record DiagnosisView(AnalysisAnswer<DiagnoseReport> Diagnosis, AnalysisAnswer<(VelocityChange? Change, Msg? Reason)> Velocity, bool YearBefore)
{
    /// <summary>The significance level of the page: a change counts when p &lt; 0.05.</summary>
    public const double Alpha = 0.05;

    /// <summary>The diagnosis' report.</summary>
    public DiagnoseReport Report => Diagnosis.Report;

    /// <summary>How many KPIs were tested: those with a significant change and those without (stage findings are not KPIs).</summary>
    public int Tested => Report.Findings.Count(f => f.Kpi != "stage") + Report.Unchanged.Length;

    /// <summary>
    /// The catalogue KPI of a finding; null for a pipeline-stage finding, whose values are conversions.
    /// </summary>
    public static KpiDef? KpiOf(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding.Kpi == "stage" ? null : KpiCatalog.Get(finding.Kpi);
    }

    /// <summary>
    /// Loads the diagnosis of <paramref name="period"/> (null: the last complete quarter, as <c>saleskpi diagnose</c>)
    /// against <paramref name="compare"/> (<c>previous</c>, the default, or <c>year</c>), and the velocity decomposition
    /// of the very period the diagnosis resolved to. A bad period or comparison throws with what to fix.
    /// </summary>
    public static DiagnosisView Load(AnalysisService analyses, RequestContext ctx, string? period, string? asOf, string? compare)
    {
        ArgumentNullException.ThrowIfNull(analyses);
        var yearBefore = compare switch
        {
            null or "previous" => false,
            "year" => true,
            _ => throw new SalesKpiException(Msg.Of("api.bad_compare", "compare={0} is not known: use previous or year.", "compare={0} — неизвестное значение: используйте previous или year.", compare)),
        };
        var diagnosis = analyses.Diagnose(new AnalysisWindow(period, asOf), yearBefore, Alpha, string.Empty, ctx);
        var velocity = analyses.Velocity(new AnalysisWindow(diagnosis.Period.Label, asOf), yearBefore, ctx);
        return new DiagnosisView(diagnosis, velocity, yearBefore);
    }
}
