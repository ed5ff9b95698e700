using SalesKpi.Core.Kpis;

namespace SalesKpi.Core.Config;

/// <summary>Where a KPI stands against its target.</summary>
public enum TargetStatus
{
    /// <summary>At or better than the target (within the band for a neutral KPI).</summary>
    OnTrack,

    /// <summary>Worse than the target but within the tolerance band.</summary>
    AtRisk,

    /// <summary>Worse than the target beyond the tolerance band.</summary>
    OffTrack,

    /// <summary>Too early to judge: the period has not begun, or the value belongs to a cohort whose conversion window has not elapsed.</summary>
    Pending,

    /// <summary>The KPI has a target but no value in the period (e.g. no data).</summary>
    NoData,

    /// <summary>No target is set for this KPI, period and slice.</summary>
    NoTarget,
}

/// <summary>One broken target rule.</summary>
/// <param name="Field">What it is about: <c>kpi</c>, <c>period</c>, <c>value</c>, <c>tolerance</c> or a slice dimension's name.</param>
/// <param name="Code">Stable code (<c>KS…</c>), documented in docs/kpi-system.md.</param>
/// <param name="Message">What is wrong and what to change, as a message the host renders.</param>
public sealed record TargetProblem(string Field, string Code, Msg Message);

/// <summary>The rules a target must keep, and how a value stands against its target.</summary>
public static class TargetRules
{
    /// <summary>
    /// <paramref name="period"/> when it is a whole month, quarter or year — the periods targets are set
    /// for; otherwise throws <see cref="SalesKpiException"/> saying which forms to use.
    /// </summary>
    public static Period TargetPeriod(Period period) =>
        period.Kind is Grain.Month or Grain.Quarter or Grain.Year
            ? period
            : throw new SalesKpiException(Msg.Of("target.period_not_month_quarter_year", "'{0}' is not a month, quarter or year: targets are set per 2026-03, 2026-Q1 or 2026.", "«{0}» — не месяц, квартал или год: цели задаются на 2026-03, 2026-Q1 или 2026.", period.Label));

    /// <summary>
    /// Every rule <paramref name="target"/> breaks in <paramref name="config"/>: an unknown (KS110) or
    /// inactive (KS115) KPI, a period that is not a month, quarter or year (KS113), a value outside the
    /// KPI's range or a tolerance outside 0–100 (KS140), a slice dimension the KPI does not have (KS141).
    /// This is the one statement of the target rules: the file parser, the targets CSV import and, through
    /// the parser, every stored version use it. Empty when the target is valid.
    /// </summary>
    /// <param name="config">The configuration the target belongs to.</param>
    /// <param name="target">The target to check.</param>
    /// <param name="percentAllowed">True when the value was typed where <c>30%</c> is accepted (the command line, a targets CSV), so the advice may offer it.</param>
    public static IReadOnlyList<TargetProblem> Problems(KpiSystemConfig config, Target target, bool percentAllowed = false)
    {
        var problems = new List<TargetProblem>();
        var kpi = config.Find(target.Kpi);
        if (kpi is null)
        {
            var known = KpiCatalog.All.Select(k => k.Id).Concat(config.Custom.Select(c => c.Id)).Order(StringComparer.Ordinal);
            problems.Add(new("kpi", "KS110", Msg.Of("target.unknown_kpi", "unknown KPI '{0}': use one of {1}.", "неизвестный KPI «{0}»: используйте один из {1}.", target.Kpi, string.Join(", ", known))));
        }
        else if (!config.ActiveKpis().Any(k => k.Id == kpi.Id))
        {
            problems.Add(new("kpi", "KS115", Msg.Of("target.kpi_inactive", "{0} has a target but is not in kpis.active: add it there or remove the target.", "для {0} задана цель, но он не входит в kpis.active: добавьте его туда или уберите цель.", kpi.Id)));
        }

        try
        {
            TargetPeriod(Period.Parse(target.Period));
        }
        catch (SalesKpiException ex)
        {
            problems.Add(new("period", "KS113", ex.Text));
        }

        if (kpi is not null)
        {
            Check(kpi.Def, target.Value, msg => problems.Add(new("value", "KS140", msg)), percentAllowed);
        }

        if (target.TolerancePercent is < 0 or > 100)
        {
            problems.Add(new("tolerance", "KS140", Msg.Of("target.tolerance_range", "tolerance is a percentage from 0 to 100, not {0}.", "tolerance — процент от 0 до 100, а не {0}.", target.TolerancePercent)));
        }

        var dims = kpi?.Def.Dimensions ?? KpiCatalog.AllDimensions;
        foreach (var dim in target.Slice.Keys.Where(d => !dims.Contains(d)))
        {
            problems.Add(new(dim, "KS141", Msg.Of("target.not_dimension", "'{0}' is not a dimension of {1}: use {2}.", "«{0}» — не измерение {1}: используйте {2}.", dim, kpi?.Id ?? "KPI", string.Join(", ", dims))));
        }

        return problems;
    }

