using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli.Commands;

internal class ScorecardSettings : WorkspaceCommandSettings
{
    [CommandOption("--period <PERIOD>")]
    [LocDescription("Month, quarter or year, e.g. 2026-Q1 (default: the current quarter, judged with pacing).", "Месяц, квартал или год, например 2026-Q1 (по умолчанию — текущий квартал с прогнозом на конец).")]
    public string? Period { get; init; }

    [CommandOption("--as-of <MOMENT>")]
    [LocDescription("Evaluate as of this moment; a date alone means the end of that day (default: now).", "Считать на этот момент; дата без времени — конец этого дня (по умолчанию — сейчас).")]
    public string? AsOf { get; init; }

    [CommandOption("--config-version <N>")]
    [LocDescription("Evaluate with this KPI-system version instead of the one in force for the period.", "Считать по этой версии системы KPI вместо действовавшей в периоде.")]
    public int? ConfigVersion { get; init; }

    /// <summary>The request these options make, with the slices of <paramref name="by"/>.</summary>
    public ScorecardQuery Query(string? by = null) => new(Period, AsOf, ConfigVersion, by);
}

internal sealed class ScorecardViewSettings : ScorecardSettings
{
    [CommandOption("--by <DIM>")]
    [LocDescription("Also show every slice of this dimension (targets set per slice apply there).", "Показать и разрезы этого измерения (цели по разрезам применяются к ним).")]
    public string? By { get; init; }

    [CommandOption("--format <FORMAT>")]
    [LocDescription("table (default), json or csv.", "table (по умолчанию), json или csv.")]
    public string Format { get; init; } = "table";

    public override ValidationResult Validate() => Choice("--format", Format, "table", "json", "csv") ?? base.Validate();
}

/// <summary>Scorecard output: the table, and the JSON and CSV contracts (docs/kpi-system.md).</summary>
internal static class ScorecardOut
{
    public static void Table(CliHost host, ScorecardResult s, string currency, TimeZoneInfo zone)
    {
        var running = s.Elapsed < 1;
        var title = Loc.F("Scorecard {0} as of {1}", "Показатели {0} на {1}", s.Period.Label, Output.Local(s.AsOfUtc, zone))
            + (s.Version is { } v ? Loc.F(" · KPI system v{0}", " · система KPI v{0}", v.Number) : string.Empty);
        var table = new Table().Title(Markup.Escape(title));
        table.AddColumns("KPI", Loc.T("slice", "разрез"), Loc.T("value", "значение"), "n");
        if (running)
        {
            table.AddColumn(Loc.T("projected", "прогноз"));
        }

        table.AddColumns(Loc.T("target", "цель"), Loc.T("status", "статус"), Loc.F("vs {0}", "к {0}", s.Period.Previous().Label), Loc.F("vs {0}", "к {0}", s.Period.YearBefore().Label));
        foreach (var r in s.Rows)
        {
            var def = r.Kpi.Def;
            var cells = new List<string>
            {
                Markup.Escape(r.Result.IsTotal ? def.Name : string.Empty),
                Markup.Escape(KpiFormat.Slice(r.Result)),
                Markup.Escape(KpiFormat.Value(def, r.Result.Value, currency)) + (r.Result.Flags.Contains("immature") ? "[grey] ◔[/]" : string.Empty),
                Output.N(r.Result.N),
            };
            if (running)
            {
                cells.Add(Markup.Escape(r.Projected is null ? string.Empty : KpiFormat.Value(def, r.Projected, currency)));
            }

            cells.Add(Markup.Escape(r.Target is null ? "—" : KpiFormat.Value(def, r.Target.Value, currency)));
            cells.Add(Status(r.Status));
            cells.Add(Change(def, r.VsPrevious, r.Evaluated));
            cells.Add(Change(def, r.VsYearBefore, r.Evaluated));
            table.AddRow(cells.ToArray());
        }

        host.Console.Write(table);
        if (s.Goals.Count > 0)
        {
            var goals = new Table().Title(Markup.Escape(Loc.T("Strategic goals", "Стратегические цели"))).AddColumns(Loc.T("goal", "цель"), Loc.T("horizon", "горизонт"), Loc.T("attainment", "достижение"), Loc.T("KPIs on track", "KPI по плану"));
            foreach (var g in s.Goals)
            {
                goals.AddRow(
                    Markup.Escape(g.Goal.Title.In(Loc.Current)),
                    Markup.Escape(g.Goal.Horizon ?? "—"),
                    g.Attainment is { } a ? Markup.Escape(KpiFormat.Percent(a)) : "—",
                    Markup.Escape(Loc.F("{0} of {1} with a target ({2} linked)", "{0} из {1} с целью (связано {2})", g.OnTrack, g.WithTarget, g.Goal.Kpis.Length)));
            }

            host.Console.Write(goals);
        }

        foreach (var note in s.Notes)
        {
            host.Console.MarkupLine("[grey]" + Markup.Escape(note.Render(Loc.Current)) + "[/]");
        }

        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T(
            "Changes of proportions and NPS are coloured only when significant (p < 0.05; marked *), and tested only with enough data (NPS: 30 answers per period; proportions: 5 expected successes and failures); other KPIs are not tested. ◔ immature cohort.",
            "Изменения долей и NPS окрашены, только если значимы (p < 0,05; отмечены *), и проверяются только при достаточных данных (NPS: 30 ответов в периоде; доли: 5 ожидаемых успехов и неуспехов); остальные KPI не проверяются. ◔ незрелая когорта.")) + "[/]");
    }

    public static string Status(TargetStatus status)
    {
        var colour = status switch { TargetStatus.OnTrack => "green", TargetStatus.AtRisk => "yellow", TargetStatus.OffTrack => "red", _ => "grey" };
        return $"[{colour}]{Markup.Escape(TargetRules.Label(status).Render(Loc.Current))}[/]";
    }

    private static string Change(KpiDef kpi, Change c, decimal? now)
    {
        var text = KpiFormat.Change(kpi, c.Before, now);
        return c.Significant switch
        {
            true => text + " *",
            false => "[grey]" + Markup.Remove(text) + "[/]",
            null => text,
        };
    }

}

