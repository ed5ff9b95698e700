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

internal sealed class ExplainSettings : KpiCommandSettings
{
    [CommandArgument(0, "<KPI>")]
    [LocDescription("KPI id, e.g. win_rate.", "Идентификатор KPI, например win_rate.")]
    public string Kpi { get; init; } = string.Empty;

    [CommandOption("--slice <DIM=VALUE>")]
    [LocDescription("Explain one slice, e.g. channel=referral (repeat for several dimensions).", "Объяснить один разрез, например channel=referral (повторите для нескольких измерений).")]
    public string[] Slice { get; init; } = [];

    [CommandOption("--limit <N>")]
    [LocDescription("Records to list per source (default 20; 0 lists all).", "Сколько записей показать по каждому источнику (по умолчанию 20; 0 — все).")]
    public int Limit { get; init; } = 20;
}

internal sealed class ExplainCommand(CliHost host) : Command<ExplainSettings>
{
    public override int Execute(CommandContext context, ExplainSettings settings, CancellationToken cancellationToken)
    {
        var answer = new ExplainService().Run(new ExplainQuery(settings.Kpi, settings.Period, settings.AsOf, settings.Slice, settings.Limit), host.Context(settings));
        host.Warn(answer.Warnings);
        var (kpi, custom, period, asOf, slice, limit, explanation, currency, zone) = (answer.Kpi, answer.Custom, answer.Period, answer.AsOf, answer.Slice, answer.Limit, answer.Explanation, answer.Currency, answer.Zone);
        if (custom is not null)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.F("{0} is {1} for {2}.", "{0} — это {1} для {2}.", custom.Id, custom.Base, KpiFormat.Slice(custom.Filter))) + "[/]");
        }

        var report = explanation.Report;
        var result = explanation.Result;

        host.Console.MarkupLine($"[bold]{Markup.Escape(kpi.Name)}[/] ({Markup.Escape(kpi.Id)}) — {Markup.Escape(period.Label)} ({period.Start:yyyy-MM-dd} – {period.LastDay:yyyy-MM-dd}), {Markup.Escape(slice.Count == 0 ? Loc.T("total", "итого") : string.Join(", ", slice.Select(kv => $"{kv.Key}={kv.Value}")))}");
        host.Console.MarkupLine(Markup.Escape(Loc.F("As of {0} ({1}).", "На момент {0} ({1}).", Output.Local(asOf.UtcDateTime, zone), answer.TimeZone)));
        host.Console.MarkupLine(Markup.Escape(explanation.Definition.Render(Loc.Current)));
        foreach (var note in report.Notes)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(note.Render(Loc.Current)) + "[/]");
        }

        if (result is null)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("No record falls into this slice in the period.", "В этом разрезе за период нет ни одной записи.")));
            return 0;
        }

        var value = KpiFormat.Value(kpi, result.Value, currency);
        var formula = result.Numerator is { } num && result.Denominator is { } den
            ? $"{KpiFormat.Number(num)} ÷ {KpiFormat.Number(den)} = {value}"
            : value;
        host.Console.MarkupLine($"[bold]{Markup.Escape(kpi.Id)} = {Markup.Escape(formula)}[/]   n = {Output.N(result.N)}");
        if (result.Ci95 is { } ci)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("95 % interval: {0}", "95 % интервал: {0}", KpiFormat.Interval(kpi, ci, currency))));
        }

        foreach (var (k, v) in result.Details)
        {
            host.Console.MarkupLine(Markup.Escape($"  {k} = {(v is { } d ? KpiFormat.Number(d) : "—")}"));
        }

        if (result.Reason is not null)
        {
            host.Console.MarkupLine("[yellow]" + Markup.Escape(Loc.F("Undefined: {0}.", "Не определено: {0}.", result.Reason.Render(Loc.Current))) + "[/]");
        }

        if (result.Flags.Length > 0)
        {
            host.Console.MarkupLine("[yellow]" + Markup.Escape(string.Join("; ", result.Flags.Select(f => f == "partial"
                ? Loc.T("partial: the period runs past the as-of moment", "неполный период: он продолжается после момента расчёта")
                : Loc.T("immature: the conversion window has not elapsed for the whole cohort", "незрелая когорта: окно конверсии истекло не для всей когорты")))) + "[/]");
        }

        foreach (var source in explanation.Sources)
        {
            var table = new Table().Title(Markup.Escape(source.Title.Render(Loc.Current))).AddColumns(source.Columns.Select(c => new TableColumn(Markup.Escape(c))).ToArray());
            foreach (var row in source.Rows.Take(limit))
            {
                table.AddRow(source.Columns.Select(c => Markup.Escape(Cell(row.TryGetValue(c, out var v) ? v : null, zone))).ToArray());
            }

            host.Console.Write(table);
            if (source.Rows.Count > limit)
            {
                host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.F("First {0} records shown; --limit 0 lists all.", "Показаны первые {0} записей; --limit 0 покажет все.", limit)) + "[/]");
            }
        }

        return 0;
    }

    private static string Cell(object? value, TimeZoneInfo zone) => value switch
    {
        null => "—",
        DateTime t => Output.Local(t, zone),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? Loc.T("yes", "да") : Loc.T("no", "нет"),
        double d => d.ToString("N2", Loc.DisplayCulture),
        decimal m => m.ToString("N2", Loc.DisplayCulture),
        IFormattable f => f.ToString(null, Loc.DisplayCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
