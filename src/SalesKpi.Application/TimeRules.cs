using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application;

/// <summary>Which period a use case takes when the request names none.</summary>
public enum DefaultPeriod
{
    /// <summary>The current calendar year in the workspace zone (report, explain, funnel, survival, calibrate, velocity).</summary>
    CurrentYear,

    /// <summary>The quarter the as-of moment falls in, judged with pacing (scorecard, check, snapshot).</summary>
    CurrentQuarter,

    /// <summary>The quarter before the one the as-of moment falls in (diagnose, simulate, demo).</summary>
    LastCompleteQuarter,

    /// <summary>The quarter after the current one (targets suggest: targets are set ahead).</summary>
    NextQuarter,
}

/// <summary>
/// The one place for the as-of rule and the default-period rules every use case shares, so the CLI and the
/// web app agree on what "no --period" and "--as-of 2025-09-30" mean.
/// </summary>
public static class TimeRules
{
    /// <summary>The first day an as-of may name (<see cref="ValueParser.MinYear"/>).</summary>
    public static readonly string AsOfFirstDay = new DateOnly(ValueParser.MinYear, 1, 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The last day an as-of may name (<see cref="ValueParser.MaxYear"/>).</summary>
    public static readonly string AsOfLastDay = new DateOnly(ValueParser.MaxYear, 12, 31).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The as-of moment written as <paramref name="asOf"/>: the end of that day in <paramref name="zone"/>, that
    /// instant, or now when null. Accepted: days from 1900-01-01 to 2200-12-31, the dates a workspace stores. A
    /// moment after now is accepted with a <paramref name="warning"/>: what happens later is not known yet, so the
    /// result holds the data up to now (and buckets past now are marked partial, see <see cref="MarkUnfinished"/>).
    /// </summary>
    public static DateTimeOffset ResolveAsOf(string? asOf, TimeZoneInfo zone, TimeProvider clock, out Msg? warning)
    {
        warning = null;
        var now = clock.GetUtcNow();
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
                throw new SalesKpiException(Msg.Of(
                    "asof.out_of_range",
                    "--as-of '{0}' is out of range: give a real day or moment from {1} to {2} (the dates a workspace stores).",
                    "--as-of «{0}» вне диапазона: укажите существующий день или момент с {1} по {2} (даты, которые хранит рабочая область).",
                    asOf, AsOfFirstDay, AsOfLastDay));
            }

            if (outcome != ValueParser.Outcome.Ok)
            {
                throw new SalesKpiException(Msg.Of(
                    "asof.unparsable",
                    "--as-of '{0}' is not a moment: use 2025-09-30 or 2025-09-30T18:00 (optionally with +03:00), from {1} to {2}.",
                    "--as-of «{0}» — не момент времени: используйте 2025-09-30 или 2025-09-30T18:00 (можно с +03:00), с {1} по {2}.",
                    asOf, AsOfFirstDay, AsOfLastDay));
            }
        }

        if (moment > now)
        {
            warning = Msg.Of(
                "asof.in_future",
                "warning: --as-of {0} is in the future: only what is known now is counted, and periods that end after now are marked partial.",
                "предупреждение: --as-of {0} — в будущем: учитывается только известное сейчас, а периоды, которые заканчиваются позже текущего момента, отмечены как неполные.",
                text);
        }

