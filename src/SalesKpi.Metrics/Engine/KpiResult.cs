using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Engine;

/// <summary>A 95 % interval [<see cref="Low"/>, <see cref="High"/>] around a value.</summary>
/// <param name="Low">Lower bound.</param>
/// <param name="High">Upper bound.</param>
public sealed record Interval(decimal Low, decimal High);

/// <summary>
/// The value of one KPI for one period bucket and one slice. <see cref="Value"/> is null exactly when
/// the KPI is undefined there, and then <see cref="Reason"/> says why; it is never 0 for "no data".
/// Ratios are fractions in [0, 1].
/// </summary>
public sealed record KpiResult
{
    /// <summary>The KPI.</summary>
    public required KpiDef Kpi { get; init; }

    /// <summary>The period bucket.</summary>
    public required Period Period { get; init; }

    /// <summary>The slice: dimension → value (<c>(none)</c> for a missing value); empty for the total.</summary>
    public ImmutableSortedDictionary<string, string> Slice { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The value; null when undefined.</summary>
    public decimal? Value { get; init; }

    /// <summary>Sample size: the number of units the value is computed over.</summary>
    public long N { get; init; }

    /// <summary>Numerator of a ratio KPI; null for others.</summary>
    public decimal? Numerator { get; init; }

    /// <summary>Denominator of a ratio KPI; null for others.</summary>
    public decimal? Denominator { get; init; }

    /// <summary>95 % interval (Wilson for proportions, ±1.96·SE for NPS); null where not applicable or undefined.</summary>
    public Interval? Ci95 { get; init; }

    /// <summary>Further figures of the KPI (median, p90, shares…), each possibly null.</summary>
    public ImmutableSortedDictionary<string, decimal?> Details { get; init; } = ImmutableSortedDictionary<string, decimal?>.Empty;

    /// <summary>Flags: <c>partial</c> (period runs past as-of), <c>immature</c> (conversion window not elapsed).</summary>
    public ImmutableArray<string> Flags { get; init; } = [];

    /// <summary>Why <see cref="Value"/> is null, as a message (e.g. <c>no_deals_won</c>) a host renders; null when it is not.</summary>
    public Msg? Reason { get; init; }

    /// <summary>True for the total (no slice).</summary>
    public bool IsTotal => Slice.Count == 0;
}

/// <summary>The outcome of a report: results in KPI, period, slice order, and notes (e.g. not-applicable dimensions).</summary>
/// <param name="AsOfUtc">The as-of instant (UTC) every value was computed at.</param>
/// <param name="Results">The results.</param>
/// <param name="Notes">Notes for the reader, as messages a host renders (e.g. <c>kpi_not_sliced_by</c>).</param>
public sealed record KpiReport(DateTime AsOfUtc, IReadOnlyList<KpiResult> Results, IReadOnlyList<Msg> Notes);

/// <summary>What to compute.</summary>
public sealed record ReportRequest
{
    /// <summary>The period.</summary>
    public required Period Period { get; init; }

    /// <summary>Grain to split the period by; null for one bucket.</summary>
    public Grain? Grain { get; init; }

    /// <summary>
    /// Only these buckets of <see cref="Period"/> split by <see cref="Grain"/>, in order (e.g. a quarter, the quarter
    /// before and the same quarter a year before, for a scorecard): units dated in the buckets between are neither
    /// joined nor aggregated. Each result is the same as in the full split. Null or empty for every bucket.
    /// </summary>
    public IReadOnlyList<Period>? Buckets { get; init; }

    /// <summary>Dimensions to slice by (may be empty).</summary>
    public IReadOnlyList<string> By { get; init; } = [];

    /// <summary>KPIs to compute; empty for all.</summary>
    public IReadOnlyList<KpiDef> Kpis { get; init; } = [];

    /// <summary>The as-of instant: data after it is ignored.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Definition parameters.</summary>
    public KpiParameters Parameters { get; init; } = new();

    /// <summary>Receives one line per family query with its duration (for <c>--verbose</c> and benchmarks); null for none.</summary>
    public Action<string>? Trace { get; init; }
}
