using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class StatusSettings : WorkspaceCommandSettings
{
    [CommandOption("--imports <N>")]
    [LocDescription("How many of the last imports to list (default 5).", "Сколько последних импортов показать (по умолчанию 5).")]
    public int Imports { get; init; } = 5;
}

internal sealed class StatusCommand(CliHost host) : Command<StatusSettings>
{
    public override int Execute(CommandContext context, StatusSettings settings, CancellationToken cancellationToken)
    {
        var status = new StatusService().Run(settings.Imports, host.Context(settings));
        var zone = status.Settings.Zone;
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Workspace {0} — time zone {1}, currency {2}, schema {3}",
            "Рабочая область {0} — часовой пояс {1}, валюта {2}, схема {3}",
            status.Path, status.Settings.TimeZone, status.Settings.Currency, status.SchemaVersion)));

        var entities = new Table().AddColumns(
            Loc.T("entity", "сущность"),
            Loc.T("rows", "строк"),
            Loc.T("from", "с"),
            Loc.T("to", "по"));
        entities.Columns[1].RightAligned();
        foreach (var (e, n, lo, hi) in status.Entities)
        {
            entities.AddRow(e.Name, Output.N(n), Format(e, lo, zone), Format(e, hi, zone));
        }

        host.Console.Write(entities);

        var imports = status.Imports;
        if (imports.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No imports yet: run 'saleskpi import <folder>'.", "Импортов ещё не было: выполните «saleskpi import <папка>».")));
            return 0;
        }

        var log = new Table().Title(Loc.T("Last imports", "Последние импорты")).AddColumns(
            "#", Loc.T("when", "когда"), Loc.T("files", "файлы"), Loc.T("read", "прочитано"), Loc.T("stored", "сохранено"), Loc.T("rejected", "отклонено"));
        foreach (var i in imports)
        {
            var files = string.Join("\n", i.Files.Select(Path.GetFileName));
            log.AddRow(
                i.Id.ToString(CultureInfo.InvariantCulture),
                Output.Local(i.FinishedAtUtc, zone),
                Markup.Escape(files),
                Output.N(i.Read),
                Output.N(i.Stored),
                Output.N(i.Rejected));
        }

        host.Console.Write(log);
        return 0;
    }

    private static string Format(EntityDef e, DateTime? value, TimeZoneInfo zone) =>
        value is not { } v ? "—"
        : e[e.DateColumn].Type == ColumnType.Date ? v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : Output.Local(v, zone);
}
