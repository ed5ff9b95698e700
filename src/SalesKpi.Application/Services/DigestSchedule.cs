using System.Globalization;
using SalesKpi.Core;

namespace SalesKpi.Application.Services;

/// <summary>How often a subscription's digest is due.</summary>
public enum DigestEvery
{
    /// <summary>Every day at a time.</summary>
    Daily,

    /// <summary>Every week on a day at a time.</summary>
    Weekly,

    /// <summary>Every month on a day (1–28) at a time.</summary>
    Monthly,
}

/// <summary>
/// When a subscription's digest is due, in the workspace's time zone: <c>daily HH:MM</c>, <c>weekly DAY HH:MM</c>
/// (mon…sun) or <c>monthly N HH:MM</c> (N from 1 to 28, so every month has the day). Each due moment is a slot; a slot
/// is served once.
/// </summary>
/// <param name="Every">The rhythm.</param>
/// <param name="Day">The weekday (weekly) or day of the month (monthly); 0 for daily.</param>
/// <param name="Time">The local time of day.</param>
public sealed record DigestSchedule(DigestEvery Every, int Day, TimeOnly Time)
{
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>The grain a schedule reports by default: the running quarter for daily and weekly digests, the month for monthly ones.</summary>
    public string DefaultGrain => Every == DigestEvery.Monthly ? "month" : "quarter";

    /// <summary>Parses the stored form (<see cref="ToString"/>), e.g. <c>weekly mon 08:00</c>.</summary>
    public static DigestSchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts switch
        {
            ["daily", var t] => new DigestSchedule(DigestEvery.Daily, 0, ParseTime(t)),
            ["weekly", var d, var t] => new DigestSchedule(DigestEvery.Weekly, ParseWeekday(d), ParseTime(t)),
            ["monthly", var d, var t] => new DigestSchedule(DigestEvery.Monthly, ParseDayOfMonth(d), ParseTime(t)),
            _ => throw Bad(text),
        };
    }

    /// <summary>A weekday name (mon…sun, or the English full name) as 0 (Sunday) to 6.</summary>
    public static int ParseWeekday(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        var i = Array.FindIndex(Days, d => t.StartsWith(d, StringComparison.Ordinal));
        return i >= 0 ? i : throw new SalesKpiException(Msg.Of("digest.bad_weekday", "'{0}' is not a weekday: use mon, tue, wed, thu, fri, sat or sun.", "«{0}» — не день недели: используйте mon, tue, wed, thu, fri, sat или sun.", text));
    }

    /// <summary>A day of the month from 1 to 28.</summary>
    public static int ParseDayOfMonth(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 28
            ? d
            : throw new SalesKpiException(Msg.Of("digest.bad_day", "'{0}' is not a day of the month from 1 to 28 (every month has those).", "«{0}» — не день месяца от 1 до 28 (они есть в каждом месяце).", text));
    }

    /// <summary>A time of day HH:MM (24-hour).</summary>
    public static TimeOnly ParseTime(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TimeOnly.TryParseExact(text.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t
            : throw new SalesKpiException(Msg.Of("digest.bad_time", "'{0}' is not a time of day: use HH:MM, e.g. 08:00.", "«{0}» — не время суток: используйте ЧЧ:ММ, например 08:00.", text));
    }

    /// <summary>The stored form: <c>daily 08:00</c>, <c>weekly mon 08:00</c>, <c>monthly 1 08:00</c>.</summary>
    public override string ToString()
    {
        var time = Time.ToString("HH:mm", CultureInfo.InvariantCulture);
        return Every switch
        {
            DigestEvery.Daily => "daily " + time,
            DigestEvery.Weekly => "weekly " + Days[Day] + " " + time,
            _ => "monthly " + Day.ToString(CultureInfo.InvariantCulture) + " " + time,
        };
    }

    /// <summary>The latest slot at or before <paramref name="nowUtc"/> (UTC), the schedule read in <paramref name="zone"/>.</summary>
    public DateTime LastSlot(DateTime nowUtc, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc), zone));

        // Walk back from today to the first matching day whose slot is not in the future (at most two months back).
        for (var day = today; day > today.AddMonths(-2); day = day.AddDays(-1))
        {
            var matches = Every switch
            {
                DigestEvery.Daily => true,
                DigestEvery.Weekly => (int)day.DayOfWeek == Day,
                _ => day.Day == Day,
            };
            if (matches && WorkspaceTime.ToUtc(day, Time, zone) is var slot && slot <= nowUtc)
            {
                return slot;
            }
        }

        throw new InvalidOperationException("no slot in two months: " + this);
    }

    /// <summary>
    /// The period a digest of the slot reports: the month or quarter (<paramref name="grain"/>) of the day before the
    /// slot's local day. A Monday digest in the middle of a quarter shows the quarter so far; the first digest of a new
    /// quarter (or month) shows the one that just ended, complete, rather than a day-old period.
    /// </summary>
    public static Period PeriodOf(DateTime slotUtc, string grain, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(slotUtc, DateTimeKind.Utc), zone)).AddDays(-1);
        return grain == "month" ? Period.Month(day) : Period.Quarter(day);
    }

    private static SalesKpiException Bad(string text) => new(Msg.Of(
        "digest.bad_schedule",
        "'{0}' is not a schedule: use 'daily HH:MM', 'weekly DAY HH:MM' or 'monthly N HH:MM'.",
        "«{0}» — не расписание: используйте «daily ЧЧ:ММ», «weekly ДЕНЬ ЧЧ:ММ» или «monthly N ЧЧ:ММ».",
        text));
}
