using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>Input that has one or more problems, each as <c>file:line:col CODE message</c>; nothing was stored.</summary>
/// <param name="message">The summary for the user.</param>
/// <param name="errors">Every problem found, as messages the host renders.</param>
public sealed class InvalidInputException(Msg message, IReadOnlyList<Msg> errors) : SalesKpiException(message)
{
    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<Msg> Errors { get; } = errors;
}

/// <summary>Why and from when a change of the KPI system applies.</summary>
/// <param name="Reason">Why (stored with the version); null lets the service describe the change.</param>
/// <param name="Effective">The effective date as <c>yyyy-MM-dd</c>, or null for today.</param>
public sealed record ChangeNote(string? Reason, string? Effective);

/// <summary>Set one target.</summary>
/// <param name="Kpi">The KPI id.</param>
/// <param name="Period">A month, quarter or year.</param>
/// <param name="Value">The value as written (ratios also as 30%).</param>
/// <param name="Slice"><c>DIM=VALUE</c> items; empty for the total.</param>
/// <param name="Tolerance">The at-risk band in % of the target.</param>
/// <param name="Change">Reason and effective date.</param>
public sealed record SetTargetRequest(string Kpi, string Period, string Value, IReadOnlyList<string> Slice, decimal Tolerance, ChangeNote Change);

/// <summary>Remove one target.</summary>
/// <param name="Kpi">The KPI id.</param>
/// <param name="Period">The target's month, quarter or year.</param>
/// <param name="Slice"><c>DIM=VALUE</c> items; empty for the total.</param>
/// <param name="Change">Reason and effective date.</param>
public sealed record RemoveTargetRequest(string Kpi, string Period, IReadOnlyList<string> Slice, ChangeNote Change);

/// <summary>Import targets from a CSV file, all rows or none.</summary>
/// <param name="File">The CSV file: kpi,period,value[,tolerance][,dimensions…].</param>
/// <param name="Change">Reason and effective date.</param>
public sealed record ImportTargetsRequest(string File, ChangeNote Change);

/// <summary>Suggest targets from history, and store them when asked.</summary>
/// <param name="Kpi">The KPI id.</param>
/// <param name="Period">The target period, or null for the next quarter.</param>
/// <param name="By">A dimension to suggest per slice, or null.</param>
/// <param name="Probability">The wanted chance of reaching the target.</param>
/// <param name="Tolerance">The at-risk band of stored targets.</param>
/// <param name="Apply">Store the suggestions as a new version.</param>
/// <param name="Change">Reason and effective date.</param>
public sealed record SuggestTargetsRequest(string Kpi, string? Period, string? By, double Probability, decimal Tolerance, bool Apply, ChangeNote Change);

/// <summary>A KPI-system version written by a change (null when nothing changed) and the document before it.</summary>
/// <param name="Version">The new version, or null when the KPI system already was exactly this.</param>
/// <param name="PreviousDocument">The latest version's YAML before the change, for the diff.</param>
public sealed record VersionWritten(ConfigVersion? Version, string? PreviousDocument);

/// <summary>Targets stored as a new version, each with its realism check.</summary>
/// <param name="Written">The version written.</param>
/// <param name="Listing">The stored targets and their checks.</param>
/// <param name="NotInForce">Notes for periods evaluated with another version, so these targets will not count there.</param>
public sealed record TargetsStored(VersionWritten Written, TargetListing Listing, IReadOnlyList<Msg> NotInForce);

/// <summary>Targets with their realism checks, ready to show.</summary>
/// <param name="Config">The KPI system the targets belong to.</param>
/// <param name="Targets">The targets.</param>
/// <param name="Checks">Realism checks by target key; empty when not asked for.</param>
/// <param name="Currency">The workspace currency.</param>
public sealed record TargetListing(KpiSystemConfig Config, IReadOnlyList<Target> Targets, IReadOnlyDictionary<string, RealismCheck> Checks, string Currency);

/// <summary>Suggested targets, and what was stored when <see cref="SuggestTargetsRequest.Apply"/> was set.</summary>
/// <param name="Kpi">The KPI.</param>
/// <param name="Period">The target period.</param>
/// <param name="Suggestions">One suggestion per slice.</param>
/// <param name="Usable">How many suggestions have a value.</param>
/// <param name="Stored">What was stored, or null without Apply.</param>
/// <param name="Currency">The workspace currency.</param>
public sealed record TargetsSuggested(SystemKpi Kpi, Period Period, IReadOnlyList<TargetSuggestion> Suggestions, int Usable, TargetsStored? Stored, string Currency);

