using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application;

/// <summary>The KPI-system YAML file that sits beside a workspace, and how it relates to the stored versions.</summary>
public static class KpiSystemFiles
{
    /// <summary>The file for workspace <paramref name="db"/>: <c>sales.duckdb</c> → <c>sales.kpi-system.yaml</c>, beside it.</summary>
    /// <remarks>For a PostgreSQL workspace: <c>&lt;workspace name&gt;.kpi-system.yaml</c> in the current directory.</remarks>
    public static string PathFor(string db) =>
        Path.Combine(WorkspaceLocation.LocalFolder(db), WorkspaceLocation.LocalName(db, withExtension: false) + "." + KpiSystemTemplate.FileName);

    /// <summary>Reads and checks a KPI-system file; throws when it does not exist.</summary>
    public static ConfigParseResult Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new SalesKpiException(Msg.Of("config.file_missing", "There is no file {0}: give the path of a KPI-system YAML file (saleskpi config show > file.yaml writes the current one).", "Файла {0} нет: укажите путь к YAML-файлу системы KPI (saleskpi config show > file.yaml выгрузит текущую).", Path.GetFullPath(path)));
        }

        return KpiSystemParser.Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses an effective date written <c>yyyy-MM-dd</c>; null when not given.</summary>
    public static DateOnly? Effective(string? text) =>
        text is null ? null
        : DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new SalesKpiException(Msg.Of("config.bad_effective", "--effective '{0}' is not a date: write 2026-01-01.", "--effective «{0}» — не дата: пишите 2026-01-01.", text));

    /// <summary>
    /// The configuration a valid file stands for: with a targets section, exactly the file; without one,
    /// the file's definitions with the <paramref name="stored"/> targets of KPIs it still activates — the
    /// others are returned as dropped.
    /// </summary>
    public static (KpiSystemConfig Config, IReadOnlyList<Target> Dropped) WithStoredTargets(ConfigParseResult parsed, IReadOnlyList<Target> stored)
    {
        var config = parsed.Config!;
        if (parsed.TargetsDeclared)
        {
            return (config, []);
        }

        var active = config.ActiveKpis().Select(k => k.Id).ToHashSet(StringComparer.Ordinal);
        var kept = stored.Where(t => active.Contains(t.Kpi)).ToList();
        return (config with { Targets = [.. kept] }, stored.Except(kept).ToList());
    }

    /// <summary>
    /// A note when the workspace's file is invalid or has edits not applied yet (null when it matches or is
    /// absent): what is evaluated is always a stored version, so an unapplied or broken file must not go unnoticed.
    /// </summary>
    public static Msg? Drift(string db, Workspace ws)
    {
        var path = PathFor(db);
        var latest = ConfigStore.Latest(ws);
        if (!File.Exists(path) || latest is null)
        {
            return null;
        }

        var parsed = KpiSystemParser.Parse(File.ReadAllText(path), path);
        Msg? warning = null;
        if (parsed.Errors.Count > 0)
        {
            warning = Msg.Of("config.file_invalid_not_in_use", "{0} has {1} error(s) and is not in use; results use version {2} (saleskpi config validate).", "В {0} ошибок: {1}, файл не используется; расчёт идёт по версии {2} (saleskpi config validate).", path, parsed.Errors.Count, latest.Number);
        }
        else
        {
            var (config, _) = WithStoredTargets(parsed, latest.Config.Targets);
            if (KpiSystemWriter.Write(config) != latest.Document)
            {
                warning = Msg.Of("config.file_not_applied", "{0} has changes not applied yet; results use version {1} (saleskpi config apply --reason \"...\").", "В {0} есть неприменённые изменения; расчёт идёт по версии {1} (saleskpi config apply --reason \"...\").", path, latest.Number);
            }
        }

        return warning is null ? null : Msg.Of("config.drift_note", "note: {0}", "примечание: {0}", warning);
    }
}
