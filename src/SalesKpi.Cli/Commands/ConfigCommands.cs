using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

/// <summary>The KPI-system file beside a workspace, and printing its problems.</summary>
internal static class KpiSystemFile
{
    /// <summary>The file for workspace <paramref name="db"/>: <c>sales.duckdb</c> → <c>sales.kpi-system.yaml</c>, beside it.</summary>
    public static string PathFor(string db) => KpiSystemFiles.PathFor(db);

    public static void Print(CliHost host, IReadOnlyList<ConfigIssue> errors)
    {
        foreach (var e in errors)
        {
            host.Error.WriteLine(e.Render(Loc.Current));
        }
    }

    /// <summary>Parses an --effective date; null when not given.</summary>
    public static DateOnly? Effective(string? text) => KpiSystemFiles.Effective(text);

    /// <summary>Prints what a new version changed, or that nothing did.</summary>
    public static void Applied(CliHost host, ConfigVersion? version, string? previousDocument)
    {
        if (version is null)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No change: the KPI system is already exactly this; no version was added.", "Изменений нет: система KPI уже такая; новая версия не создана.")));
            return;
        }

        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Version {0} stored, effective from {1:yyyy-MM-dd}: {2}",
            "Сохранена версия {0}, действует с {1:yyyy-MM-dd}: {2}",
            version.Number,
            version.EffectiveFrom,
            version.Reason)));
        PrintDiff(host, LineDiff.Hunks(LineDiff.Compute(previousDocument ?? string.Empty, version.Document)));
    }

    public static void PrintDiff(CliHost host, IReadOnlyList<DiffLine> lines)
    {
        foreach (var l in lines)
        {
            var colour = l.Op switch { '+' => "green", '-' => "red", _ => "grey" };
            host.Console.MarkupLine($"[{colour}]{Markup.Escape(l.Op + " " + l.Text)}[/]");
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

internal sealed class ConfigValidateCommand(CliHost host) : Command<ConfigFileSettings>
{
    public override int Execute(CommandContext context, ConfigFileSettings settings, CancellationToken cancellationToken)
    {
        var (path, result) = new ConfigService().Validate(settings.File is { } file ? host.PathOf(file) : null, host.Context(settings));
        if (result.Errors.Count > 0)
        {
            KpiSystemFile.Print(host, result.Errors);
            host.Console.MarkupLine("[red]" + Markup.Escape(Loc.F("{0}: {1} error(s).", "{0}: ошибок — {1}.", path, result.Errors.Count)) + "[/]");
            return 1;
        }

        var c = result.Config!;
        host.Console.MarkupLine("[green]" + Markup.Escape(Loc.F(
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
        ConfigApplied applied;
        try
        {
            applied = new ConfigService().Apply(new ApplyConfigRequest(settings.File is { } file ? host.PathOf(file) : null, settings.Change), host.Context(settings, settings.AuthorName));
        }
        catch (InvalidInputException ex)
        {
            foreach (var e in ex.Errors)
            {
                host.Error.WriteLine(e.Render(Loc.Current));
            }

            throw;
        }

        foreach (var note in applied.Notes)
        {
            host.Console.MarkupLine("[yellow]" + Markup.Escape(note.Render(Loc.Current)) + "[/]");
        }

        KpiSystemFile.Applied(host, applied.Written.Version, applied.Written.PreviousDocument);
        return 0;
    }
}

internal sealed class ConfigLogCommand(CliHost host) : Command<WorkspaceCommandSettings>
{
    public override int Execute(CommandContext context, WorkspaceCommandSettings settings, CancellationToken cancellationToken)
    {
        var (versions, zone) = new ConfigService().Log(host.Context(settings));
        if (versions.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No KPI-system versions yet: saleskpi config apply FILE --reason \"...\".", "Версий системы KPI пока нет: saleskpi config apply ФАЙЛ --reason \"...\".")));
            return 0;
        }

        var table = new Table().AddColumns(Loc.T("version", "версия"), Loc.T("applied", "применена"), Loc.T("effective from", "действует с"), Loc.T("author", "автор"), Loc.T("reason", "причина"), Loc.T("lines", "строки"));
        string? previous = null;
        foreach (var v in versions)
        {
            var diff = LineDiff.Compute(previous ?? string.Empty, v.Document);
            table.AddRow(
                v.Number.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Output.Local(v.AppliedAtUtc, zone)),
                v.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Markup.Escape(v.Author),
                Markup.Escape(v.Reason),
                $"[green]+{diff.Count(l => l.Op == '+')}[/] [red]-{diff.Count(l => l.Op == '-')}[/]");
            previous = v.Document;
        }

        host.Console.Write(table);
        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T("What changed: saleskpi config diff V1 V2.", "Что изменилось: saleskpi config diff V1 V2.")) + "[/]");
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
        var (a, b, hunks) = new ConfigService().Diff(settings.From, settings.To, host.Context(settings));
        host.Console.MarkupLine(Markup.Escape(Loc.F("Version {0} → {1}: {2}", "Версия {0} → {1}: {2}", a.Number, b.Number, b.Reason)));
        if (hunks.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No difference.", "Различий нет.")));
        }

        KpiSystemFile.PrintDiff(host, hunks);
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
        var shown = new ConfigService().Show(settings.Version, host.Context(settings));
        host.Out.Write(shown.Document);
        if (shown.Unreadable is { } unreadable)
        {
            // The stored text is still shown, as the starting point of the repair the message describes.
            KpiSystemFile.Print(host, shown.Problems);
            host.Error.WriteLine(unreadable);
            return 1;
        }

        return 0;
    }
}