/// <summary>
/// The targets use cases: set, remove, import, suggest and list. Every write merges into the latest KPI
/// system and stores a new version through <see cref="ConfigStore.Apply"/>, the one validated write path.
/// </summary>
public sealed class TargetsService
{
    /// <summary>Sets one target as a new version.</summary>
    public TargetsStored Set(SetTargetRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var config = ConfigStore.Current(ws);
        var kpi = Find(config, request.Kpi);
        var id = kpi?.Id ?? request.Kpi.Trim();
        var period = Period.Parse(request.Period);
        var target = new Target { Kpi = id, Period = period.Label, Slice = TargetInput.Slice(request.Slice), Value = TargetInput.Value(kpi, id, request.Value), TolerancePercent = request.Tolerance };
        var reason = request.Change.Reason ?? string.Create(CultureInfo.InvariantCulture, $"targets set {id} {period.Label} {target.Value}{(target.Slice.IsEmpty ? string.Empty : " " + SystemValues.SliceKey(target.Slice))}");
        return Store(ws, [target], reason, request.Change, ctx, "targets set");
    }

    /// <summary>Removes one target as a new version (earlier versions keep it).</summary>
    public VersionWritten Remove(RemoveTargetRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        ConfigStore.Lock(ws);
        var config = ConfigStore.Current(ws);
        var kpi = config.Find(request.Kpi.Trim()) ?? Active(config, request.Kpi);
        var period = TargetPeriod(request.Period);
        var slice = TargetInput.Slice(request.Slice);
        var key = new Target { Kpi = kpi.Id, Period = period.Label, Slice = slice, Value = 0 }.Key;
        _ = config.Targets.FirstOrDefault(t => t.Key == key)
            ?? throw new SalesKpiException(Msg.Of("targets.none_to_remove", "There is no target for {0} in {1} for {2}: see 'saleskpi targets list'.", "Цели для {0} на {1} для {2} нет: см. «saleskpi targets list».", kpi.Id, period.Label, slice.Count == 0 ? Msg.Of("slice.total", "total", "итого") : Msg.Verbatim(string.Join(", ", slice.Select(kv => $"{kv.Key}={kv.Value}")))));
        var before = ConfigStore.Latest(ws);
        var version = ConfigStore.Apply(ws, config with { Targets = [.. config.Targets.Where(t => t.Key != key)] }, request.Change.Reason ?? "targets remove " + kpi.Id + " " + period.Label, ctx.User, ctx.Clock, KpiSystemFiles.Effective(request.Change.Effective), "targets remove");
        if (version is not null)
        {
            AuditService.Record(ws, ctx, "targets.remove", key, [new("version", version.Number), new("reason", version.Reason), new("effective_from", version.EffectiveFrom)]);
        }

        tx.Commit();
        return new VersionWritten(version, before?.Document);
    }

    /// <summary>Imports targets from CSV as one new version; throws <see cref="InvalidInputException"/> with every problem, storing nothing.</summary>
    public TargetsStored Import(ImportTargetsRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        if (!File.Exists(request.File))
        {
            throw new SalesKpiException(Msg.Of("targets.file_missing", "There is no file {0}.", "Файла {0} нет.", Path.GetFullPath(request.File)));
        }

        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var config = ConfigStore.Current(ws);
        var (targets, errors) = TargetInput.ReadCsv(request.File, config);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(Msg.Of("targets.csv_invalid", "{0} has {1} error(s); no target was stored. Fix them and import again.", "В {0} ошибок: {1}; цели не сохранены. Исправьте и импортируйте снова.", request.File, errors.Count), errors);
        }

