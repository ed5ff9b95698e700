using System.Globalization;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

internal sealed class DiagnoseSettings : CompareSettings
{
    [CommandOption("--alpha <P>")]
    [LocDescription("Significance level: report changes with p below it (default 0.05).", "Уровень значимости: показывать изменения с p ниже него (по умолчанию 0.05).")]
    public double Alpha { get; init; } = 0.05;

    [CommandOption("--format <FORMAT>")]
    [LocDescription("text (default) or json.", "text (по умолчанию) или json.")]
    public string Format { get; init; } = "text";

    public override ValidationResult Validate() =>
        Alpha is <= 0 or >= 0.5
            ? ValidationResult.Error(Loc.T("--alpha must be between 0 and 0.5, e.g. 0.05.", "--alpha должно быть между 0 и 0.5, например 0.05."))
            : Choice("--format", Format, "text", "json") ?? base.Validate();
}

internal sealed class DiagnoseCommand(CliHost host) : Command<DiagnoseSettings>
{
    public override int Execute(CommandContext context, DiagnoseSettings settings, CancellationToken cancellationToken)
    {
        var dbArg = settings.Db is null ? string.Empty : " --db " + settings.Db;
        var answer = new AnalysisService().Diagnose(new AnalysisWindow(settings.Period, settings.AsOf), settings.Compare == "year", settings.Alpha, dbArg, host.Context(settings));
        host.Warn(answer.Warnings);
        var (report, after, before) = (answer.Report, answer.Period, answer.Baseline!);
        if (settings.Format == "json")
        {
            host.Out.WriteLine(DiagnoseOutput.Json(report, Loc.Current));
            return 0;
        }

        host.Console.MarkupLine("[bold]" + Markup.Escape(Loc.F("Diagnosis: {0} against {1}", "Диагностика: {0} против {1}", after.Label, before.Label)) + "[/]");
        if (report.Findings.IsEmpty)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("No statistically significant change (p < {0}).", "Статистически значимых изменений нет (p < {0}).", settings.Alpha)));
        }

        var i = 0;
        foreach (var f in report.Findings)
        {
            var colour = f.Better switch { true => "green", false => "red", _ => "grey" };
            var tag = f.Better switch { true => Loc.T("better", "лучше"), false => Loc.T("worse", "хуже"), _ => Loc.T("change", "изменение") };
            host.Console.MarkupLine($"{++i,2}. [{colour}]{Markup.Escape(tag)}[/] {Markup.Escape(f.Text.Render(Loc.Current))}");
            host.Console.MarkupLine($"    [cyan]{Markup.Escape(f.Drill)}[/]");
        }

        if (!report.Unchanged.IsEmpty)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.F("No significant change: {0}.", "Без значимых изменений: {0}.", string.Join(", ", report.Unchanged))) + "[/]");
        }

        foreach (var (kpi, reason) in report.NotTested)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.F("Not tested: {0} ({1}).", "Не проверено: {0} ({1}).", kpi, reason.Render(Loc.Current))) + "[/]");
        }

        return 0;
    }
}
