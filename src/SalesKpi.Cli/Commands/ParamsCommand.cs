using SalesKpi.Core;
using SalesKpi.Metrics;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

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
        using var ws = host.Open(settings, settings.Action.Equals("show", StringComparison.OrdinalIgnoreCase) ? WorkspaceAccess.ReadOnly : WorkspaceAccess.ReadWrite);
        switch (settings.Action.ToLowerInvariant())
        {
            case "set" when settings.Name is not null && settings.Value is not null:
                ParameterStore.Set(ws, settings.Name, settings.Value, host.Clock, ConfigStore.DefaultAuthor);
                break;
            case "set":
                throw new SalesKpiException(Loc.T("'params set' needs a name and a value, e.g. 'saleskpi params set lead_to_sql_window_days 45'.", "«params set» требует имя и значение, например «saleskpi params set lead_to_sql_window_days 45»."));
            case "reset":
                ParameterStore.Reset(ws, settings.Name, host.Clock, ConfigStore.DefaultAuthor);
                break;
            case "show":
                break;
            default:
                throw new SalesKpiException(Loc.F("Unknown action '{0}': use show, set or reset.", "Неизвестное действие «{0}»: используйте show, set или reset.", settings.Action));
        }

        var current = ParameterStore.Load(ws).ToDictionary();
        var defaults = new Core.Kpis.KpiParameters().ToDictionary();
        var table = new Table().AddColumns(Loc.T("parameter", "параметр"), Loc.T("value", "значение"), Loc.T("default", "по умолчанию"));
        foreach (var (name, value) in current)
        {
            var changed = value != defaults[name];
            table.AddRow(Markup.Escape(name), (changed ? "[yellow]" : string.Empty) + Markup.Escape(value) + (changed ? "[/]" : string.Empty), Markup.Escape(defaults[name]));
        }

        var calendar = ParameterStore.Load(ws).Calendar;
        table.AddRow("business_calendar", Markup.Escape(calendar?.Describe() ?? Loc.T("none (calendar time)", "нет (календарное время)")), Markup.Escape(Loc.T("none — set it in the KPI-system file", "нет — задаётся в файле системы KPI")));
        AnsiConsole.Write(table);
        return 0;
    }
}
