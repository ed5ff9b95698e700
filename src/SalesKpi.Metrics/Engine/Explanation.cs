using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Engine;

/// <summary>The records of one source of a KPI (e.g. the deals closed in the period), as listed by explain.</summary>
/// <param name="Title">What the records are (code <c>explain_source.*</c>).</param>
/// <param name="Columns">The columns worth showing, in order.</param>
/// <param name="Rows">The records, at most the requested limit plus one (so callers can tell there are more).</param>
public sealed record ExplainedSource(Msg Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows);

/// <summary>How one KPI value came about: its definition, the value itself and the records behind it.</summary>
/// <param name="Definition">One sentence defining the KPI (code <c>explain.</c> and the KPI id).</param>
/// <param name="Report">The report the value was taken from (its notes apply).</param>
/// <param name="Result">The value for the period and slice; null when no record falls into the slice.</param>
/// <param name="Sources">The records of every source the KPI reads.</param>
public sealed record Explanation(Msg Definition, KpiReport Report, KpiResult? Result, IReadOnlyList<ExplainedSource> Sources);
