using System.Collections.Immutable;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Dashboard.Pages;

/// <summary>
/// What the KPI-system page shows for one period: the goals with their weighted KPIs and attainment, the targets of
/// the period (the latest version's, the ones an edit changes) with the value and status the scorecard judges, their
/// realism and — for the KPI asked for — the suggestion from history, the version log with the diff of two versions,
/// and the review's findings. Each section is one application-service call, the same the CLI and the API make.
/// </summary>
/// <param name="Check">The targets of the period judged, as <c>saleskpi check</c> and <c>GET /api/v1/check</c> (goal attainment included).</param>
/// <param name="Targets">The latest version's targets of the period with their realism checks, as <c>GET /api/v1/targets?check=true</c>.</param>
/// <param name="Suggested">Suggestions for <see cref="SuggestKpi"/>, as <c>GET /api/v1/targets/suggest</c>; null when none was asked for.</param>
/// <param name="SuggestBy">The dimension the suggestions are per slice of (the one the KPI's targets of the period use); null for the total.</param>
/// <param name="Versions">Every KPI-system version, oldest first, as <c>GET /api/v1/versions</c>.</param>
/// <param name="Zone">The workspace's time zone, for the versions' times.</param>
/// <param name="Diff">The diff of the chosen versions (by default the latest change), as <c>GET /api/v1/versions/diff</c>; null with fewer than two versions.</param>
/// <param name="Review">The review of the last four complete quarters, as <c>GET /api/v1/review</c>.</param>
/// <param name="Warnings">Warnings of the services (a drifted KPI-system file, an as-of in the future…).</param>
/// <param name="Saved">The version a change just stored (0: the change changed nothing); null when the page is not the answer of a change.</param>
public sealed record SystemView(
    CheckAnswer Check,
    TargetListing Targets,
    TargetsSuggested? Suggested,
    string? SuggestBy,
    IReadOnlyList<ConfigVersion> Versions,
    TimeZoneInfo Zone,
    ConfigDiffed? Diff,
    ReviewResult Review,
    IReadOnlyList<Msg> Warnings,
    int? Saved)
{
    /// <summary>How many complete quarters the review looks back on (the CLI's default).</summary>
    public const int ReviewPeriods = 4;

    /// <summary>The chance of reaching a suggested target (the CLI's and API's default: the forecast itself).</summary>
    public const double SuggestProbability = 0.5;

    /// <summary>The period shown.</summary>
    public Period Period => Check.Scorecard.Period;

    /// <summary>The KPI the suggestions are for; null when none was asked for.</summary>
    public string? SuggestKpi => Suggested?.Kpi.Id;

    /// <summary>The KPI system the targets belong to (the latest version).</summary>
    public KpiSystemConfig Config => Targets.Config;

    /// <summary>The judged row of a target's KPI and slice, when the scorecard has one.</summary>
    public ScorecardRow? Judged(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Check.Judged.FirstOrDefault(r => r.Kpi.Id == target.Kpi && SameSlice(r.Result.Slice, target.Slice));
    }

    /// <summary>The total row of a KPI on the period's scorecard (goal KPIs without a target included); null when the KPI is not active.</summary>
    public ScorecardRow? Total(string kpi) => Check.Scorecard.Rows.FirstOrDefault(r => r.Result.IsTotal && r.Kpi.Id == kpi);

    /// <summary>The suggestion for a target's slice, when suggestions for its KPI were asked for.</summary>
    public TargetSuggestion? Suggestion(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Suggested is { } s && s.Kpi.Id == target.Kpi ? s.Suggestions.FirstOrDefault(x => SameSlice(x.Slice, target.Slice)) : null;
    }

    /// <summary>The targets in catalogue order of their KPIs, the total before its slices.</summary>
    public IReadOnlyList<Target> OrderedTargets()
    {
        var order = Config.ActiveKpis().Select((k, i) => (k.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        return [.. Targets.Targets.OrderBy(t => order.TryGetValue(t.Kpi, out var i) ? i : int.MaxValue).ThenBy(t => t.Kpi, StringComparer.Ordinal).ThenBy(t => t.Slice.Count).ThenBy(t => t.Key, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Loads the page's sections for <paramref name="period"/> (null: the current quarter, as <c>saleskpi check</c>);
    /// <paramref name="suggest"/> asks for the suggestions of one KPI; <paramref name="from"/>/<paramref name="to"/> choose
    /// the versions to compare (by default the latest change). Bad input throws with what to fix.
    /// </summary>
    public static SystemView Load(ScorecardService scorecards, TargetsService targets, ConfigService configs, KpiSystemHistoryService history, RequestContext ctx, string? period, string? asOf, string? suggest, int? from, int? to, int? saved)
    {
        ArgumentNullException.ThrowIfNull(scorecards);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(history);
        var check = scorecards.Check(new ScorecardQuery(period, asOf, null), ctx);
        var label = check.Scorecard.Period.Label;
        var listing = targets.List(label, null, check: true, ctx);

        TargetsSuggested? suggested = null;
        string? by = null;
        if (suggest is not null)
        {
            // Per slice when the KPI's targets of the period are per slice, so each row finds its suggestion.
            by = listing.Targets.Where(t => string.Equals(t.Kpi, suggest, StringComparison.OrdinalIgnoreCase) && t.Slice.Count == 1).Select(t => t.Slice.Keys.First()).FirstOrDefault();
            suggested = targets.Suggest(new SuggestTargetsRequest(suggest, label, by, SuggestProbability, 5m, Apply: false, new ChangeNote(null, null)), ctx);
        }

        var (versions, zone) = configs.Log(ctx);
        ConfigDiffed? diff = from is { } f ? configs.Diff(f, to, ctx)
            : versions.Count >= 2 ? configs.Diff(versions[^2].Number, versions[^1].Number, ctx)
            : null;
        var (review, reviewWarnings) = history.Review(ReviewPeriods, "quarter", asOf, ctx);
        return new SystemView(check, listing, suggested, by, versions, zone, diff, review, [.. check.Warnings, .. reviewWarnings.Where(w => !check.Warnings.Any(c => c.Code == w.Code))], saved);
    }

    private static bool SameSlice(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
