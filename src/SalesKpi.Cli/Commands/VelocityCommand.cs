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

internal sealed class VelocityCommand(CliHost host) : Command<CompareSettings>
{
    public override int Execute(CommandContext context, CompareSettings settings, CancellationToken cancellationToken)
    {
        var answer = new AnalysisService().Velocity(new AnalysisWindow(settings.Period, settings.AsOf), settings.Compare == "year", host.Context(settings));
        host.Warn(answer.Warnings);
        var ((change, reason), after, before) = (answer.Report, answer.Period, answer.Baseline!);
        if (change is null)
        {
            host.Console.MarkupLine("[yellow]" + Markup.Escape(Loc.F("Velocity cannot be decomposed: {0}.", "Скорость продаж нельзя разложить: {0}.", reason?.Render(Loc.Current))) + "[/]");
            return 0;
        }

        var kpi = KpiCatalog.Get("sales_velocity");
        var currency = answer.Currency;
        var c = Loc.DisplayCulture;
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Sales velocity {0}: {1} → {2}: {3}",
            "Скорость продаж {0}: {1} → {2}: {3}",
            $"{before.Label} → {after.Label}", KpiFormat.Value(kpi, change.Before, currency), KpiFormat.Value(kpi, change.After, currency),
            KpiFormat.Value(kpi, change.After - change.Before, currency))));
        var table = new Table().AddColumns(Loc.T("factor", "множитель"), before.Label, after.Label, Loc.T("share of the change", "доля изменения"), Loc.T("contribution", "вклад"));
        foreach (var col in table.Columns.Skip(1))
        {
            col.RightAligned();
        }

        foreach (var p in change.Parts)
        {
            string Show(decimal v) => p.Factor switch
            {
                "win_rate" => KpiFormat.Percent(v),
                "deal_size" => v.ToString("N0", c) + " " + currency,
                "cycle_length" => v.ToString("N1", c) + Loc.T(" d", " дн."),
                _ => v.ToString("N0", c),
            };
            var colour = p.Contribution > 0 ? "green" : p.Contribution < 0 ? "red" : "grey";
            table.AddRow(
                Markup.Escape(p.Factor),
                Markup.Escape(Show(p.Before)),
                Markup.Escape(Show(p.After)),
                p.Share is { } s ? KpiFormat.Percent(s) : "—",
                $"[{colour}]{Markup.Escape(KpiFormat.Value(kpi, p.Contribution, currency))}[/]");
        }

        host.Console.Write(table);
        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T(
            "Velocity = deals × win rate × deal size ÷ cycle length. The change is split by logarithms, so the shares add up to 100 % and the contributions to the change; a longer cycle contributes negatively.",
            "Скорость = сделки × коэффициент закрытия × средний чек ÷ длительность цикла. Изменение разложено по логарифмам, поэтому доли дают 100 %, а вклады — всё изменение; более длинный цикл даёт отрицательный вклад.")) + "[/]");
        return 0;
    }
}
