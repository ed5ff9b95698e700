using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

internal sealed class FunnelSettings : KpiCommandSettings
{
    [CommandOption("--by <DIM>")]
    [LocDescription("Also split by one dimension: owner, channel, segment, region (both cohorts), campaign, industry (leads), service_line (deals).", "Также разбить по измерению: owner, channel, segment, region (обе когорты), campaign, industry (лиды), service_line (сделки).")]
    public string? By { get; init; }

    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default, with a bar chart), json or csv.", "table (по умолчанию, с диаграммой), json или csv.")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() => Choice("--format", Format, "table", "json", "csv") ?? base.Validate();
}

internal sealed class FunnelCommand(CliHost host) : Command<FunnelSettings>
{
    public override int Execute(CommandContext context, FunnelSettings settings, CancellationToken cancellationToken)
    {
        var answer = new FunnelService().Run(new FunnelQuery(settings.Period, settings.AsOf, settings.By), host.Context(settings));
        var funnel = answer.Funnel;
        host.Warn(answer.Warnings);
        switch (settings.Format)
        {
            case "json":
                host.Out.WriteLine(FunnelOutput.Json(funnel));
                break;
            case "csv":
                host.Out.Write(FunnelOutput.Csv(funnel));
                break;
            default:
                Table(funnel, answer.Currency, answer.Zone);
                break;
        }

        return 0;
    }

