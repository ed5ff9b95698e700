using System.Collections.Immutable;
using System.Globalization;

namespace SalesKpi.Core.Kpis;

/// <summary>
/// Working time for the lead response time (KPI 5): working days, one daily span [<see cref="Open"/>,
/// <see cref="Close"/>) in local time, and holidays. With a calendar, a response time counts only the
/// working seconds between the lead and the answer; without one (the default) it is calendar time.
/// </summary>
public sealed record BusinessCalendar
{
    /// <summary>Monday to Friday.</summary>
    public static readonly ImmutableArray<DayOfWeek> Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    /// <summary>Days of the week that are working days (never empty). Default Monday to Friday.</summary>
    public ImmutableArray<DayOfWeek> WorkingDays { get; init; } = Weekdays;

    /// <summary>Start of the working span of a working day (local time). Default 09:00.</summary>
    public TimeOnly Open { get; init; } = new(9, 0);

    /// <summary>End of the working span (local time, after <see cref="Open"/>). Default 18:00.</summary>
    public TimeOnly Close { get; init; } = new(18, 0);

    /// <summary>Dates that are not working days even when their weekday is.</summary>
    public ImmutableArray<DateOnly> Holidays { get; init; } = [];

    /// <summary>IANA time zone of the calendar; null for the workspace's zone.</summary>
    public string? TimeZone { get; init; }

    /// <summary>True when <paramref name="day"/> is a working day.</summary>
    public bool IsWorkingDay(DateOnly day) => WorkingDays.Contains(day.DayOfWeek) && !Holidays.Contains(day);

    /// <summary>A one-line description, e.g. <c>mon,tue,wed,thu,fri 09:00-18:00, 2 holidays</c>.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{string.Join(",", WorkingDays.Select(DayName))} {Open:HH\\:mm}-{Close:HH\\:mm}, {Holidays.Length} holidays{(TimeZone is null ? string.Empty : ", " + TimeZone)}");

    /// <summary>The three-letter lower-case English name of a day (<c>mon</c>).</summary>
    public static string DayName(DayOfWeek day) => day.ToString()[..3].ToLowerInvariant();

    /// <summary>Parses <c>mon</c> … <c>sun</c> (or full English names); null when it is none.</summary>
    public static DayOfWeek? ParseDay(string text) =>
        Enum.GetValues<DayOfWeek>().Cast<DayOfWeek?>().FirstOrDefault(d =>
            string.Equals(DayName(d!.Value), text.Trim(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(d.Value.ToString(), text.Trim(), StringComparison.OrdinalIgnoreCase));
}