internal sealed class ScorecardCommand(CliHost host) : Command<ScorecardViewSettings>
{
    public override int Execute(CommandContext context, ScorecardViewSettings settings, CancellationToken cancellationToken)
    {
        var answer = new ScorecardService().Run(settings.Query(settings.By), host.Context(settings));
        var s = answer.Scorecard;
        host.Warn(answer.Warnings);
        switch (settings.Format)
        {
            case "json":
                host.Out.WriteLine(ScorecardOutput.Json(s, Loc.Current));
                break;
            case "csv":
                host.Out.Write(ScorecardOutput.Csv(s));
                break;
            default:
                ScorecardOut.Table(host, s, answer.Currency, answer.Zone);
                break;
        }

        return 0;
    }
}

internal sealed class CheckSettings : ScorecardSettings
{
    [CommandOption("--notify <URL>")]
    [LocDescription("POST the results as JSON (the scorecard document) to this webhook.", "Отправить результаты JSON-запросом POST (документ показателей) на этот вебхук.")]
    public string? Notify { get; init; }

    [CommandOption("--retries <N>")]
    [LocDescription("Retries of a failed notification, with backoff 0.5 s, 1 s, 2 s… (default 3).", "Повторы неудачного уведомления с паузами 0,5 с, 1 с, 2 с… (по умолчанию 3).")]
    public int Retries { get; init; } = 3;

    public override ValidationResult Validate() =>
        Retries is < 0 or > 10 ? ValidationResult.Error(Loc.T("--retries must be from 0 to 10.", "--retries должно быть от 0 до 10."))
        : Notify is not null && !(Uri.TryCreate(Notify, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps))
            ? ValidationResult.Error(Loc.F("--notify '{0}' is not an http(s) URL.", "--notify «{0}» — не адрес http(s).", Notify))
            : base.Validate();
}

internal sealed class CheckCommand(CliHost host) : AsyncCommand<CheckSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CheckSettings settings, CancellationToken cancellationToken)
    {
        var service = new ScorecardService();
        var ctx = host.Context(settings);
        var answer = service.Check(settings.Query(), ctx);
        var (s, currency, code) = (answer.Scorecard, answer.Currency, answer.ExitCode);
        host.Warn(answer.Warnings);
        var judged = answer.Judged;
        foreach (var r in judged)
        {
            host.Console.MarkupLine($"{ScorecardOut.Status(r.Status)}  {Markup.Escape(r.Kpi.Id)} {Markup.Escape(r.Result.IsTotal ? string.Empty : KpiFormat.Slice(r.Result))} {Markup.Escape(KpiFormat.Value(r.Kpi.Def, r.Evaluated, currency))} / {Markup.Escape(KpiFormat.Value(r.Kpi.Def, r.Target!.Value, currency))}");
        }

        host.Console.MarkupLine(Markup.Escape(judged.Count == 0
            ? Loc.F("{0}: no KPI has a target; nothing to check (exit 0).", "{0}: ни у одного KPI нет цели; проверять нечего (код 0).", s.Period.Label)
            : Loc.F(
                "{0}: {1} on track, {2} at risk, {3} off track, {4} too early or without data (exit {5}).",
                "{0}: по плану {1}, под угрозой {2}, отстают {3}, рано судить или нет данных {4} (код {5}).",
                s.Period.Label,
                judged.Count(r => r.Status == TargetStatus.OnTrack),
                judged.Count(r => r.Status == TargetStatus.AtRisk),
                judged.Count(r => r.Status == TargetStatus.OffTrack),
                judged.Count(r => r.Status is TargetStatus.NoData or TargetStatus.Pending),
                code)));

        if (settings.Notify is { } url)
        {
            await service.NotifyAsync(s, new Uri(url), settings.Retries, ctx, cancellationToken);
            host.Console.MarkupLine(Markup.Escape(Loc.F("Results sent to {0}.", "Результаты отправлены на {0}.", url)));
        }

        return code;
    }
}

