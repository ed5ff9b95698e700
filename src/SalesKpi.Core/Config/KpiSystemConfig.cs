using System.Collections.Immutable;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Core.Config;

/// <summary>A text in both product languages, written by the user (a goal's or custom KPI's title); the host picks one.</summary>
/// <param name="En">English text.</param>
/// <param name="Ru">Russian text.</param>
public sealed record LocalizedText(string En, string Ru)
{
    /// <summary>The text in <paramref name="language"/>.</summary>
    public string In(Language language) => language == Language.Ru ? Ru : En;

    /// <summary>The text as a message argument (code <c>user_text</c>); braces in it stay literal.</summary>
    public Msg ToMsg() => Msg.Of("user_text", "{0}", "{1}", En, Ru);
}

/// <summary>A KPI linked to a goal with its weight (&gt; 0) in the goal's attainment.</summary>
/// <param name="Kpi">Catalogue or custom KPI id.</param>
/// <param name="Weight">Relative weight, greater than zero.</param>
public sealed record GoalKpi(string Kpi, decimal Weight);

/// <summary>
/// A strategic goal: its attainment is the weighted share of its KPIs that are on track
/// (KPIs without a target are left out of both sides; with none, attainment is undefined).
/// </summary>
public sealed record Goal
{
    /// <summary>Identifier, unique among goals.</summary>
    public required string Id { get; init; }

    /// <summary>Title in both languages.</summary>
    public required LocalizedText Title { get; init; }

    /// <summary>The period the goal is to be reached in (e.g. <c>2026</c>); null when open-ended.</summary>
    public string? Horizon { get; init; }

    /// <summary>The linked KPIs; may be empty (the review lists such goals).</summary>
    public ImmutableArray<GoalKpi> Kpis { get; init; } = [];
}

/// <summary>
/// A KPI declared in the file from catalogue pieces: either a catalogue KPI restricted to a slice
/// (<see cref="Base"/> and <see cref="Filter"/>) or the ratio of two KPIs (<see cref="Numerator"/> ÷
/// <see cref="Denominator"/>, null when the denominator is null or zero). Never free SQL.
/// </summary>
public sealed record CustomKpi
{
    /// <summary>Identifier, distinct from every catalogue id.</summary>
    public required string Id { get; init; }

    /// <summary>Title in both languages.</summary>
    public required LocalizedText Title { get; init; }

    /// <summary>The catalogue KPI filtered; null for a ratio.</summary>
    public string? Base { get; init; }

    /// <summary>Dimension → value the base KPI is restricted to; empty for a ratio.</summary>
    public ImmutableSortedDictionary<string, string> Filter { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Numerator KPI id of a ratio; null for a filter.</summary>
    public string? Numerator { get; init; }

    /// <summary>Denominator KPI id of a ratio; null for a filter.</summary>
    public string? Denominator { get; init; }

    /// <summary>Unit of a ratio KPI (a filter KPI has its base's unit).</summary>
    public KpiUnit Unit { get; init; } = KpiUnit.Multiple;

    /// <summary>Which way a ratio KPI improves (a filter KPI has its base's direction).</summary>
    public KpiDirection Direction { get; init; } = KpiDirection.Neutral;

    /// <summary>True for a ratio of two KPIs.</summary>
    public bool IsRatio => Numerator is not null;
}

/// <summary>
/// A target for one KPI in one month, quarter or year, for the total or one slice. With direction
/// "higher", a value at or above <see cref="Value"/> is on track, within <see cref="TolerancePercent"/> %
/// of |target| below it at risk, further below off track; mirrored for "lower"; for "neutral" the
/// distance either way counts (within the band on track, within twice the band at risk).
/// </summary>
public sealed record Target
{
    /// <summary>KPI id (catalogue or custom).</summary>
    public required string Kpi { get; init; }

    /// <summary>Label of the month, quarter or year (<c>2026-03</c>, <c>2026-Q1</c>, <c>2026</c>).</summary>
    public required string Period { get; init; }

