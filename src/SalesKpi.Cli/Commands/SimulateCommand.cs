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

internal sealed class SimulateSettings : KpiCommandSettings
{
    [CommandOption("--set <LEVER=CHANGE>")]
    [LocDescription("A lever change, repeatable: leads=+10%, leads.referral=+30%, lead_to_sql_rate=+2pp, win_rate=0.3, lead_response_time=-50%, average_deal_size=+5%, sales_cycle_length=-10%.", "Изменение рычага, можно несколько: leads=+10%, leads.referral=+30%, lead_to_sql_rate=+2pp, win_rate=0.3, lead_response_time=-50%, average_deal_size=+5%, sales_cycle_length=-10%.")]
    public string[] Set { get; init; } = [];

    [CommandOption("--runs <N>")]
    [LocDescription("Monte Carlo runs (default 2000).", "Число прогонов Монте-Карло (по умолчанию 2000).")]
    public int Runs { get; init; } = 2000;

    [CommandOption("--seed <S>")]
    [LocDescription("Random seed (default 1): the same seed gives the same interval.", "Зерно (по умолчанию 1): одно и то же зерно даёт тот же интервал.")]
    public int Seed { get; init; } = 1;

    public override ValidationResult Validate() =>
        Runs is < 100 or > 1_000_000
            ? ValidationResult.Error(Loc.T("--runs must be between 100 and 1000000.", "--runs должно быть от 100 до 1000000."))
            : base.Validate();
}

internal sealed class SimulateCommand(CliHost host) : Command<SimulateSettings>
{
    public override int Execute(CommandContext context, SimulateSettings settings, CancellationToken cancellationToken)
    {
        var answer = new AnalysisService().Simulate(new AnalysisWindow(settings.Period, settings.AsOf), settings.Set, settings.Runs, settings.Seed, host.Context(settings));
        host.Warn(answer.Warnings);
        var r = answer.Report;
        var changes = settings.Set.ToList();
        var c = Loc.DisplayCulture;
        var currency = answer.Currency;
        string Money(decimal v) => v.ToString("N0", c) + " " + currency;
        string Range(Range90 x, Func<decimal, string> f) => $"{f(x.Median)}  ({f(x.Low)} – {f(x.High)})";
        string Count(decimal v) => v.ToString("N1", c);

        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "What-if for {0}, from the levers measured in {1}; {2} Monte Carlo runs.",
            "Что будет в {0}, если исходить из рычагов {1}; прогонов Монте-Карло: {2}.",
            r.Next.Label, r.Base.Label, Output.N(settings.Runs))));
        if (changes.Count > 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("Changes: {0}", "Изменения: {0}", string.Join(", ", settings.Set))));
        }

        var table = new Table().AddColumns(string.Empty, Loc.T("if nothing changes", "если ничего не менять"), Loc.T("with the changes", "с изменениями"));
        table.Columns[1].RightAligned();
        table.Columns[2].RightAligned();
        table.AddRow(Loc.T("won deals, median (90 % interval)", "выигранные сделки, медиана (90 % интервал)"), Range(r.BaselineWon, Count), Range(r.ScenarioWon, Count));
        table.AddRow(Loc.T("won revenue", "выручка выигранных сделок"), Range(r.BaselineRevenue, Money), Range(r.ScenarioRevenue, Money));
        host.Console.Write(table);
        if (changes.Count > 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("Revenue gain: {0}.", "Прирост выручки: {0}.", Range(r.RevenueGain, Money))));
        }

        var ranking = new Table().Title(Markup.Escape(Loc.T("Which lever matters most: revenue from a 10 % improvement of each alone", "Какой рычаг важнее: выручка от улучшения каждого на 10 %")))
            .AddColumns(Loc.T("lever", "рычаг"), Loc.T("extra revenue", "доп. выручка"));
        ranking.Columns[1].RightAligned();
        foreach (var (lever, gain) in r.Ranking)
        {
            ranking.AddRow(Markup.Escape(lever + (lever is "lead_response_time" or "sales_cycle_length" ? " −10 %" : " +10 %")), Money(gain));
        }

        host.Console.Write(ranking);
        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T(
            "Model: won = Σ channels (leads × lead→SQL) × SQL→opportunity × win rate × (base cycle ÷ new cycle); revenue = won × deal size. Response-time changes act through the conversion of leads answered within the SLA. The interval reflects sampling variability of the base period only, not market changes.",
            "Модель: выигрыши = Σ по каналам (лиды × лид→SQL) × SQL→возможность × коэффициент закрытия × (базовый цикл ÷ новый цикл); выручка = выигрыши × средний чек. Время ответа влияет через конверсию лидов, получивших ответ в рамках SLA. Интервал отражает только выборочную изменчивость базового периода, а не изменения рынка.")) + "[/]");
        return 0;
    }
}
