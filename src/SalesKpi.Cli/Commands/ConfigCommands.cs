using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

/// <summary>The KPI-system file beside a workspace, and printing its problems.</summary>
internal static class KpiSystemFile
{
    /// <summary>The file for workspace <paramref name="db"/>: <c>sales.duckdb</c> → <c>sales.kpi-system.yaml</c>, beside it.</summary>
    public static string PathFor(string db) => Path.ChangeExtension(Path.GetFullPath(db), "." + KpiSystemTemplate.FileName);

    /// <summary>Reads and checks a file; throws when it cannot be read.</summary>
    public static ConfigParseResult Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new SalesKpiException(Loc.F("There is no file {0}: give the path of a KPI-system YAML file (saleskpi config show > file.yaml writes the current one).", "Файла {0} нет: укажите путь к YAML-файлу системы KPI (saleskpi config show > file.yaml выгрузит текущую).", Path.GetFullPath(path)));
        }

        return KpiSystemParser.Parse(File.ReadAllText(path), path);
    }

    /// <summary>Reads a file and returns its configuration, or prints every error and throws.</summary>
    public static ConfigParseResult ReadValid(string path)
    {
        var result = Read(path);
        if (result.Errors.Count == 0)
        {
            return result;
        }

        Print(result.Errors);
        throw new SalesKpiException(Loc.F("{0} has {1} error(s); nothing was changed. Fix them and run again.", "В {0} ошибок: {1}; ничего не изменено. Исправьте их и повторите.", path, result.Errors.Count));
    }

    public static void Print(IReadOnlyList<ConfigIssue> errors)
    {
        foreach (var e in errors)
        {
            Console.Error.WriteLine(e.ToString());
        }
    }

    /// <summary>Parses an --effective date; null when not given.</summary>
    public static DateOnly? Effective(string? text) => KpiSystemFiles.Effective(text);

    /// <summary>Prints what a new version changed, or that nothing did.</summary>
    public static void Applied(ConfigVersion? version, string? previousDocument)
    {
        if (version is null)
        {
            AnsiConsole.MarkupLine(Markup.Escape(Loc.T("No change: the KPI system is already exactly this; no version was added.", "Изменений нет: система KPI уже такая; новая версия не создана.")));
            return;
        }

        AnsiConsole.MarkupLine(Markup.Escape(Loc.F(
            "Version {0} stored, effective from {1:yyyy-MM-dd}: {2}",
            "Сохранена версия {0}, действует с {1:yyyy-MM-dd}: {2}",
            version.Number,
            version.EffectiveFrom,
            version.Reason)));
        PrintDiff(LineDiff.Hunks(LineDiff.Compute(previousDocument ?? string.Empty, version.Document)));
    }

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
    /// Warns on standard error when the workspace's file is invalid or has edits not applied yet: what is
    /// evaluated is always a stored version, so an unapplied or broken file must not go unnoticed.
    /// </summary>
    public static void WarnIfDrifted(string db, Workspace ws)
    {
        var path = PathFor(db);
        var latest = ConfigStore.Latest(ws);
        if (!File.Exists(path) || latest is null)
        {
            return;
        }

        var parsed = KpiSystemParser.Parse(File.ReadAllText(path), path);
        string? warning = null;
        if (parsed.Errors.Count > 0)
        {
            warning = Loc.F("{0} has {1} error(s) and is not in use; results use version {2} (saleskpi config validate).", "В {0} ошибок: {1}, файл не используется; расчёт идёт по версии {2} (saleskpi config validate).", path, parsed.Errors.Count, latest.Number);
        }
        else
        {
            var (config, _) = WithStoredTargets(parsed, latest.Config.Targets);
            if (KpiSystemWriter.Write(config) != latest.Document)
            {
                warning = Loc.F("{0} has changes not applied yet; results use version {1} (saleskpi config apply --reason \"...\").", "В {0} есть неприменённые изменения; расчёт идёт по версии {1} (saleskpi config apply --reason \"...\").", path, latest.Number);
            }
        }

        if (warning is not null)
        {
            Console.Error.WriteLine(Loc.T("note: ", "примечание: ") + warning);
        }
    }

    public static void PrintDiff(IReadOnlyList<DiffLine> lines)
    {
        foreach (var l in lines)
        {
            var colour = l.Op switch { '+' => "green", '-' => "red", _ => "grey" };
            AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(l.Op + " " + l.Text)}[/]");
        }
    }
}

