using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

/// <summary>Options shared by commands that compute KPIs.</summary>
internal class KpiCommandSettings : WorkspaceCommandSettings
{
    [CommandOption("--period <PERIOD>")]
    [LocDescription("Period: 2025, 2025-Q3, 2025-09, 2025-W36, 2025-09-15 or 2025-01-01..2025-06-30 (default: the current year).", "Период: 2025, 2025-Q3, 2025-09, 2025-W36, 2025-09-15 или 2025-01-01..2025-06-30 (по умолчанию — текущий год).")]
    public string? Period { get; init; }

    [CommandOption("--as-of <MOMENT>")]
    [LocDescription("Compute as of this moment; data after it is ignored. A date alone means the end of that day (default: now).", "Считать на этот момент; более поздние данные не учитываются. Дата без времени — конец этого дня (по умолчанию — сейчас).")]
    public string? AsOf { get; init; }

    /// <summary>The period, or the current year in the workspace zone.</summary>
    public Period ResolvePeriod(TimeZoneInfo zone, TimeProvider clock) =>
        TimeRules.ResolvePeriod(Period, DefaultPeriod.CurrentYear, zone, clock.GetUtcNow(), clock);
}

internal sealed class ReportSettings : KpiCommandSettings
{
    [CommandOption("--grain <GRAIN>")]
    [LocDescription("Split the period into day, week, month, quarter or year buckets (default: one bucket).", "Разбить период на day, week, month, quarter или year (по умолчанию — один интервал).")]
    public string? Grain { get; init; }

    [CommandOption("--by <DIMS>")]
    [LocDescription("Slice by dimensions, comma-separated: channel, campaign, owner, segment, region, industry, service_line.", "Разрезы через запятую: channel, campaign, owner, segment, region, industry, service_line.")]
    public string? By { get; init; }

    [CommandOption("--kpi <IDS>")]
    [LocDescription("KPI ids, comma-separated, including custom KPIs of the KPI system (default: all 18 catalogue KPIs).", "Идентификаторы KPI через запятую, включая пользовательские KPI системы (по умолчанию — все 18 KPI каталога).")]
    public string? Kpi { get; init; }

    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default), json or csv.", "table (по умолчанию), json или csv.")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() => Choice("--format", Format, "table", "json", "csv") ?? base.Validate();
}

/// <summary>Options of commands that compare a period with the one before or a year before.</summary>
internal class CompareSettings : KpiCommandSettings
{
    [CommandOption("--compare <WITH>")]
    [LocDescription("Compare with the previous period (default) or the same period a year before: previous or year.", "С чем сравнивать: previous (предыдущий период, по умолчанию) или year (тот же период год назад).")]
    public string Compare { get; init; } = "previous";

    /// <summary>The period <paramref name="period"/> is compared with.</summary>
    public Period Baseline(Period period) => Compare == "year" ? period.YearBefore() : period.Previous();

    public override ValidationResult Validate() => Choice("--compare", Compare, "previous", "year") ?? base.Validate();
}

internal sealed class ReportCommand(CliHost host) : Command<ReportSettings>
{
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        var answer = new ReportService().Run(new ReportQuery(settings.Period, settings.AsOf, settings.Grain, Split(settings.By), Split(settings.Kpi)), host.Context(settings));
        host.Warn(answer.Warnings);
        switch (settings.Format)
        {
            case "json":
                host.Out.Write(ReportOutput.Json(answer.Report, Loc.Current));
                host.Out.WriteLine();
                break;
            case "csv":
                host.Out.Write(ReportOutput.Csv(answer.Report, Loc.Current));
                break;
            default:
                Table(answer.Report, answer.Currency, answer.Zone);
                break;
        }

        return 0;
    }

    internal static List<string> Split(string? list) =>
        list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private void Table(KpiReport report, string currency, TimeZoneInfo zone)
    {
        var asOf = Output.Local(report.AsOfUtc, zone);
        var table = new Table()
            .Title(Markup.Escape(Loc.F("SalesKpi report as of {0}", "Отчёт SalesKpi на {0}", asOf)))
            .AddColumns(Loc.T("KPI", "KPI"), Loc.T("period", "период"), Loc.T("slice", "разрез"), Loc.T("value", "значение"), "n", Loc.T("95 % interval", "95 % интервал"), Loc.T("notes", "примечания"));
        table.Columns[3].RightAligned();
        table.Columns[4].RightAligned();
        foreach (var r in report.Results)
        {
            var notes = string.Join("; ", r.Flags.Select(f => f switch
            {
                "partial" => Loc.T("partial", "неполный период"),
                "immature" => Loc.T("immature cohort", "незрелая когорта"),
                _ => f,
            }).Concat(r.Reason is null ? [] : [r.Reason.Render(Loc.Current)]));
            table.AddRow(
                Markup.Escape(r.IsTotal ? r.Kpi.Name : string.Empty),
                Markup.Escape(r.Period.Label),
                Markup.Escape(KpiFormat.Slice(r)),
                Markup.Escape(KpiFormat.Value(r.Kpi, r.Value, currency)),
                Output.N(r.N),
                Markup.Escape(KpiFormat.Interval(r.Kpi, r.Ci95, currency)),
                Markup.Escape(notes));
        }

        host.Console.Write(table);
        foreach (var note in report.Notes)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(note.Render(Loc.Current)) + "[/]");
        }
    }
}