internal sealed class SnapshotSettings : ScorecardSettings
{
    [CommandOption("--by <DIM>")]
    [LocDescription("Also store every slice of this dimension (default: the totals and every slice that has a target).", "Сохранить и все разрезы этого измерения (по умолчанию — итоги и разрезы, для которых есть цели).")]
    public string? By { get; init; }
}

internal sealed class SnapshotCommand(CliHost host) : Command<SnapshotSettings>
{
    public override int Execute(CommandContext context, SnapshotSettings settings, CancellationToken cancellationToken)
    {
        var (id, s, warnings) = new ScorecardService().Snapshot(settings.Query(settings.By), host.Context(settings));
        host.Warn(warnings);
        host.Console.MarkupLine(Markup.Escape(Loc.F(
            "Snapshot {0} stored: {1}, {2} values, KPI system v{3}. See the series with 'saleskpi history KPI'.",
            "Снимок {0} сохранён: {1}, значений — {2}, система KPI v{3}. Ряд: «saleskpi history KPI».",
            id,
            s.Period.Label,
            s.Rows.Count,
            s.Version?.Number.ToString(CultureInfo.InvariantCulture) ?? "—")));
        return 0;
    }
}

internal sealed class HistorySettings : WorkspaceCommandSettings
{
    [CommandArgument(0, "<KPI>")]
    [LocDescription("KPI id.", "Идентификатор KPI.")]
    public string Kpi { get; init; } = string.Empty;

    [CommandOption("--by <DIM>")]
    [LocDescription("Show the stored slices of this dimension instead of the total.", "Показать сохранённые разрезы этого измерения вместо итога.")]
    public string? By { get; init; }
}

internal sealed class HistoryCommand(CliHost host) : Command<HistorySettings>
{
    public override int Execute(CommandContext context, HistorySettings settings, CancellationToken cancellationToken)
    {
        var history = new KpiSystemHistoryService().History(settings.Kpi, settings.By, host.Context(settings));
        var (def, values) = (history.Kpi, history.Values);
        if (values.Count == 0)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("No stored values of {0}{1}: store scorecards with 'saleskpi snapshot --period P{2}'.", "Сохранённых значений {0}{1} нет: сохраняйте показатели командой «saleskpi snapshot --period P{2}».", def.Id, settings.By is null ? string.Empty : " by " + settings.By, settings.By is null ? string.Empty : " --by " + settings.By)));
            return 0;
        }

        var currency = history.Currency;
        // One series per slice and kind of period: a sparkline mixing months and quarters would mean nothing.
        foreach (var series in values.GroupBy(v => (v.Slice, Period.Parse(v.Period).Kind)))
        {
            var list = series.ToList();
            var table = new Table()
                .Title(Markup.Escape(def.Name + (series.Key.Slice.Length == 0 ? string.Empty : " · " + series.Key.Slice) + "   " + Sparkline(list.Select(v => v.Value).ToList())))
                .AddColumns(Loc.T("period", "период"), Loc.T("value", "значение"), Loc.T("target", "цель"), Loc.T("status", "статус"), Loc.T("snapshot", "снимок"), Loc.T("KPI system", "система KPI"));
            foreach (var v in list)
            {
                table.AddRow(
                    Markup.Escape(v.Period),
                    Markup.Escape(KpiFormat.Value(def, v.Value, currency)),
                    Markup.Escape(v.Target is null ? "—" : KpiFormat.Value(def, v.Target, currency)),
                    ScorecardOut.Status(TargetRules.FromName(v.Status)),
                    Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"#{v.SnapshotId} {Output.Local(v.TakenAtUtc, history.Zone)}")),
                    v.ConfigVersion is { } cv ? "v" + cv.ToString(CultureInfo.InvariantCulture) : "—");
            }

            host.Console.Write(table);
        }

        host.Console.MarkupLine("[grey]" + Markup.Escape(Loc.T("Values as reported: the latest snapshot of each period; later data or definition changes do not alter them.", "Значения в том виде, как о них отчитались: последний снимок каждого периода; последующие изменения данных и определений их не меняют.")) + "[/]");
        return 0;
    }

    /// <summary>▁▂▃▄▅▆▇█ scaled between the series' minimum and maximum; a gap (space) for a missing value.</summary>
    internal static string Sparkline(IReadOnlyList<decimal?> values)
    {
        const string bars = "▁▂▃▄▅▆▇█";
        var present = values.OfType<decimal>().ToList();
        if (present.Count == 0)
        {
            return string.Empty;
        }

        var (min, max) = (present.Min(), present.Max());
        return new string(values.Select(v => v is not { } x ? ' ' : max == min ? bars[3] : bars[(int)Math.Round((x - min) / (max - min) * 7)]).ToArray());
    }
}