    private void Table(FunnelReport f, string currency, TimeZoneInfo zone)
    {
        var c = Loc.DisplayCulture;
        var table = new Table()
            .Title(Markup.Escape(Loc.F("Funnel {0}, as of {1}", "Воронка {0}, на {1}", f.Period.Label, Output.Local(f.AsOfUtc, zone))))
            .AddColumns(
                Loc.T("step", "этап"), Loc.T("reached", "дошли"), Loc.T("step conversion", "конверсия шага"), Loc.T("95 % interval", "95 % интервал"),
                Loc.T("from start", "от начала"), Loc.T("lost here (recorded amount)", "потеряно здесь (записанная сумма)"), Loc.T("median days from previous step", "медиана дней от пред. шага"), Loc.T("p90 days from previous step", "p90 дней от пред. шага"));
        foreach (var col in table.Columns.Skip(1))
        {
            col.RightAligned();
        }

        string? section = null;
        foreach (var s in f.Steps)
        {
            if (s.Section != section)
            {
                section = s.Section;
                table.AddRow("[bold]" + Markup.Escape(section == "leads"
                    ? Loc.T("Leads created in the period", "Лиды, созданные в периоде")
                    : Loc.T("Deals created in the period", "Сделки, созданные в периоде")) + "[/]");
            }

            table.AddRow(
                Markup.Escape("  " + s.Name),
                Output.N(s.Count),
                s.StepConversion is { } sc ? KpiFormat.Percent(sc) : "—",
                s.StepCi95 is { } ci ? $"{KpiFormat.Percent(ci.Low)} – {KpiFormat.Percent(ci.High)}" : string.Empty,
                s.CumulativeConversion is { } cc ? KpiFormat.Percent(cc) : "—",
                s.Lost > 0 ? Markup.Escape(LostCell(s, currency)) : string.Empty,
                s.MedianDays is { } m ? m.ToString("N1", c) : "—",
                s.P90Days is { } p ? p.ToString("N1", c) : "—");
        }

        host.Console.Write(table);
        var chart = new BarChart().Width(Math.Min(100, host.Console.Profile.Width)).Label(Markup.Escape(Loc.T("Reached each step", "Дошли до этапа")));
        foreach (var s in f.Steps)
        {
            chart.AddItem(Markup.Escape(s.Name), s.Count, s.Section == "leads" ? Color.SteelBlue : Color.Green);
        }

        host.Console.Write(chart);
        SliceTable(f);

        var ranked = f.ByRevenueAtStake;
        if (ranked.Count > 0)
        {
            var losses = new Table()
                .Title(Markup.Escape(Loc.T("Losses and delays by stage, largest revenue at stake first", "Потери и задержки по этапам, по убыванию выручки под угрозой")))
                .AddColumns(
                    Loc.T("stage", "этап"), Loc.T("lost here", "потеряно"), Loc.T("revenue at stake", "выручка под угрозой"),
                    Loc.T("median days in stage", "медиана дней на этапе"), Loc.T("p90 days", "p90, дн."), Loc.T("stalled now", "застряли сейчас"));
            foreach (var col in losses.Columns.Skip(1))
            {
                col.RightAligned();
            }

            foreach (var s in ranked)
            {
                losses.AddRow(
                    Markup.Escape(s.Name),
                    Output.N(s.Lost),
                    Markup.Escape(s.RevenueAtStake!.Value.ToString("N0", c) + " " + currency),
                    s.DaysInStageMedian is { } m ? m.ToString("N1", c) : "—",
                    s.DaysInStageP90 is { } p ? p.ToString("N1", c) : "—",
                    Output.N(s.Stalled));
            }

            host.Console.Write(losses);
            if (f.ByDelay.Count > 0 && f.ByDelay[0] is { } slowest)
            {
                host.Console.MarkupLine(Markup.Escape(Loc.F(
                    "Most revenue at stake: {0}. Slowest stage: {1} (median {2:N1} days).",
                    "Больше всего выручки под угрозой: {0}. Самый медленный этап: {1} (медиана {2:N1} дн.).",
                    ranked[0].Name, slowest.Name, slowest.DaysInStageMedian)));
            }

            host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T(
                "Revenue at stake = deals lost at the stage × the share of deals reaching it that go on to win × the average won deal: an estimate of the wins lost, unlike the recorded amounts of the lost deals in the table above.",
                "Выручка под угрозой = сделки, потерянные на этапе × доля дошедших до него сделок, которые затем выигрываются × средняя выигранная сделка: оценка упущенных выигрышей, в отличие от записанных сумм проигранных сделок в таблице выше.")) + "[/]");
        }

        if (f.Stalled.Length > 0)
        {
            var stalled = new Table()
                .Title(Markup.Escape(Loc.T("Stalled open deals: longer in their stage than 90 % of deals before them", "Застрявшие открытые сделки: на этапе дольше, чем 90 % прежних сделок")))
                .AddColumns(Loc.T("deal", "сделка"), Loc.T("owner", "ответственный"), Loc.T("stage", "этап"), Loc.T("days in stage", "дней на этапе"), Loc.T("stage p90", "p90 этапа"), Loc.T("amount", "сумма"));
            foreach (var d in f.Stalled)
            {
                stalled.AddRow(
                    Markup.Escape(d.DealId), Markup.Escape(d.Owner ?? "—"), Markup.Escape(d.Stage), d.Days.ToString("N0", c), d.StageP90Days.ToString("N1", c),
                    d.Amount is { } a ? Markup.Escape(a.ToString("N0", c) + " " + currency) : "—");
            }

            host.Console.Write(stalled);
        }
        if (f.StageOrderFromData)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.F(
                "Stages ordered by when deals typically first enter them: {0}. Set the order with 'saleskpi params set pipeline_stages a,b,c'.",
                "Этапы упорядочены по тому, когда сделки обычно в них попадают: {0}. Задать порядок: «saleskpi params set pipeline_stages a,b,c».",
                string.Join(" → ", f.Stages))) + "[/]");
        }

        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T(
            "Skipped stages count as passed; won deals passed every stage; a lost deal is lost at its furthest stage. Days in a stage count open deals as still there at as-of (Kaplan–Meier). Days from the previous step are the days spent in the previous stage: a row shows what 'median days in stage' shows for the stage before it.",
            "Пропущенные этапы считаются пройденными; выигранные сделки прошли все этапы; проигранная сделка потеряна на самом дальнем этапе. Дни на этапе учитывают открытые сделки как ещё находящиеся там (Каплан — Мейер). Дни от предыдущего шага — это дни на предыдущем этапе: строка показывает то же, что «медиана дней на этапе» для этапа перед ней.")) + "[/]");
    }

    // Lost deals often carry no amount; a sum over none of them would read as "nothing lost".
    private static string LostCell(FunnelStep s, string currency) =>
        s.LostWithAmount == 0 ? Loc.F("{0} (no amount recorded)", "{0} (сумма не записана)", Output.N(s.Lost))
        : s.LostWithAmount < s.Lost ? Loc.F("{0} ({1:N0} {2} for {3} with an amount)", "{0} ({1:N0} {2} у {3} с суммой)", Output.N(s.Lost), s.LostValue, currency, s.LostWithAmount)
        : Loc.F("{0} ({1:N0} {2})", "{0} ({1:N0} {2})", Output.N(s.Lost), s.LostValue, currency);

    private void SliceTable(FunnelReport f)
    {
        if (f.By is null || f.Slices.IsEmpty)
        {
            return;
        }

        // One row per slice: counts and, in brackets, the conversion from the previous step.
        var names = f.Steps.Select(s => s.Name).ToList();
        var table = new Table().Title(Markup.Escape(Loc.F("By {0}", "По {0}", f.By))).AddColumn(Markup.Escape(f.By));
        foreach (var n in names)
        {
            table.AddColumn(new TableColumn(Markup.Escape(n)).RightAligned());
        }

        foreach (var (value, steps) in f.Slices)
        {
            var cells = names.Select(n => steps.FirstOrDefault(s => s.Name == n) is { } s
                ? Output.N(s.Count) + (s.StepConversion is { } c ? $" ({KpiFormat.Percent(c)})" : string.Empty)
                : "—");
            table.AddRow([Markup.Escape(value), .. cells.Select(Markup.Escape)]);
        }

        host.Console.Write(table);
    }
}
