using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Metrics.KpiSystem;

/// <summary>What the review says about one KPI.</summary>
public enum ReviewFinding
{
    /// <summary>On track in every judged period: the target may be too easy.</summary>
    AlwaysMet,

    /// <summary>Never on track in any judged period: the target may be unrealistic.</summary>
    AlwaysMissed,

    /// <summary>Fewer than two judged periods, or a sample under 30 units in one: too few observations to judge.</summary>
    TooFewObservations,
}

/// <summary>A KPI's record over the reviewed periods, for the total or one slice with targets.</summary>
/// <param name="Kpi">KPI id.</param>
/// <param name="Slice">Slice key (<see cref="SystemValues.SliceKey"/>); empty for the total.</param>
/// <param name="Finding">What it suggests.</param>
/// <param name="Judged">Periods with a target and a value.</param>
/// <param name="OnTrack">Of those, periods on track.</param>
/// <param name="MinN">Smallest sample size among judged periods (0 when none).</param>
public sealed record KpiReview(string Kpi, string Slice, ReviewFinding Finding, int Judged, int OnTrack, long MinN);

/// <summary>A version that changed definitions (goals, KPI selection, custom KPIs or parameters) within the window.</summary>
/// <param name="Version">The version.</param>
/// <param name="Parts">Which parts changed: goals, kpis, parameters.</param>
public sealed record DefinitionChange(ConfigVersion Version, IReadOnlyList<string> Parts);

/// <summary>The review of the KPI system over the last complete periods.</summary>
/// <param name="Periods">The periods reviewed, oldest first.</param>
/// <param name="Kpis">Findings per KPI (only KPIs with a finding).</param>
/// <param name="UnlinkedKpis">Active KPIs linked to no goal.</param>
/// <param name="EmptyGoals">Goals with no KPI.</param>
/// <param name="Changes">Definition changes in the window.</param>
public sealed record ReviewResult(IReadOnlyList<Period> Periods, IReadOnlyList<KpiReview> Kpis, IReadOnlyList<string> UnlinkedKpis, IReadOnlyList<Goal> EmptyGoals, IReadOnlyList<DefinitionChange> Changes);

/// <summary>
/// Reviews the KPI system: targets always met or always missed, thin samples, unlinked KPIs and goals, and changed
/// definitions. Only the KPIs with a target are computed (through the memo, when one is given).
/// </summary>
public sealed class ReviewEngine(Workspace ws, KpiMemo? memo = null)
{
    /// <summary>Smallest sample size a judged period needs for its status to count as evidence.</summary>
    public const long MinSample = 30;

    /// <summary>Reviews the <paramref name="count"/> complete periods of <paramref name="grain"/> before the one containing <paramref name="asOf"/>.</summary>
    public ReviewResult Run(int count, Grain grain, DateTimeOffset asOf)
    {
        if (count < 1)
        {
            throw new SalesKpiException(Msg.Of("review.periods_too_few", "--periods must be at least 1.", "--periods должно быть не меньше 1."));
        }

        var zone = ws.Settings.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(asOf.UtcDateTime, zone));
        var current = grain switch
        {
            Grain.Month => Period.Month(today),
            Grain.Quarter => Period.Quarter(today),
            Grain.Year => Period.Year(today.Year),
            _ => throw new SalesKpiException(Msg.Of("review.bad_grain", "--grain must be month, quarter or year.", "--grain должен быть month, quarter или year.")),
        };
        var periods = new List<Period>();
        for (var p = current.Previous(); periods.Count < count; p = p.Previous())
        {
            periods.Insert(0, p);
        }

        // Only rows with a target are judged: a period's other KPIs are not computed at all.
        var scorecards = periods.Select(p => new ScorecardEngine(ws, memo).RunForTargets(p, asOf, compare: false, targetedOnly: true)).ToList();
        var rows = scorecards
            .SelectMany(s => s.Rows.Where(r => r.Target is not null))
            .GroupBy(r => (r.Kpi.Id, Slice: SystemValues.SliceKey(r.Result.Slice)))
            .OrderBy(g => g.Key.Slice.Length > 0).ThenBy(g => g.Key.Id, StringComparer.Ordinal).ThenBy(g => g.Key.Slice, StringComparer.Ordinal);
        var findings = new List<KpiReview>();
        foreach (var g in rows)
        {
            var judged = g.Where(r => r.Status is TargetStatus.OnTrack or TargetStatus.AtRisk or TargetStatus.OffTrack).ToList();
            var on = judged.Count(r => r.Status == TargetStatus.OnTrack);
            var minN = judged.Count == 0 ? 0 : judged.Min(r => r.Result.N);
            ReviewFinding? finding = judged.Count < 2 || minN < MinSample ? ReviewFinding.TooFewObservations
                : on == judged.Count ? ReviewFinding.AlwaysMet
                : on == 0 ? ReviewFinding.AlwaysMissed
                : null;
            if (finding is { } f)
            {
                findings.Add(new KpiReview(g.Key.Id, g.Key.Slice, f, judged.Count, on, minN));
            }
        }

        var latest = ConfigStore.Current(ws);
        var linked = latest.Goals.SelectMany(g => g.Kpis.Select(k => k.Kpi)).ToHashSet(StringComparer.Ordinal);
        var unlinked = latest.ActiveKpis().Select(k => k.Id).Where(id => !linked.Contains(id)).ToList();
        var empty = latest.Goals.Where(g => g.Kpis.IsEmpty).ToList();

        var versions = ConfigStore.Versions(ws);
        var configs = versions.Select(v => v.Config).ToList();
        var changes = new List<DefinitionChange>();
        // Version 1 sets the system up; only later versions change definitions something was already measured with.
        for (var i = 1; i < versions.Count; i++)
        {
            var v = versions[i];
            var applied = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(v.AppliedAtUtc, zone));
            var inWindow = (v.EffectiveFrom >= periods[0].Start && v.EffectiveFrom <= today) || (applied >= periods[0].Start && applied <= today);
            var (before, after) = (configs[i - 1], configs[i]);
            bool Changed(Func<KpiSystemConfig, KpiSystemConfig> part) => KpiSystemWriter.Write(part(before)) != KpiSystemWriter.Write(part(after));
            var parts = new (string Name, Func<KpiSystemConfig, KpiSystemConfig> Part)[]
            {
                ("goals", c => new KpiSystemConfig { Goals = c.Goals }),
                ("kpis", c => new KpiSystemConfig { Custom = c.Custom, Active = c.Active }),
                ("parameters", c => new KpiSystemConfig { Parameters = c.Parameters }),
            }.Where(p => Changed(p.Part)).Select(p => p.Name).ToList();
            if (inWindow && parts.Count > 0)
            {
                changes.Add(new DefinitionChange(v, parts));
            }
        }

        return new ReviewResult(periods, findings, unlinked, empty, changes);
    }
}