    /// <summary>Dimension → value; empty for the total.</summary>
    public ImmutableSortedDictionary<string, string> Slice { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The target value in the KPI's machine unit (ratios as fractions).</summary>
    public required decimal Value { get; init; }

    /// <summary>Width of the at-risk band in percent of |target| (0–100). Default 5.</summary>
    public decimal TolerancePercent { get; init; } = 5;

    /// <summary>The key a target is unique by: KPI, period and slice.</summary>
    public string Key => Kpi + "|" + Period + "|" + string.Join(",", Slice.Select(kv => kv.Key + "=" + kv.Value));
}

/// <summary>
/// The KPI system of a workspace: strategic goals, the active KPI set with custom KPIs, the definition
/// parameters and the targets. Immutable; every change is stored as a new version.
/// </summary>
public sealed record KpiSystemConfig
{
    /// <summary>Strategic goals in file order.</summary>
    public ImmutableArray<Goal> Goals { get; init; } = [];

    /// <summary>Ids of the active KPIs; null means every catalogue KPI and every custom KPI.</summary>
    public ImmutableArray<string>? Active { get; init; }

    /// <summary>Custom KPIs.</summary>
    public ImmutableArray<CustomKpi> Custom { get; init; } = [];

    /// <summary>Definition parameters (defaults of the specification unless changed).</summary>
    public KpiParameters Parameters { get; init; } = new();

    /// <summary>Targets, unique by <see cref="Target.Key"/>.</summary>
    public ImmutableArray<Target> Targets { get; init; } = [];

    /// <summary>The KPIs the system reports, in catalogue order followed by custom KPIs in file order.</summary>
    public IReadOnlyList<SystemKpi> ActiveKpis()
    {
        var all = KpiCatalog.All.Select(k => new SystemKpi(k, null)).Concat(Custom.Select(c => new SystemKpi(Define(c), c))).ToList();
        return Active is not { } active ? all : all.Where(k => active.Contains(k.Id)).ToList();
    }

    /// <summary>The KPI with id <paramref name="id"/> (catalogue or custom, active or not), or null.</summary>
    public SystemKpi? Find(string id) =>
        KpiCatalog.All.FirstOrDefault(k => k.Id == id) is { } def ? new SystemKpi(def, null)
        : Custom.FirstOrDefault(c => c.Id == id) is { } custom ? new SystemKpi(Define(custom), custom)
        : null;

    /// <summary>The definition of a custom KPI as a catalogue-shaped <see cref="KpiDef"/> (number 0).</summary>
    public KpiDef Define(CustomKpi custom)
    {
        if (!custom.IsRatio)
        {
            var b = KpiCatalog.Get(custom.Base!);
            return new KpiDef(0, custom.Id, custom.Title.En, custom.Title.Ru, b.Unit, b.Direction, b.Dimensions, b.Families, b.Parameters) { Formula = b.Formula };
        }

        var parts = new[] { custom.Numerator!, custom.Denominator! }.Select(id => Find(id)?.Def ?? KpiCatalog.Get(id)).ToList();
        return new KpiDef(
            0,
            custom.Id,
            custom.Title.En,
            custom.Title.Ru,
            custom.Unit,
            custom.Direction,
            [.. parts[0].Dimensions.Intersect(parts[1].Dimensions)],
            [.. parts.SelectMany(p => p.Families).Distinct()],
            [.. parts.SelectMany(p => p.Parameters).Distinct()]);
    }
}

/// <summary>A KPI of the system: its definition, and for a custom KPI its declaration.</summary>
/// <param name="Def">Definition (unit, direction, dimensions).</param>
/// <param name="Custom">The custom declaration; null for a catalogue KPI.</param>
public sealed record SystemKpi(KpiDef Def, CustomKpi? Custom)
{
    /// <summary>The KPI id.</summary>
    public string Id => Def.Id;
}