    /// <summary>Calls <paramref name="error"/> with what to change when <paramref name="value"/> is outside the KPI's range.</summary>
    public static void Check(KpiDef kpi, decimal value, Action<Msg> error, bool percentAllowed = false)
    {
        var (min, max) = kpi.Unit switch
        {
            KpiUnit.Ratio => (0m, 1m),
            KpiUnit.Score => (0m, 100m),
            KpiUnit.Nps => (-100m, 100m),
            _ => (0m, decimal.MaxValue),
        };
        if (value < min || value > max)
        {
            // The advice uses the value given: 30 for a proportion most likely meant 30 %.
            var fraction = value is > 1 and <= 100 && value == decimal.Truncate(value) ? value / 100 : 0.25m;
            var written = fraction.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
            var percent = (fraction * 100).ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
            var write = percentAllowed
                ? Msg.Of("target.write_fraction_or_percent", "{0} or {1}%", "{0} или {1}%", written, percent)
                : Msg.Of("target.write_fraction_for_percent", "{0} for {1} %", "{0} для {1} %", written, percent);
            error(kpi.Unit == KpiUnit.Ratio
                ? Msg.Of("target.value_out_of_proportion", "value {1} is out of range for {0}, a proportion from 0 to 1: write {2}.", "значение {1} вне диапазона для {0} — доли от 0 до 1: пишите {2}.", kpi.Id, value, write)
                : max == decimal.MaxValue
                    ? Msg.Of("target.value_negative", "a target for {0} cannot be negative ({1}).", "цель для {0} не может быть отрицательной ({1}).", kpi.Id, value)
                    : Msg.Of("target.value_out_of_range", "a target for {0} must be from {1} to {2}, not {3}.", "цель для {0} должна быть от {1} до {2}, а не {3}.", kpi.Id, min, max, value));
        }
    }

    /// <summary>
    /// The status of <paramref name="value"/> against <paramref name="target"/>: the band is
    /// |target| × tolerance ÷ 100; "higher" is on track at or above the target, at risk within the band
    /// below it; "lower" mirrors that; "neutral" is on track within the band either way and at risk within
    /// twice the band. A null value is <see cref="TargetStatus.NoData"/>.
    /// </summary>
    public static TargetStatus Status(KpiDirection direction, Target target, decimal? value)
    {
        if (value is not { } v)
        {
            return TargetStatus.NoData;
        }

        var band = Math.Abs(target.Value) * target.TolerancePercent / 100m;
        var shortfall = direction switch
        {
            KpiDirection.Higher => target.Value - v,
            KpiDirection.Lower => v - target.Value,
            _ => Math.Abs(v - target.Value) - band,
        };
        return shortfall <= 0 ? TargetStatus.OnTrack : shortfall <= band ? TargetStatus.AtRisk : TargetStatus.OffTrack;
    }

    /// <summary>The machine name of a status: <c>on_track</c>, <c>at_risk</c>, <c>off_track</c>, <c>no_data</c>, <c>no_target</c>.</summary>
    public static string Name(TargetStatus status) => status switch
    {
        TargetStatus.OnTrack => "on_track",
        TargetStatus.AtRisk => "at_risk",
        TargetStatus.OffTrack => "off_track",
        TargetStatus.Pending => "pending",
        TargetStatus.NoData => "no_data",
        _ => "no_target",
    };

    /// <summary>The status whose <see cref="Name"/> is <paramref name="name"/>; throws <see cref="ArgumentException"/> for another text.</summary>
    public static TargetStatus FromName(string name) =>
        Enum.GetValues<TargetStatus>().Cast<TargetStatus?>().FirstOrDefault(s => Name(s!.Value) == name)
        ?? throw new ArgumentException("unknown status " + name, nameof(name));

    /// <summary>The status as shown to people, as a message (code <c>status.NAME</c>).</summary>
    public static Msg Label(TargetStatus status) => status switch
    {
        TargetStatus.OnTrack => Msg.Of("status.on_track", "on track", "по плану"),
        TargetStatus.AtRisk => Msg.Of("status.at_risk", "at risk", "под угрозой"),
        TargetStatus.OffTrack => Msg.Of("status.off_track", "off track", "отстаёт"),
        TargetStatus.Pending => Msg.Of("status.pending", "too early", "рано судить"),
        TargetStatus.NoData => Msg.Of("status.no_data", "no data", "нет данных"),
        _ => Msg.Of("status.no_target", "no target", "нет цели"),
    };
}