internal class ConfigChangeSettings : WorkspaceCommandSettings
{
    [CommandOption("--reason <TEXT>")]
    [LocDescription("Why the KPI system changes; stored with the version.", "Почему меняется система KPI; сохраняется с версией.")]
    public string? Reason { get; init; }

    [CommandOption("--author <NAME>")]
    [LocDescription("Who makes the change (default: the system user).", "Кто вносит изменение (по умолчанию — пользователь системы).")]
    public string? Author { get; init; }

    [CommandOption("--effective <DATE>")]
    [LocDescription("First day the version governs, e.g. 2026-01-01 (default: today). Earlier periods keep the version in force then.", "Первый день действия версии, например 2026-01-01 (по умолчанию — сегодня). Более ранние периоды считаются по версии, действовавшей тогда.")]
    public string? Effective { get; init; }

    public string AuthorName => Author ?? ConfigStore.DefaultAuthor;

    /// <summary>The reason and effective date of the change.</summary>
    public ChangeNote Change => new(Reason, Effective);
}

internal sealed class ConfigFileSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "[FILE]")]
    [LocDescription("KPI-system YAML file (default: the workspace's, e.g. saleskpi.kpi-system.yaml).", "YAML-файл системы KPI (по умолчанию — файл области, например saleskpi.kpi-system.yaml).")]
    public string? File { get; init; }
}

internal sealed class ConfigValidateCommand : Command<ConfigFileSettings>
{
    public override int Execute(CommandContext context, ConfigFileSettings settings, CancellationToken cancellationToken)
    {
        var path = settings.File ?? KpiSystemFile.PathFor(settings.DbPath);
        var result = KpiSystemFile.Read(path);
        if (result.Errors.Count > 0)
        {
            KpiSystemFile.Print(result.Errors);
            AnsiConsole.MarkupLine("[red]" + Markup.Escape(Loc.F("{0}: {1} error(s).", "{0}: ошибок — {1}.", path, result.Errors.Count)) + "[/]");
            return 1;
        }

        var c = result.Config!;
        AnsiConsole.MarkupLine("[green]" + Markup.Escape(Loc.F(
            "{0} is valid: {1} goals, {2} active KPIs ({3} custom), {4}.",
            "{0} корректен: целей — {1}, активных KPI — {2} (пользовательских — {3}), {4}.",
            path,
            c.Goals.Length,
            c.ActiveKpis().Count,
            c.Custom.Length,
            result.TargetsDeclared ? Loc.F("{0} targets", "целей-значений — {0}", c.Targets.Length) : Loc.T("no targets section (stored targets are kept on apply)", "без секции targets (сохранённые цели при применении остаются)"))) + "[/]");
        return 0;
    }
}

internal sealed class ConfigApplySettings : ConfigChangeSettings
{
    [CommandArgument(0, "[FILE]")]
    [LocDescription("KPI-system YAML file (default: the workspace's, e.g. saleskpi.kpi-system.yaml).", "YAML-файл системы KPI (по умолчанию — файл области, например saleskpi.kpi-system.yaml).")]
    public string? File { get; init; }
}

internal sealed class ConfigApplyCommand(CliHost host) : Command<ConfigApplySettings>
{
    public override int Execute(CommandContext context, ConfigApplySettings settings, CancellationToken cancellationToken)
    {
        var path = settings.File ?? KpiSystemFile.PathFor(settings.DbPath);
        var parsed = KpiSystemFile.ReadValid(path);
        using var ws = host.Open(settings, WorkspaceAccess.ReadWrite);
        var before = ConfigStore.Latest(ws);

        // A latest version this build cannot read (stored unchecked by an older SalesKpi) must not block
        // its own repair: the file replaces it, and its targets, unreadable too, cannot be carried over.
        var unreadable = before is not null && before.Problems.Count > 0;
        if (unreadable && !parsed.TargetsDeclared)
        {
            AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(Loc.F(
                "Version {0} cannot be read, so its targets are not carried over: list them in the file's targets section to keep them.",
                "Версия {0} не читается, поэтому её цели не переносятся: перечислите их в секции targets файла, чтобы сохранить.",
                before!.Number)) + "[/]");
        }