internal sealed class ReviewSettings : WorkspaceCommandSettings
{
    [CommandOption("--periods <N>")]
    [LocDescription("How many complete periods to review (default 4).", "Сколько завершённых периодов рассмотреть (по умолчанию 4).")]
    public int Periods { get; init; } = 4;

    [CommandOption("--grain <GRAIN>")]
    [LocDescription("month, quarter (default) or year.", "month, quarter (по умолчанию) или year.")]
    public string Grain { get; init; } = "quarter";

    [CommandOption("--as-of <MOMENT>")]
    [LocDescription("Review as of this moment (default: now).", "Обзор на этот момент (по умолчанию — сейчас).")]
    public string? AsOf { get; init; }

    public override ValidationResult Validate() => Choice("--grain", Grain, "month", "quarter", "year") ?? base.Validate();
}

internal sealed class ReviewCommand(CliHost host) : Command<ReviewSettings>
{
    public override int Execute(CommandContext context, ReviewSettings settings, CancellationToken cancellationToken)
    {
        var (r, warnings) = new KpiSystemHistoryService().Review(settings.Periods, settings.Grain, settings.AsOf, host.Context(settings));
        host.Warn(warnings);
        host.Console.MarkupLine("[bold]" + Markup.Escape(Loc.F("Review of the KPI system: {0} – {1}", "Обзор системы KPI: {0} – {1}", r.Periods[0].Label, r.Periods[^1].Label)) + "[/]");
        void Section(string title, IReadOnlyList<string> lines)
        {
            host.Console.MarkupLine(Markup.Escape(title) + (lines.Count == 0 ? " [grey]" + Markup.Escape(Loc.T("none", "нет")) + "[/]" : string.Empty));
            foreach (var l in lines)
            {
                host.Console.MarkupLine("  • " + Markup.Escape(l));
            }
        }

        string Line(KpiReview k) => Loc.F("{0}: on track in {1} of {2} periods, smallest sample {3}", "{0}: по плану в {1} из {2} периодов, наименьшая выборка {3}", k.Kpi + (k.Slice.Length == 0 ? string.Empty : " " + k.Slice), k.OnTrack, k.Judged, k.MinN);
        Section(Loc.T("Always met — raise the target?", "Всегда выполняются — поднять цель?"), [.. r.Kpis.Where(k => k.Finding == ReviewFinding.AlwaysMet).Select(Line)]);
        Section(Loc.T("Always missed — is the target realistic?", "Никогда не выполняются — реалистична ли цель?"), [.. r.Kpis.Where(k => k.Finding == ReviewFinding.AlwaysMissed).Select(Line)]);
        Section(Loc.F("Too few observations to judge (under 2 periods with a target, or fewer than {0} units)", "Слишком мало наблюдений для вывода (меньше 2 периодов с целью или меньше {0} единиц)", ReviewEngine.MinSample), [.. r.Kpis.Where(k => k.Finding == ReviewFinding.TooFewObservations).Select(Line)]);
        Section(Loc.T("Active KPIs linked to no goal", "Активные KPI без связи с целями"), r.UnlinkedKpis);
        Section(Loc.T("Goals with no KPI", "Цели без KPI"), [.. r.EmptyGoals.Select(g => g.Id + " — " + g.Title.In(Loc.Current))]);
        Section(Loc.T("Definitions changed in the window", "Определения, изменённые за период"), [.. r.Changes.Select(c => Loc.F(
            "v{0} effective {1:yyyy-MM-dd} by {2}: {3} ({4}) — {5}",
            "v{0} с {1:yyyy-MM-dd}, {2}: {3} ({4}) — {5}",
            c.Version.Number,
            c.Version.EffectiveFrom,
            c.Version.Author,
            c.Version.Reason,
            string.Join(", ", c.Parts.Select(part => part switch
            {
                "goals" => Loc.T("goals", "цели"),
                "kpis" => Loc.T("KPI selection and custom KPIs", "набор KPI и пользовательские KPI"),
                _ => Loc.T("parameters", "параметры"),
            })),
            c.Version.Number == 1 ? "saleskpi config show --config-version 1" : string.Create(CultureInfo.InvariantCulture, $"saleskpi config diff {c.Version.Number - 1} {c.Version.Number}")))]);
        return 0;
    }
}
