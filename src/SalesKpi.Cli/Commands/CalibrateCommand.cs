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

internal sealed class CalibrateCommand(CliHost host) : Command<KpiCommandSettings>
{
    public override int Execute(CommandContext context, KpiCommandSettings settings, CancellationToken cancellationToken)
    {
        var answer = new AnalysisService().Calibrate(new AnalysisWindow(settings.Period, settings.AsOf), host.Context(settings));
        host.Warn(answer.Warnings);
        var (r, period) = (answer.Report, answer.Period);
        var c = Loc.DisplayCulture;
        host.Console.MarkupLine(Markup.Escape(Loc.F("Lead-quality calibration over {0} leads created in {1}.", "Калибровка качества лидов по {0} лидам, созданным в {1}.", Output.N(r.Leads), period.Label)));
        var deciles = new Table().Title(Markup.Escape(Loc.T("Conversion by score decile", "Конверсия по децилям балла")))
            .AddColumns(Loc.T("decile", "дециль"), Loc.T("leads", "лиды"), Loc.T("scores", "баллы"), "→ SQL", Loc.T("→ won", "→ выигрыш"));
        foreach (var d in r.Deciles)
        {
            deciles.AddRow(d.Decile.ToString(CultureInfo.InvariantCulture), Output.N(d.Leads), $"{d.MinScore.ToString("N0", c)}–{d.MaxScore.ToString("N0", c)}", KpiFormat.Percent(d.SqlRate), KpiFormat.Percent(d.WinRate));
        }

        host.Console.Write(deciles);
        if (r.TopToBottom is { } ratio)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("The top decile becomes SQL {0:N1}× as often as the bottom one.", "Верхний дециль становится SQL в {0:N1} раза чаще нижнего.", ratio)));
        }

        var rules = new Table().Title(Markup.Escape(Loc.T("Scoring rules: do they predict conversion?", "Правила скоринга: предсказывают ли они конверсию?")))
            .AddColumns(Loc.T("rule", "правило"), Loc.T("points", "баллы"), Loc.T("matching", "подходят"), Loc.T("→ SQL if matching", "→ SQL если да"), Loc.T("→ SQL otherwise", "→ SQL если нет"), Loc.T("lift → SQL", "лифт → SQL"), "p", Loc.T("lift → won", "лифт → выигрыш"), Loc.T("suggested points", "предлагаемые баллы"));
        foreach (var x in r.Rules)
        {
            var changed = x.SuggestedPoints != x.Points;
            rules.AddRow(
                Markup.Escape(x.Rule), x.Points.ToString(CultureInfo.InvariantCulture), Output.N(x.Matching),
                KpiFormat.Percent(x.SqlRateMatching), KpiFormat.Percent(x.SqlRateOthers),
                x.SqlLift is { } l ? l.ToString("N2", c) + "×" : "—",
                x.PValue is { } p ? p.ToString("0.000", CultureInfo.InvariantCulture) : "—",
                x.WinLift is { } w ? w.ToString("N2", c) + "×" : "—",
                (changed ? "[yellow]" : string.Empty) + x.SuggestedPoints.ToString(CultureInfo.InvariantCulture) + (changed ? "[/]" : string.Empty));
        }

        host.Console.Write(rules);
        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T(
            "Lift = conversion of matching leads ÷ conversion of the others. Suggested points follow ln(lift to SQL): a rule that does not raise conversion gets 0; a lead matching title, the strongest size band and need would score 100. Apply with 'saleskpi params set quality_title_points N' (and quality_size_bands, quality_need_points).",
            "Лифт = конверсия подходящих лидов ÷ конверсия остальных. Предлагаемые баллы пропорциональны ln(лифта в SQL): правило, не повышающее конверсию, получает 0; лид, подходящий под должность, самую сильную группу размера и потребность, получит 100. Применить: «saleskpi params set quality_title_points N» (и quality_size_bands, quality_need_points).")) + "[/]");
        return 0;
    }
}
