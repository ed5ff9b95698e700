using System.Globalization;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class ForecastSettings : WorkspaceCommandSettings
{
    [CommandOption("--period <PERIOD>")]
    [LocDescription("Period to forecast: 2026-Q1, 2026-03, 2026 (default: the current quarter).", "Период прогноза: 2026-Q1, 2026-03, 2026 (по умолчанию — текущий квартал).")]
    public string? Period { get; init; }

    [CommandOption("--as-of <MOMENT>")]
    [LocDescription("Forecast as of this moment; data after it is ignored (default: now). With --backtest: what 'actual' means.", "Прогноз на этот момент; более поздние данные не учитываются (по умолчанию — сейчас). С --backtest — на какой момент берётся факт.")]
    public string? AsOf { get; init; }

    [CommandOption("--by <DIM>")]
    [LocDescription("Split by owner, channel or service_line.", "Разбить по owner, channel или service_line.")]
    public string? By { get; init; }

    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default), json or csv (csv not with --backtest).", "table (по умолчанию), json или csv (csv — не с --backtest).")]
    public string Format { get; init; } = "table";

    [CommandOption("--runs <N>")]
    [LocDescription("Monte Carlo runs (default 2000).", "Число прогонов Монте-Карло (по умолчанию 2000).")]
    public int Runs { get; init; } = 2000;

    [CommandOption("--seed <S>")]
    [LocDescription("Random seed: the same seed gives the same output (default 1).", "Зерно случайных чисел: одно зерно — один результат (по умолчанию 1).")]
    public int Seed { get; init; } = 1;

    [CommandOption("--revenue-target <AMOUNT>")]
    [LocDescription("Won revenue target of the period: the chance to reach it, coverage and gap.", "Цель по выручке выигранных сделок за период: шанс достичь, покрытие и разрыв.")]
    public decimal? RevenueTarget { get; init; }

    [CommandOption("--deals-target <N>")]
    [LocDescription("Won deals target of the period.", "Цель по числу выигранных сделок за период.")]
    public decimal? DealsTarget { get; init; }

    [CommandOption("--backtest <FROM..TO>")]
    [LocDescription("Forecast each past period FROM..TO (e.g. 2016-Q1..2017-Q4) with only what was known then, against what happened.", "Спрогнозировать каждый прошлый период С..ПО (например 2016-Q1..2017-Q4) только по известному тогда и сравнить с фактом.")]
    public string? Backtest { get; init; }

    [CommandOption("--at <WHEN>")]
    [LocDescription("With --backtest: forecast as of each period's start (default) or mid.", "С --backtest: прогноз на начало периода (по умолчанию) или на середину (mid).")]
    public string At { get; init; } = "start";

    public override ValidationResult Validate() =>
        Choice("--format", Format, "table", "json", "csv") ?? Choice("--at", At, "start", "mid") ?? base.Validate();
}

internal sealed class ForecastCommand(CliHost host) : Command<ForecastSettings>
{
    public override int Execute(CommandContext context, ForecastSettings settings, CancellationToken cancellationToken)
    {
        var request = new ForecastRequest(settings.By, settings.Runs, settings.Seed, settings.RevenueTarget, settings.DealsTarget);
        if (settings.Backtest is { } range)
        {
            var bt = new ForecastService().Backtest(range, settings.At == "mid", settings.AsOf, request, host.Context(settings));
            host.Warn(bt.Warnings);
            if (settings.Format == "json")
            {
                host.Out.WriteLine(ForecastOutput.BacktestJson(bt.Report));
            }
            else
            {
                BacktestTable(bt.Report, bt.Currency);
            }

            return 0;
        }

        var answer = new ForecastService().Forecast(new AnalysisWindow(settings.Period, settings.AsOf), request, host.Context(settings));
        host.Warn(answer.Warnings);
        switch (settings.Format)
        {
            case "json":
                host.Out.WriteLine(ForecastOutput.Json(answer.Report, answer.Currency, host.Language));
                break;
            case "csv":
                host.Out.Write(ForecastOutput.Csv(answer.Report, host.Language));
                break;
            default:
                Table(answer.Report, answer.Currency, answer.Zone);
                break;
        }

        return 0;
    }

    private static string Money(decimal v) => v.ToString("N0", Loc.DisplayCulture);

    private static string Pct(decimal v) => v.ToString("P0", Loc.DisplayCulture);

