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

internal sealed class InitSettings : WorkspaceCommandSettings
{
    [CommandOption("--timezone <IANA-ZONE>")]
    [LocDescription("Time zone of local timestamps and periods, e.g. Europe/Moscow (default UTC).", "Часовой пояс локальных меток времени и периодов, например Europe/Moscow (по умолчанию UTC).")]
    public string TimeZone { get; init; } = WorkspaceSettings.Default.TimeZone;

    [CommandOption("--currency <ISO-CODE>")]
    [LocDescription("Workspace currency, ISO 4217 (default RUB).", "Валюта рабочей области, ISO 4217 (по умолчанию RUB).")]
    public string Currency { get; init; } = WorkspaceSettings.Default.Currency;
}

internal sealed class InitCommand(CliHost host) : Command<InitSettings>
{
    public override int Execute(CommandContext context, InitSettings settings, CancellationToken cancellationToken)
    {
        // An existing KPI-system file is kept and must be valid before anything is created.
        WorkspaceCreated created;
        try
        {
            created = new KpiSystemHistoryService().Init(new WorkspaceSettings(settings.TimeZone, settings.Currency), host.Context(settings));
        }
        catch (InvalidInputException ex)
        {
            foreach (var e in ex.Errors)
            {
                host.Error.WriteLine(e.Render(Loc.Current));
            }

            throw;
        }

        var (file, existing) = (created.KpiSystemFile, created.ExistingFile);
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Created workspace {0} (time zone {1}, currency {2}, schema {3}).",
            "Создана рабочая область {0} (часовой пояс {1}, валюта {2}, схема {3}).",
            created.Path, created.Settings.TimeZone, created.Settings.Currency, created.SchemaVersion)));
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "KPI system: {0} ({1}), applied as version 1 — edit it, then 'saleskpi config apply --reason \"...\"'.",
            "Система KPI: {0} ({1}), применена как версия 1 — отредактируйте и выполните «saleskpi config apply --reason \"...\"».",
            file,
            existing ? Loc.T("existing file", "существующий файл") : Loc.T("commented example", "пример с комментариями"))));
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Next: saleskpi import <folder with leads.csv, deals.csv, …>{0}",
            "Далее: saleskpi import <папка с leads.csv, deals.csv, …>{0}",
            settings.Db is null ? string.Empty : " --db " + settings.Db)));
        return 0;
    }
}
