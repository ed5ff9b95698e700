using SalesKpi.Core;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Metrics.Engine;

/// <summary>The one-sentence definition of a catalogue KPI, as <c>explain</c> prints it, for documents that list definitions without computing (the brief's appendix).</summary>
public static class KpiDefinitionText
{
    /// <summary>The defining sentence of <paramref name="kpi"/> (code <c>explain.</c> and the id); null for a KPI outside the catalogue.</summary>
    public static Msg? Of(KpiDef kpi)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        return KpiDefinitions.All.FirstOrDefault(d => d.Kpi.Id == kpi.Id)?.ExplainText;
    }
}
