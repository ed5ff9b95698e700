using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class InitSettings : WorkspaceCommandSettings
{
    [CommandOption("--timezone <IANA-ZONE>")]
    [LocDescription("Time zone of local timestamps and periods, e.g. Europe/Moscow (default UTC).", "Часовой пояс локальных меток времени и периодов, например Europe/Moscow (по умолчанию UTC).")]
    public string TimeZone { get; init; } = WorkspaceSettings.Default.TimeZone;

    [CommandOption("--currency <ISO-CODE>")]
    [LocDescription("Workspace currency, ISO 4217 (default RUB).", "Валюта рабочей области, ISO 4217 (по умолчанию RUB).")]
    public string Currency { get; init; } = WorkspaceSettings.Default.Currency;
}

internal sealed class InitCommand : Command<InitSettings>
{
    public override int Execute(CommandContext context, InitSettings settings, CancellationToken cancellationToken)
    {
        using var ws = Workspace.Create(settings.DbPath, new WorkspaceSettings(settings.TimeZone, settings.Currency), CliApp.Clock);
        AnsiConsole.MarkupLine(Markup.Escape(Loc.F(
            "Created workspace {0} (time zone {1}, currency {2}, schema {3}).",
            "Создана рабочая область {0} (часовой пояс {1}, валюта {2}, схема {3}).",
            ws.Path, ws.Settings.TimeZone, ws.Settings.Currency, ws.SchemaVersion)));
        AnsiConsole.MarkupLine(Markup.Escape(Loc.F(
            "Next: saleskpi import <folder with leads.csv, deals.csv, …>{0}",
            "Далее: saleskpi import <папка с leads.csv, deals.csv, …>{0}",
            settings.Db is null ? string.Empty : " --db " + settings.Db)));
        return 0;
    }
}