        var stored = unreadable ? [] : (before?.Config ?? ConfigStore.Current(ws)).Targets;
        var (config, dropped) = KpiSystemFile.WithStoredTargets(parsed, stored);
        foreach (var gone in dropped.GroupBy(t => t.Kpi))
        {
            AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(Loc.F(
                "{0} target(s) of {1} dropped: the KPI is no longer active or defined (earlier versions keep them).",
                "Целей {1} удалено: {0} — KPI больше не активен или не определён (в прежних версиях они остаются).",
                gone.Count(),
                gone.Key)) + "[/]");
        }

        var version = ConfigStore.Apply(ws, config, settings.Reason ?? string.Empty, settings.AuthorName, host.Clock, KpiSystemFile.Effective(settings.Effective));
        KpiSystemFile.Applied(version, before?.Document);
        return 0;
    }
}

internal sealed class ConfigLogCommand(CliHost host) : Command<WorkspaceCommandSettings>
{
    public override int Execute(CommandContext context, WorkspaceCommandSettings settings, CancellationToken cancellationToken)
    {
        using var ws = host.Open(settings, WorkspaceAccess.ReadOnly);
        var versions = ConfigStore.Versions(ws);
        if (versions.Count == 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape(Loc.T("No KPI-system versions yet: saleskpi config apply FILE --reason \"...\".", "Версий системы KPI пока нет: saleskpi config apply ФАЙЛ --reason \"...\".")));
            return 0;
        }

        var table = new Table().AddColumns(Loc.T("version", "версия"), Loc.T("applied", "применена"), Loc.T("effective from", "действует с"), Loc.T("author", "автор"), Loc.T("reason", "причина"), Loc.T("lines", "строки"));
        string? previous = null;
        foreach (var v in versions)
        {
            var diff = LineDiff.Compute(previous ?? string.Empty, v.Document);
            table.AddRow(
                v.Number.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Output.Local(v.AppliedAtUtc, ws.Settings.Zone)),
                v.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Markup.Escape(v.Author),
                Markup.Escape(v.Reason),
                $"[green]+{diff.Count(l => l.Op == '+')}[/] [red]-{diff.Count(l => l.Op == '-')}[/]");
            previous = v.Document;
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]" + Markup.Escape(Loc.T("What changed: saleskpi config diff V1 V2.", "Что изменилось: saleskpi config diff V1 V2.")) + "[/]");
        return 0;
    }
}

internal sealed class ConfigDiffSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "<V1>")]
    [LocDescription("Older version number.", "Номер более ранней версии.")]
    public int From { get; init; }

    [CommandArgument(1, "[V2]")]
    [LocDescription("Newer version number (default: the latest).", "Номер более поздней версии (по умолчанию — последняя).")]
    public int? To { get; init; }
}

internal sealed class ConfigDiffCommand(CliHost host) : Command<ConfigDiffSettings>
{
    public override int Execute(CommandContext context, ConfigDiffSettings settings, CancellationToken cancellationToken)
    {
        using var ws = host.Open(settings, WorkspaceAccess.ReadOnly);
        var a = ConfigStore.Get(ws, settings.From);
        var b = settings.To is { } to ? ConfigStore.Get(ws, to) : ConfigStore.Latest(ws)!;
        AnsiConsole.MarkupLine(Markup.Escape(Loc.F("Version {0} → {1}: {2}", "Версия {0} → {1}: {2}", a.Number, b.Number, b.Reason)));
        var hunks = LineDiff.Hunks(LineDiff.Compute(a.Document, b.Document));
        if (hunks.Count == 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape(Loc.T("No difference.", "Различий нет.")));
        }

        KpiSystemFile.PrintDiff(hunks);
        return 0;
    }
}

internal sealed class ConfigShowSettings : WorkspaceCommandSettings
{
    [CommandOption("--config-version <N>")]
    [LocDescription("Version to show (default: the latest).", "Какую версию показать (по умолчанию — последнюю).")]
    public int? Version { get; init; }
}

internal sealed class ConfigShowCommand(CliHost host) : Command<ConfigShowSettings>
{
    public override int Execute(CommandContext context, ConfigShowSettings settings, CancellationToken cancellationToken)
    {
        using var ws = host.Open(settings, WorkspaceAccess.ReadOnly);
        var shown = settings.Version is { } n ? ConfigStore.Get(ws, n) : ConfigStore.Latest(ws);
        if (shown is not null && shown.Problems is { Count: > 0 } problems)
        {
            // The stored text is still shown, as the starting point of the repair the message describes.
            Console.Out.Write(shown.Document);
            KpiSystemFile.Print(problems);
            Console.Error.WriteLine(shown.Unreadable(problems));
            return 1;
        }

        var doc = settings.Version is not null ? shown!.Document : KpiSystemWriter.Write(ConfigStore.Current(ws));
        Console.Out.Write(doc);
        return 0;
    }
}
