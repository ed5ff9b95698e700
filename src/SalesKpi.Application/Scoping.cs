using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Metrics.Engine;

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
