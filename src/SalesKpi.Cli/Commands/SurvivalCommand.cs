using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

internal sealed class SurvivalSettings : KpiCommandSettings
{
    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default, with a chart) or json.", "table (по умолчанию, с диаграммой) или json.")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() => Choice("--format", Format, "table", "json") ?? base.Validate();
}

internal sealed class SurvivalCommand(CliHost host) : Command<SurvivalSettings>
{
    private static readonly decimal[] Marks = [7, 14, 30, 45, 60, 90, 120, 180, 365];

    public override int Execute(CommandContext context, SurvivalSettings settings, CancellationToken cancellationToken)
    {
        var answer = new AnalysisService().Survival(new AnalysisWindow(settings.Period, settings.AsOf), host.Context(settings));
        host.Warn(answer.Warnings);
        var s = answer.Report;
        if (settings.Format == "json")
        {
            host.Out.WriteLine(SurvivalOutput.Json(s));
            return 0;
        }

        var c = Loc.DisplayCulture;
        string Days(decimal? d) => d is { } v ? v.ToString("N1", c) + Loc.T(" d", " дн.") : "—";
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Time to win, deals created in {0}: {1} won, {2} still open (counted until as-of), {3} lost (left out).",
            "Время до выигрыша, сделки, созданные в {0}: выиграно {1}, открыто {2} (учитываются до момента расчёта), проиграно {3} (не учитываются).",
            s.Period.Label, Output.N(s.Won), Output.N(s.Open), Output.N(s.Lost))));
        var table = new Table().AddColumns(Loc.T("measure", "мера"), Loc.T("days", "дни"));
        table.Columns[1].RightAligned();
        table.AddRow(Markup.Escape(Loc.T("median time to win (Kaplan–Meier, open deals included)", "медиана времени до выигрыша (Каплан — Мейер, с открытыми сделками)")), Markup.Escape(Days(s.MedianDays)));
        table.AddRow(Markup.Escape(Loc.T("plain median cycle of won deals", "простая медиана цикла выигранных сделок")), Markup.Escape(Days(s.PlainMedianDays)));
        table.AddRow(Markup.Escape(Loc.T("plain mean cycle of won deals", "простое среднее цикла выигранных сделок")), Markup.Escape(Days(s.PlainMeanDays)));
        host.Console.Write(table);

        var chart = new BarChart().Width(Math.Min(90, host.Console.Profile.Width)).Label(Markup.Escape(Loc.T("Share of won-or-open deals won by day …", "Доля выигранных среди выигранных и открытых к дню …")));
        foreach (var mark in Marks)
        {
            chart.AddItem(mark.ToString("0", CultureInfo.InvariantCulture), Math.Round((double)(s.WonBy(mark) * 100), 1), Color.Green);
        }

        host.Console.Write(chart);
        if (s.MedianDays is { } km && s.PlainMedianDays is { } plain && km > plain)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F(
                "Counting only won deals says a deal takes {0:N1} days; with the {1} deals still open it takes {2:N1} — plan with the longer figure.",
                "Если считать только выигранные сделки, выходит {0:N1} дн.; с учётом {1} ещё открытых — {2:N1}: планируйте по большему числу.",
                plain, Output.N(s.Open), km)));
        }

        return 0;
    }
}
