using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

internal sealed class ParamsSettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "[ACTION]")]
    [LocDescription("show (default), set NAME VALUE, or reset [NAME].", "show (по умолчанию), set ИМЯ ЗНАЧЕНИЕ или reset [ИМЯ].")]
    public string Action { get; init; } = "show";

    [CommandArgument(1, "[NAME]")]
    [LocDescription("Parameter name, e.g. lead_to_sql_window_days.", "Имя параметра, например lead_to_sql_window_days.")]
    public string? Name { get; init; }

    [CommandArgument(2, "[VALUE]")]
    [LocDescription("New value.", "Новое значение.")]
    public string? Value { get; init; }
}

internal sealed class ParamsCommand(CliHost host) : Command<ParamsSettings>
{
    public override int Execute(CommandContext context, ParamsSettings settings, CancellationToken cancellationToken)
    {
        var answer = new ParamsService().Run(settings.Action, settings.Name, settings.Value, host.Context(settings));
        var (current, defaults) = (answer.Current, answer.Defaults);
        var table = new Table().AddColumns(Loc.T("parameter", "параметр"), Loc.T("value", "значение"), Loc.T("default", "по умолчанию"));
        foreach (var (name, value) in current)
        {
            var changed = value != defaults[name];
            table.AddRow(Markup.Escape(name), (changed ? "[yellow]" : string.Empty) + Markup.Escape(value) + (changed ? "[/]" : string.Empty), Markup.Escape(defaults[name]));
        }

        table.AddRow("business_calendar", Markup.Escape(answer.Calendar ?? Loc.T("none (calendar time)", "нет (календарное время)")), Markup.Escape(Loc.T("none — set it in the KPI-system file", "нет — задаётся в файле системы KPI")));
        host.Console.Write(table);
        return 0;
    }
}