    private void Table(ForecastReport f, string currency, TimeZoneInfo zone)
    {
        host.Console.MarkupLine(Markup.Escape(Loc.F("Forecast of won deals in {0}, as of {1} ({2} runs, seed {3}).", "Прогноз выигранных сделок за {0} на {1} ({2} прогонов, зерно {3}).", f.Period.Label, Output.Local(f.AsOfUtc, zone), f.Options.Runs, f.Options.Seed)));
        if (f.Total is not { } total)
        {
            host.Console.MarkupLine(Markup.Escape(f.Reason!.Render(host.Language)));
            return;
        }

        var table = new Table().AddColumns(
            Loc.T("slice", "разрез"), Loc.T("won deals", "выиграно сделок"), Loc.T("80 %", "80 %"), Loc.T("95 %", "95 %"),
            Loc.F("won revenue, {0}", "выручка, {0}", currency), Loc.T("80 %", "80 %"), Loc.T("95 %", "95 %"),
            Loc.T("already won", "уже выиграно"), Loc.T("from open deals", "из открытых сделок"), Loc.T("from new deals", "из новых сделок"));
        foreach (var col in table.Columns.Skip(1))
        {
            col.RightAligned();
        }

        foreach (var s in (ForecastSlice[])[total, .. f.Slices])
        {
            var x = s.Figures;
            table.AddRow(
                Markup.Escape(s.Value.Length == 0 ? Loc.T("total", "итого") : s.Value + (s.PooledDeals > 0 ? " *" : string.Empty)),
                x.Deals.ToString("N1", Loc.DisplayCulture),
                $"{Money(x.Deals80.Low)} – {Money(x.Deals80.High)}",
                $"{Money(x.Deals95.Low)} – {Money(x.Deals95.High)}",
                Money(x.Revenue),
                $"{Money(x.Revenue80.Low)} – {Money(x.Revenue80.High)}",
                $"{Money(x.Revenue95.Low)} – {Money(x.Revenue95.High)}",
                Money(s.Parts.WonRevenue),
                Money(s.Parts.OpenExpectedRevenue),
                Money(s.Parts.NewExpectedRevenue));
        }

        host.Console.Write(table);
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Open pipeline: {0} deals, {1} {2}; expected from it {3}.",
            "Открытая воронка: {0} сделок, {1} {2}; ожидается из неё {3}.",
            Output.N(total.Parts.OpenDeals), Money(total.Parts.OpenPipeline), currency, Money(total.Parts.OpenExpectedRevenue))));
        foreach (var t in f.Targets)
        {
            var what = t.Kind == "revenue" ? Loc.T("revenue", "выручка") : Loc.T("won deals", "выигранные сделки");
            host.Console.MarkupLine(Markup.Escape(Loc.F(
                "Target {0} {1}: reached in {2} of runs; pipeline coverage {3}; gap {4}{5}.",
                "Цель {0} {1}: достигается в {2} прогонов; покрытие воронкой {3}; разрыв {4}{5}.",
                what, Money(t.Target), Pct(t.Probability), t.Coverage is { } c ? c.ToString("N2", Loc.DisplayCulture) + "×" : "—", Money(t.Gap),
                t.ExtraDeals is { } ed && t.Gap > 0
                    ? Loc.F(" — about {0:N0} more deals created now (≈ {1} leads) at current conversions", " — примерно ещё {0:N0} сделок сейчас (≈ {1} лидов) при текущих конверсиях", ed, t.ExtraLeads is { } el ? el.ToString("N0", Loc.DisplayCulture) : "—")
                    : string.Empty)));
        }

        DealTable(Loc.T("Open deals that matter most", "Самые весомые открытые сделки"), f.TopDeals);
        DealTable(Loc.T("Slipping deals (in their stage longer than its p90)", "Буксующие сделки (на этапе дольше его p90)"), f.Slipping);
        foreach (var note in f.Notes)
        {
            host.Console.MarkupLine(Markup.Escape("* " + note.Render(host.Language)));
        }
    }

    private void DealTable(string title, IReadOnlyList<ForecastDeal> deals)
    {
        if (deals.Count == 0)
        {
            return;
        }

        var table = new Table().Title(Markup.Escape(title)).AddColumns(
            Loc.T("deal", "сделка"), Loc.T("owner", "ответственный"), Loc.T("stage", "этап"), Loc.T("days in stage", "дней на этапе"), Loc.T("stage p90", "p90 этапа"),
            Loc.T("amount", "сумма"), Loc.T("chance in period", "шанс в периоде"), Loc.T("expected", "ожидается"));
        foreach (var d in deals)
        {
            table.AddRow(
                Markup.Escape(d.DealId), Markup.Escape(d.Owner ?? "—"), Markup.Escape(d.Stage),
                d.DaysInStage.ToString("N0", Loc.DisplayCulture), d.StageP90Days is { } p ? p.ToString("N0", Loc.DisplayCulture) : "—",
                Money(d.Amount) + (d.AmountEstimated ? " ~" : string.Empty), Pct(d.WinChance), Money(d.Expected));
        }

        host.Console.Write(table);
    }

    private void BacktestTable(BacktestReport b, string currency)
    {
        var names = new Dictionary<string, string>
        {
            ["forecast"] = Loc.T("forecast", "прогноз"),
            ["weighted_pipeline"] = Loc.T("weighted pipeline", "взвешенная воронка"),
            ["run_rate"] = Loc.T("run rate", "текущий темп"),
        };
        var scores = new Table().Title(Markup.Escape(Loc.F("Backtest, forecasts as of each period's {0}", "Бэктест, прогнозы на {0} каждого периода", b.At == "mid" ? Loc.T("midpoint", "середину") : Loc.T("start", "начало"))))
            .AddColumns(Loc.T("method", "метод"), Loc.T("periods", "периодов"), "MAPE", Loc.T("bias", "смещение"), Loc.T("in 80 % interval", "в 80 % интервале"), Loc.T("in 95 % interval", "в 95 % интервале"));
        string P(decimal? v) => v is { } x ? x.ToString("P1", Loc.DisplayCulture) : "—";
        foreach (var s in b.Scores)
        {
            scores.AddRow(Markup.Escape(names[s.Method]), s.Periods.ToString(CultureInfo.InvariantCulture), P(s.Mape), P(s.Bias), P(s.Coverage80), P(s.Coverage95));
        }

        host.Console.Write(scores);
        var table = new Table().AddColumns(Loc.T("period", "период"), Loc.F("actual, {0}", "факт, {0}", currency), names["forecast"], Loc.T("80 %", "80 %"), names["weighted_pipeline"], names["run_rate"]);
        foreach (var p in b.Periods)
        {
            string E(string m) => p.Methods.TryGetValue(m, out var e) ? Money(e.Expected) : "—";
            var f = p.Methods.GetValueOrDefault("forecast");
            table.AddRow(Markup.Escape(p.Period.Label), Money(p.ActualRevenue), E("forecast"), f?.Interval80 is { } r ? $"{Money(r.Low)} – {Money(r.High)}" : "—", E("weighted_pipeline"), E("run_rate"));
        }

        host.Console.Write(table);
    }
}