        return Store(ws, targets, request.Change.Reason ?? "targets import " + Path.GetFileName(request.File), request.Change, ctx, "targets import");
    }

    /// <summary>Suggests targets from history; with Apply, stores those that have a value.</summary>
    public TargetsSuggested Suggest(SuggestTargetsRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(request.Apply ? WorkspaceAccess.ReadWrite : WorkspaceAccess.ReadOnly);
        var config = ConfigStore.Current(ws);
        var kpi = Active(config, request.Kpi);
        var now = ctx.Clock.GetUtcNow();
        var period = request.Period is null
            ? TimeRules.ResolvePeriod(null, DefaultPeriod.NextQuarter, ws.Settings.Zone, now, ctx.Clock)
            : TargetPeriod(request.Period);
        var by = request.By is null ? [] : new List<string> { KpiCatalog.Dimension(request.By) };
        var suggestions = new TargetAdvisor(ws, ctx.Clock).Suggest(config, [kpi], period, by, request.Probability);
        var usable = suggestions.Where(s => s.Value is not null).Select(s => new Target { Kpi = kpi.Id, Period = period.Label, Slice = s.Slice, Value = s.Value!.Value, TolerancePercent = request.Tolerance }).ToList();
        TargetsStored? stored = null;
        if (request.Apply)
        {
            if (usable.Count == 0)
            {
                throw new SalesKpiException(Msg.Of("targets.nothing_to_apply", "There is nothing to apply: no slice has enough history for a suggestion.", "Применять нечего: ни у одного разреза нет достаточной истории для предложения."));
            }

            stored = Store(ws, usable, request.Change.Reason ?? string.Create(CultureInfo.InvariantCulture, $"targets suggest {kpi.Id} {period.Label} --probability {request.Probability}"), request.Change, ctx, "targets suggest");
        }

        return new TargetsSuggested(kpi, period, suggestions, usable.Count, stored, ws.Settings.Currency);
    }

    /// <summary>The current targets, filtered by period and KPI, with realism checks when <paramref name="check"/> is set.</summary>
    public TargetListing List(string? period, string? kpi, bool check, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var config = ConfigStore.Current(ws);
        var label = period is null ? null : TargetPeriod(period).Label;
        var targets = config.Targets.Where(t => (label is null || t.Period == label) && (kpi is null || t.Kpi == kpi.Trim())).ToList();
        return Listing(ws, config, targets, check && targets.Count > 0, ctx);
    }

    /// <summary>The active KPI named <paramref name="id"/> (any case); throws naming the active ones otherwise.</summary>
    public static SystemKpi Active(KpiSystemConfig config, string id)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(id);
        return config.ActiveKpis().FirstOrDefault(k => string.Equals(k.Id, id.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new SalesKpiException(Msg.Of("targets.kpi_not_active", "'{0}' is not an active KPI of this workspace: use one of {1}.", "«{0}» — не активный KPI этой области: используйте один из {1}.", id, string.Join(", ", config.ActiveKpis().Select(k => k.Id))));
    }

    /// <summary>The KPI named <paramref name="id"/> (any case, catalogue or custom, active or not), or null; the target rules decide whether it may have a target.</summary>
    public static SystemKpi? Find(KpiSystemConfig config, string id)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(id);
        return config.Find(id.Trim()) ?? config.Find(id.Trim().ToLowerInvariant());
    }

    private static Period TargetPeriod(string text) => TargetRules.TargetPeriod(Period.Parse(text));

    // Adds or replaces the targets as a new version; a period evaluated with another version is named.
    // The targets go into the latest version as read under the KPI system's lock, not into the one the targets were
    // checked against: another process may have stored a version since, and its change must not be lost.
    private static TargetsStored Store(Workspace ws, IReadOnlyList<Target> targets, string reason, ChangeNote change, RequestContext ctx, string source)
    {
        var keys = targets.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        ConfigVersion? version;
        ConfigVersion? before;
        KpiSystemConfig updated;
        using (var tx = ws.BeginTransaction())
        {
            ConfigStore.Lock(ws);
            before = ConfigStore.Latest(ws);
            var config = ConfigStore.Current(ws);
            updated = config with { Targets = [.. config.Targets.Where(t => !keys.Contains(t.Key)), .. targets] };
            version = ConfigStore.Apply(ws, updated, reason, ctx.User, ctx.Clock, KpiSystemFiles.Effective(change.Effective), source);
            if (version is not null)
            {
                var action = source switch { "targets import" => "targets.import", "targets suggest" => "targets.apply_suggestions", _ => "targets.set" };
                var stored = targets.Select(t => t.Key).ToList();
                AuditService.Record(ws, ctx, action, string.Join("; ", stored), [new("version", version.Number), new("reason", version.Reason), new("effective_from", version.EffectiveFrom), new("targets", stored.Count)]);
            }

            tx.Commit();
        }

        var notes = new List<Msg>();
        if (version is not null)
        {
            foreach (var period in targets.Select(t => Period.Parse(t.Period)).DistinctBy(p => p.Label))
            {
                var used = ConfigStore.InForce(ws, period.LastDay);
                if (used is not null && used.Number != version.Number)
                {
                    notes.Add(Msg.Of(
                        "targets.not_in_force",
                        "Note: {0} is evaluated with version {1}, in force then; to make this target count for it, set it with --effective {2:yyyy-MM-dd}.",
                        "Внимание: {0} оценивается по версии {1}, действовавшей тогда; чтобы цель учитывалась, задайте её с --effective {2:yyyy-MM-dd}.",
                        period.Label,
                        used.Number,
                        period.Start));
                }
            }
        }

        return new TargetsStored(new VersionWritten(version, before?.Document), Listing(ws, updated, targets, check: true, ctx), notes);
    }

    private static TargetListing Listing(Workspace ws, KpiSystemConfig config, IReadOnlyList<Target> targets, bool check, RequestContext ctx) =>
        new(config, targets, check ? new TargetAdvisor(ws, ctx.Clock).Check(config, targets).ToDictionary(c => c.Target.Key) : new Dictionary<string, RealismCheck>(), ws.Settings.Currency);
}
