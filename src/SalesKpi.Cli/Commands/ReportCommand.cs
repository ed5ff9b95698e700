using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Metrics;
using SalesKpi.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

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

    /// <summary>The as-of moment: the end of the given day, the given instant, or now.</summary>
    public DateTimeOffset ResolveAsOf(TimeZoneInfo zone) => ResolveAsOf(AsOf, zone);

    /// <summary>
    /// The as-of moment written as <paramref name="asOf"/>: the end of that day, that instant, or now when
    /// null. Accepted: days from 1900-01-01 to 2200-12-31, the range of dates a workspace stores. A moment
    /// after now is accepted with a warning on stderr: what happens later is not known yet, so the
    /// result holds the data up to now (and buckets past now are marked partial; see <see cref="MarkUnfinished"/>).
    /// </summary>
    public static DateTimeOffset ResolveAsOf(string? asOf, TimeZoneInfo zone)
    {
        var now = CliApp.Clock.GetUtcNow();
        if (asOf is null)
        {
            return now;
        }

        var text = asOf.Trim();
        var outcome = ValueParser.TryParseDate(text, out var day);
        DateTimeOffset moment;
        if (outcome == ValueParser.Outcome.Ok)
        {
            moment = new DateTimeOffset(Core.Period.MidnightUtc(day.AddDays(1), zone), TimeSpan.Zero);
        }
        else
        {
            if (outcome == ValueParser.Outcome.Unparsable)
            {
                outcome = ValueParser.TryParseTimestamp(text, zone, out var utc);
                moment = new DateTimeOffset(utc, TimeSpan.Zero);
            }
            else
            {
                moment = default;
            }

            if (outcome == ValueParser.Outcome.OutOfRange)
            {
                throw new SalesKpiException(Loc.F(
                    "--as-of '{0}' is out of range: give a real day or moment from {1} to {2} (the dates a workspace stores).",
                    "--as-of «{0}» вне диапазона: укажите существующий день или момент с {1} по {2} (даты, которые хранит рабочая область).",
                    asOf, AsOfFirstDay, AsOfLastDay));
            }

            if (outcome != ValueParser.Outcome.Ok)
            {
                throw new SalesKpiException(Loc.F(
                    "--as-of '{0}' is not a moment: use 2025-09-30 or 2025-09-30T18:00 (optionally with +03:00), from {1} to {2}.",
                    "--as-of «{0}» — не момент времени: используйте 2025-09-30 или 2025-09-30T18:00 (можно с +03:00), с {1} по {2}.",
                    asOf, AsOfFirstDay, AsOfLastDay));
            }
        }

        if (moment > now)
        {
            Console.Error.WriteLine(Loc.F(
                "warning: --as-of {0} is in the future: only what is known now is counted, and periods that end after now are marked partial.",
                "предупреждение: --as-of {0} — в будущем: учитывается только известное сейчас, а периоды, которые заканчиваются позже текущего момента, отмечены как неполные.",
                text));
        }

        return moment;
    }

    /// <summary>The first day --as-of accepts (<see cref="ValueParser.MinYear"/>).</summary>
    public static readonly string AsOfFirstDay = new DateOnly(ValueParser.MinYear, 1, 1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The last day --as-of accepts (<see cref="ValueParser.MaxYear"/>).</summary>
    public static readonly string AsOfLastDay = new DateOnly(ValueParser.MaxYear, 12, 31).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds the <c>partial</c> flag to every result whose bucket ends after now: with an as-of in the
    /// future the engine only flags buckets that run past as-of, yet a bucket that has not ended yet is
    /// incomplete whatever as-of says.
    /// </summary>
    public static KpiReport MarkUnfinished(KpiReport report, TimeZoneInfo zone)
    {
        var now = CliApp.Clock.GetUtcNow().UtcDateTime;
        return report with
        {
            Results = [.. report.Results.Select(r => r.Period.EndUtc(zone) > now && !r.Flags.Contains("partial") ? r with { Flags = r.Flags.Add("partial") } : r)],
        };
    }

    /// <summary>The quarter before the one <paramref name="asOf"/> falls in, in the workspace zone: the last complete quarter.</summary>
    public static Period LastCompleteQuarter(DateTimeOffset asOf, TimeZoneInfo zone) =>
        Core.Period.Quarter(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(asOf.UtcDateTime, zone))).Previous();

    /// <summary>The period, or the current year in the workspace zone.</summary>
    public Period ResolvePeriod(TimeZoneInfo zone) =>
        Period is null
            ? Core.Period.Year(TimeZoneInfo.ConvertTime(CliApp.Clock.GetUtcNow(), zone).Year)
            : Core.Period.Parse(Period);
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

internal sealed class ReportCommand : Command<ReportSettings>
{
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        using var ws = settings.OpenWorkspace(WorkspaceAccess.ReadOnly);
        var zone = ws.Settings.Zone;
        var period = settings.ResolvePeriod(zone);
        var asOf = settings.ResolveAsOf(zone);
        var (config, _) = ConfigStore.For(ws, period, asOf);
        var ids = Split(settings.Kpi);
        var grain = settings.Grain is null ? (Grain?)null : Period.ParseGrain(settings.Grain);
        var by = Split(settings.By);
        KpiReport report;
        if (ids.Any(id => config.Find(id.Trim()) is { Custom: not null }))
        {
            // Custom KPIs of the KPI system are built from catalogue results (docs/kpi-system.md).
            var kpis = ids.Select(id => config.Find(id.Trim()) ?? new SystemKpi(KpiCatalog.Get(id), null)).ToList();
            report = SystemValues.Report(new KpiEngine(ws), config, kpis, period, grain, by.Select(KpiCatalog.Dimension).ToList(), asOf);
        }
        else
        {
            report = new KpiEngine(ws).Run(new ReportRequest
            {
                Period = period,
                Grain = grain,
                By = by,
                Kpis = ids.Select(KpiCatalog.Get).ToList(),
                AsOf = asOf,
                Parameters = config.Parameters,
                Trace = settings.Verbose ? line => Console.Error.WriteLine("trace: " + line) : null,
            });
        }

        report = KpiCommandSettings.MarkUnfinished(report, zone);
        switch (settings.Format)
        {
            case "json":
                Console.Out.Write(KpiFormat.Json(report));
                Console.Out.WriteLine();
                break;
            case "csv":
                Console.Out.Write(KpiFormat.Csv(report));
                break;
            default:
                Table(report, ws.Settings.Currency, zone);
                break;
        }

        return 0;
    }

    internal static List<string> Split(string? list) =>
        list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static void Table(KpiReport report, string currency, TimeZoneInfo zone)
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
            }).Concat(r.Reason is null ? [] : [r.Reason]));
            table.AddRow(
                Markup.Escape(r.IsTotal ? r.Kpi.Name : string.Empty),
                Markup.Escape(r.Period.Label),
                Markup.Escape(KpiFormat.Slice(r)),
                Markup.Escape(KpiFormat.Value(r.Kpi, r.Value, currency)),
                Output.N(r.N),
                Markup.Escape(KpiFormat.Interval(r.Kpi, r.Ci95, currency)),
                Markup.Escape(notes));
        }

        AnsiConsole.Write(table);
        foreach (var note in report.Notes)
        {
            AnsiConsole.MarkupLine("[grey]" + Markup.Escape(note) + "[/]");
        }
    }
}
