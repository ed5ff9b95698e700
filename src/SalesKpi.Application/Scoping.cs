using SalesKpi.Core;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Application;

/// <summary>What a caller limited to one owner's data (<see cref="DataScope"/>) is told where the scope, not the data, hides a figure.</summary>
internal static class Scoping
{
    /// <summary>
    /// <paramref name="result"/>, with "no spend data imported" replaced by the true reason: the scoped session sees no
    /// marketing spend because spend belongs to the company, not to one owner (docs/server.md).
    /// </summary>
    public static KpiResult Explain(KpiResult result) =>
        result.Reason is { Code: "no_data_imported" } reason && reason.Args is [string table] && table == "spend"
            ? result with
            {
                Reason = Msg.Of(
                    "scope.spend_not_owned",
                    "marketing spend belongs to the company, not to one owner: not shown with access to one owner's data",
                    "маркетинговые затраты относятся к компании, а не к ответственному: при доступе к данным одного ответственного не показываются"),
            }
            : result;
}
