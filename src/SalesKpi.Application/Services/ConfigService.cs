using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>A checked KPI-system file.</summary>
/// <param name="Path">The file checked.</param>
/// <param name="Parsed">Its configuration and every error found.</param>
public sealed record ConfigChecked(string Path, ConfigParseResult Parsed);

/// <summary>Store a KPI-system file as a new version.</summary>
/// <param name="File">The file, or null for the one beside the workspace.</param>
/// <param name="Change">Reason and effective date.</param>
public sealed record ApplyConfigRequest(string? File, ChangeNote Change);

/// <summary>What applying a file did.</summary>
/// <param name="Written">The version written (null when nothing changed).</param>
/// <param name="Notes">What the user should know: targets not carried over or dropped, in the caller's language.</param>
public sealed record ConfigApplied(VersionWritten Written, IReadOnlyList<Msg> Notes);

/// <summary>A stored version as YAML, with what keeps it from being read when it cannot be.</summary>
/// <param name="Document">The YAML text (the stored one, the starting point of a repair, when it cannot be read).</param>
/// <param name="Problems">Why the stored version cannot be read; empty when it can.</param>
/// <param name="Unreadable">The message for an unreadable version, else null.</param>
public sealed record ConfigShown(string Document, IReadOnlyList<ConfigIssue> Problems, string? Unreadable);

/// <summary>Two versions and the lines that differ.</summary>
/// <param name="From">The older version.</param>
/// <param name="To">The newer version.</param>
/// <param name="Hunks">The changed lines with context.</param>
public sealed record ConfigDiffed(ConfigVersion From, ConfigVersion To, IReadOnlyList<DiffLine> Hunks);

/// <summary>The KPI-system use cases: validate, apply, log, diff and show.</summary>
public sealed class ConfigService
{
    /// <summary>Checks a file (the workspace's when <paramref name="file"/> is null) and returns every error.</summary>
    public ConfigChecked Validate(string? file, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var path = file ?? KpiSystemFiles.PathFor(ctx.WorkspacePath);
        return new ConfigChecked(path, KpiSystemFiles.Read(path));
    }

    /// <summary>
    /// Stores a valid file as a new version; a file with errors throws <see cref="InvalidInputException"/> and
    /// stores nothing. Without a targets section the stored targets of KPIs still active are kept. A latest
    /// version this build cannot read does not block its own repair: the file replaces it.
    /// </summary>
    public ConfigApplied Apply(ApplyConfigRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        var path = request.File ?? KpiSystemFiles.PathFor(ctx.WorkspacePath);
        var parsed = KpiSystemFiles.Read(path);
        if (parsed.Errors.Count > 0)
        {
            throw new InvalidInputException(
                Msg.Of("config.file_invalid", "{0} has {1} error(s); nothing was changed. Fix them and run again.", "В {0} ошибок: {1}; ничего не изменено. Исправьте их и повторите.", path, parsed.Errors.Count),
                [.. parsed.Errors.Select(e => e.ToMsg())]);
        }

        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);

        // The targets carried over are those of the latest version as read under the lock: a version another process
        // stores at the same moment comes first and this one is built on it.
        using var tx = ws.BeginTransaction();
        ConfigStore.Lock(ws);
        var before = ConfigStore.Latest(ws);
        var notes = new List<Msg>();
        var unreadable = before is not null && before.Problems.Count > 0;
        if (unreadable && !parsed.TargetsDeclared)
        {
            notes.Add(Msg.Of(
                "config.unreadable_targets_not_carried",
                "Version {0} cannot be read, so its targets are not carried over: list them in the file's targets section to keep them.",
                "Версия {0} не читается, поэтому её цели не переносятся: перечислите их в секции targets файла, чтобы сохранить.",
                before!.Number));
        }

        var stored = unreadable ? [] : (before?.Config ?? ConfigStore.Current(ws)).Targets;
        var (config, dropped) = KpiSystemFiles.WithStoredTargets(parsed, stored);
        foreach (var gone in dropped.GroupBy(t => t.Kpi))
        {
            notes.Add(Msg.Of(
                "config.targets_dropped",
                "{0} target(s) of {1} dropped: the KPI is no longer active or defined (earlier versions keep them).",
                "Целей {1} удалено: {0} — KPI больше не активен или не определён (в прежних версиях они остаются).",
                gone.Count(),
                gone.Key));
        }

        var version = ConfigStore.Apply(ws, config, request.Change.Reason ?? string.Empty, ctx.User, ctx.Clock, KpiSystemFiles.Effective(request.Change.Effective));
        if (version is not null)
        {
            AuditService.Record(ws, ctx, "config.apply", "v" + version.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), [new("reason", version.Reason), new("effective_from", version.EffectiveFrom)]);
        }

        tx.Commit();
        return new ConfigApplied(new VersionWritten(version, before?.Document), notes);
    }

    /// <summary>Every stored version, oldest first, and the workspace zone to show their times in.</summary>
    public (IReadOnlyList<ConfigVersion> Versions, TimeZoneInfo Zone) Log(RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        return (ConfigStore.Versions(ws), ws.Settings.Zone);
    }

    /// <summary>What changed from version <paramref name="from"/> to <paramref name="to"/> (the latest when null).</summary>
    public ConfigDiffed Diff(int from, int? to, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var a = ConfigStore.Get(ws, from);
        var b = to is { } t ? ConfigStore.Get(ws, t) : ConfigStore.Latest(ws)!;
        return new ConfigDiffed(a, b, LineDiff.Hunks(LineDiff.Compute(a.Document, b.Document)));
    }

    /// <summary>A version as YAML (the KPI system in force now when <paramref name="version"/> is null).</summary>
    public ConfigShown Show(int? version, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var shown = version is { } n ? ConfigStore.Get(ws, n) : ConfigStore.Latest(ws);
        if (shown is not null && shown.Problems is { Count: > 0 } problems)
        {
            return new ConfigShown(shown.Document, problems, shown.Unreadable(problems).Render(ctx.Language));
        }

        return new ConfigShown(version is not null ? shown!.Document : KpiSystemWriter.Write(ConfigStore.Current(ws)), [], null);
    }
}
