using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class AuditSettings : WorkspaceCommandSettings
{
    [CommandOption("--limit <N>")]
    [LocDescription("How many of the latest changes to show (default 50).", "Сколько последних изменений показать (по умолчанию 50).")]
    public int Limit { get; init; } = 50;

    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default) or json.", "table (по умолчанию) или json.")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() =>
        Choice("--format", Format, "table", "json")
        ?? (Limit is < 1 or > AuditService.MaxLimit
            ? ValidationResult.Error(Loc.F("--limit must be from 1 to {0}.", "--limit должно быть от 1 до {0}.", AuditService.MaxLimit))
            : base.Validate());
}

/// <summary>Who changed what, when: the audit log of the workspace, newest first.</summary>
internal sealed class AuditCommand(CliHost host) : Command<AuditSettings>
{
    public override int Execute(CommandContext context, AuditSettings settings, CancellationToken cancellationToken)
    {
        var (entries, zone) = new AuditService().List(settings.Limit, host.Context(settings));
        if (settings.Format == "json")
        {
            host.Out.WriteLine(AuditOutput.Json(entries));
            return 0;
        }

        if (entries.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No change has been recorded yet.", "Изменений пока не записано.")));
            return 0;
        }

        var table = new Table().AddColumns("#", Loc.T("when", "когда"), Loc.T("who", "кто"), Loc.T("action", "действие"), Loc.T("target", "объект"), Loc.T("details", "подробности"));
        foreach (var e in entries)
        {
            table.AddRow(
                e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(Output.Local(e.AtUtc, zone)),
                Markup.Escape(e.User),
                Markup.Escape(e.Action),
                Markup.Escape(e.Target),
                Markup.Escape(e.Details));
        }

        host.Console.Write(table);
        return 0;
    }
}
