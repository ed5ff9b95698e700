using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application;

/// <summary>What a caller limited to one owner's data (<see cref="DataScope"/>) is told where the scope, not the data, hides a figure.</summary>
internal static class Scoping
{
    /// <summary>
    /// <paramref name="result"/>, or, for a KPI computed from marketing spend, no value and the true reason: a scoped
    /// session sees no spend because spend belongs to the company, not to one owner (docs/server.md). Without this the
    /// reader would be told "no spend.csv data imported", or the reason of another input of the KPI.
    /// </summary>
    public static KpiResult Explain(KpiResult result) =>
        result.Kpi.Families.Contains("spend")
            ? result with
            {
                Value = null,
                N = 0,
                Numerator = null,
                Denominator = null,
                Ci95 = null,
                Details = ImmutableSortedDictionary<string, decimal?>.Empty,
                Reason = SpendNotOwned,
            }
            : result;

    /// <summary>
    /// The scorecard of a scoped session: spend KPIs as <see cref="Explain(KpiResult)"/>, and no company-wide target — a
    /// count or rate of one owner's data is not judged against the company's target (405 leads are the company's, not one
    /// rep's), the same as a head sees no target on that owner's slice — so no status and no goal attainment from them,
    /// with a note saying why. Targets set for a slice stay.
    /// </summary>
    public static ScorecardResult Explain(ScorecardResult s)
    {
        static bool Company(ScorecardRow r) => r.Target is { Slice.Count: 0 };
        return s with
        {
            Rows = [.. s.Rows.Select(r => (Company(r) ? r with { Target = null, Status = TargetStatus.NoTarget } : r) with { Result = Explain(r.Result) })],
            Goals = [.. s.Goals.Select(g => g with { Attainment = null, OnTrack = 0, WithTarget = 0 })],
            Notes = s.Rows.Any(Company)
                ? [.. s.Notes, Msg.Of("scope.company_targets", "Company-wide targets are not applied to one owner's numbers: no status or goal attainment is shown for them.", "Цели компании не применяются к показателям одного ответственного: статус и достижение целей по ним не показываются.")]
                : s.Notes,
        };
    }

    /// <summary>The diagnosis of a scoped session with the same true reason for the spend KPIs it could not test.</summary>
    public static Metrics.Analyses.DiagnoseReport Explain(Metrics.Analyses.DiagnoseReport report) => report with
    {
        NotTested = [.. report.NotTested.Select(n => KpiCatalogFind(n.Kpi)?.Families.Contains("spend") == true ? (n.Kpi, SpendNotOwned) : n)],
    };

    private static Msg SpendNotOwned => Msg.Of(
        "scope.spend_not_owned",
        "marketing spend belongs to the company, not to one owner: not shown with access to one owner's data",
        "маркетинговые затраты относятся к компании, а не к ответственному: при доступе к данным одного ответственного не показываются");

    private static Core.Kpis.KpiDef? KpiCatalogFind(string id) => Core.Kpis.KpiCatalog.All.FirstOrDefault(k => k.Id == id);
}