        return moment;
    }

    /// <summary>The period written as <paramref name="period"/>, else the one <paramref name="rule"/> names.</summary>
    public static Period ResolvePeriod(string? period, DefaultPeriod rule, TimeZoneInfo zone, DateTimeOffset asOf, TimeProvider clock)
    {
        if (period is not null)
        {
            return Core.Period.Parse(period);
        }

        DateOnly Day(DateTimeOffset moment) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(moment.UtcDateTime, zone));
        return rule switch
        {
            DefaultPeriod.CurrentYear => Core.Period.Year(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).Year),
            DefaultPeriod.CurrentQuarter => Core.Period.Quarter(Day(asOf)),
            DefaultPeriod.LastCompleteQuarter => LastCompleteQuarter(asOf, zone),
            _ => Core.Period.Quarter(Day(clock.GetUtcNow())).Next(),
        };
    }

    /// <summary>
    /// The period and as-of of a request together. A period whose default does not depend on as-of is read
    /// first, so when both are wrong the user hears about the period, as the commands always did.
    /// </summary>
    public static (Period Period, DateTimeOffset AsOf) Resolve(string? period, string? asOf, DefaultPeriod rule, TimeZoneInfo zone, TimeProvider clock, out Msg? warning)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (rule is DefaultPeriod.CurrentYear or DefaultPeriod.NextQuarter)
        {
            var first = ResolvePeriod(period, rule, zone, clock.GetUtcNow(), clock);
            return (first, ResolveAsOf(asOf, zone, clock, out warning));
        }

        var moment = ResolveAsOf(asOf, zone, clock, out warning);
        return (ResolvePeriod(period, rule, zone, moment, clock), moment);
    }

    /// <summary>
    /// <see cref="Resolve(string?, string?, DefaultPeriod, TimeZoneInfo, TimeProvider, out Msg?)"/> in
    /// <paramref name="ws"/>, with every warning for the caller: the as-of one, and — when no period was given and
    /// the default period starts after the last data of the workspace — a hint naming the period the data
    /// ends in, so "no data" is not mistaken for "nothing happened".
    /// </summary>
    public static (Period Period, DateTimeOffset AsOf, List<Msg> Warnings) Resolve(Workspace ws, string? period, string? asOf, DefaultPeriod rule, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var zone = ws.Settings.Zone;
        var (p, moment) = Resolve(period, asOf, rule, zone, clock, out var warning);
        var warnings = warning is null ? new List<Msg>() : [warning];
        if (period is null && rule != DefaultPeriod.NextQuarter && DataEndsBefore(ws, p, zone) is { } lastDay)
        {
            var suggested = rule == DefaultPeriod.CurrentYear ? Core.Period.Year(lastDay.Year) : Core.Period.Quarter(lastDay);
            warnings.Add(Msg.Of(
                "period.default_has_no_data",
                "note: the default period {0} has no data: your data ends {1}; give --period {2} (or another period) to see it.",
                "примечание: в периоде по умолчанию {0} нет данных: ваши данные заканчиваются {1}; укажите --period {2} (или другой период), чтобы их увидеть.",
                p.Label,
                lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                suggested.Label));
        }

        return (p, moment, warnings);
    }

    // The workspace's last day with data (in its zone) when that day is before the period starts; null otherwise or when it is empty.
    private static DateOnly? DataEndsBefore(Workspace ws, Period period, TimeZoneInfo zone)
    {
        DateOnly? last = null;
        foreach (var e in WorkspaceContents.Entities(ws).Where(e => e.Last is not null))
        {
            var isDate = e.Entity.Columns.Single(c => c.Name == e.Entity.DateColumn).Type == ColumnType.Date;
            var day = isDate
                ? DateOnly.FromDateTime(e.Last!.Value)
                : DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(e.Last!.Value, DateTimeKind.Utc), zone));
            last = last is null || day > last ? day : last;
        }

        return last is { } l && l < period.Start ? l : null;
    }

    /// <summary>The quarter before the one <paramref name="asOf"/> falls in, in the workspace zone: the last complete quarter.</summary>
    public static Period LastCompleteQuarter(DateTimeOffset asOf, TimeZoneInfo zone) =>
        Core.Period.Quarter(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(asOf.UtcDateTime, zone))).Previous();

    /// <summary>
    /// Adds the <c>partial</c> flag to every result whose bucket ends after now: with an as-of in the
    /// future the engine only flags buckets that run past as-of, yet a bucket that has not ended yet is
    /// incomplete whatever as-of says.
    /// </summary>
    public static KpiReport MarkUnfinished(KpiReport report, TimeZoneInfo zone, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return report with
        {
            Results = [.. report.Results.Select(r => r.Period.EndUtc(zone) > now && !r.Flags.Contains("partial") ? r with { Flags = r.Flags.Add("partial") } : r)],
        };
    }
}
