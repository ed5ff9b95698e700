using System.Globalization;

namespace SalesKpi.Core;

/// <summary>How a period is split into buckets.</summary>
public enum Grain
{
    /// <summary>Calendar days.</summary>
    Day,

    /// <summary>ISO weeks, Monday to Sunday.</summary>
    Week,

    /// <summary>Calendar months.</summary>
    Month,

    /// <summary>Calendar quarters.</summary>
    Quarter,

    /// <summary>Calendar years.</summary>
    Year,
}

/// <summary>
/// A half-open range of local calendar days [<see cref="Start"/>, <see cref="End"/>) in the workspace
/// time zone, with the label users write for it (<c>2025</c>, <c>2025-Q3</c>, <c>2025-09</c>,
/// <c>2025-W36</c>, <c>2025-09-15</c>, or <c>2025-01-01..2025-06-30</c> with an inclusive end).
/// Always at least one day long.
/// </summary>
/// <param name="Start">First day of the period.</param>
/// <param name="End">The day after the last day (exclusive).</param>
/// <param name="Label">The canonical label.</param>
public sealed record Period(DateOnly Start, DateOnly End, string Label)
{
    /// <summary>Number of days in the period (≥ 1).</summary>
    public int Days => End.DayNumber - Start.DayNumber;

    /// <summary>The last day, inclusive.</summary>
    public DateOnly LastDay => End.AddDays(-1);

    /// <summary>The UTC instant at which the period starts in <paramref name="zone"/> (local midnight).</summary>
    public DateTime StartUtc(TimeZoneInfo zone) => MidnightUtc(Start, zone);

    /// <summary>The UTC instant at which the period ends in <paramref name="zone"/> (exclusive).</summary>
    public DateTime EndUtc(TimeZoneInfo zone) => MidnightUtc(End, zone);

    /// <summary>The grain this period is one whole bucket of (a year, quarter, month, ISO week or day); null for a range.</summary>
    public Grain? Kind => Label switch
    {
        _ when IsYear(out _) => Core.Grain.Year,
        _ when Label.Contains("-Q", StringComparison.Ordinal) => Core.Grain.Quarter,
        _ when Label.Contains("-W", StringComparison.Ordinal) => Core.Grain.Week,
        _ when Label.Length == 7 => Core.Grain.Month,
        _ when Label.Length == 10 => Core.Grain.Day,
        _ => null,
    };

    /// <summary>The period of the same kind immediately before this one (same length for ranges).</summary>
    public Period Previous() => Shift(-1);

    /// <summary>The period of the same kind immediately after this one (same length for ranges).</summary>
    public Period Next() => Shift(1);

    /// <summary>The same period a year before: the same quarter, month, day or range; for a week, the week 52 weeks earlier.</summary>
    public Period YearBefore() => Kind switch
    {
        Core.Grain.Year => Year(Start.Year - 1),
        Core.Grain.Quarter => Quarter(Start.AddYears(-1)),
        Core.Grain.Week => Week(Start.AddDays(-364)),
        Core.Grain.Month => Month(Start.AddYears(-1)),
        Core.Grain.Day => Day(Start.AddYears(-1)),
        _ => Range(Start.AddYears(-1), End.AddYears(-1)),
    };

    /// <summary>Local midnight of <paramref name="day"/> in <paramref name="zone"/> as UTC, by the one daylight-saving rule (<see cref="WorkspaceTime"/>): a midnight skipped by a change is the first instant after the gap, a midnight shown twice the first of them.</summary>
    public static DateTime MidnightUtc(DateOnly day, TimeZoneInfo zone) => WorkspaceTime.ToUtc(day, TimeOnly.MinValue, zone);

    /// <summary>The year <paramref name="year"/>.</summary>
    public static Period Year(int year) => new(new DateOnly(year, 1, 1), new DateOnly(year + 1, 1, 1), year.ToString(CultureInfo.InvariantCulture));

    /// <summary>The quarter containing <paramref name="day"/>.</summary>
    public static Period Quarter(DateOnly day)
    {
        var q = ((day.Month - 1) / 3) + 1;
        var start = new DateOnly(day.Year, ((q - 1) * 3) + 1, 1);
        return new(start, start.AddMonths(3), string.Create(CultureInfo.InvariantCulture, $"{day.Year}-Q{q}"));
    }

    /// <summary>The month containing <paramref name="day"/>.</summary>
    public static Period Month(DateOnly day)
    {
        var start = new DateOnly(day.Year, day.Month, 1);
        return new(start, start.AddMonths(1), start.ToString("yyyy-MM", CultureInfo.InvariantCulture));
    }

    /// <summary>The ISO week (Monday to Sunday) containing <paramref name="day"/>.</summary>
    public static Period Week(DateOnly day)
    {
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        var dt = day.ToDateTime(TimeOnly.MinValue);
        return new(monday, monday.AddDays(7), string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(dt)}-W{ISOWeek.GetWeekOfYear(dt):00}"));
    }

    /// <summary>The single day <paramref name="day"/>.</summary>
    public static Period Day(DateOnly day) => new(day, day.AddDays(1), day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>The explicit range [<paramref name="start"/>, <paramref name="end"/>) labelled with its inclusive last day.</summary>
    public static Period Range(DateOnly start, DateOnly end) =>
        new(start, end, string.Create(CultureInfo.InvariantCulture, $"{start:yyyy-MM-dd}..{end.AddDays(-1):yyyy-MM-dd}"));

    /// <summary>
    /// Parses a period as users write it. Throws <see cref="SalesKpiException"/> with the accepted forms
    /// when the text is none of them or the range is empty.
    /// </summary>
    public static Period Parse(string text)
    {
        var s = text.Trim();
        var inv = CultureInfo.InvariantCulture;
        try
        {
            if (s.Contains("..", StringComparison.Ordinal))
            {
                var parts = s.Split("..");
                var a = DateOnly.ParseExact(parts[0], "yyyy-MM-dd", inv);
                var b = DateOnly.ParseExact(parts[1], "yyyy-MM-dd", inv);
                if (b < a)
                {
                    throw new SalesKpiException(Msg.Of("period.range_reversed", "The period {0} ends before it starts: write START..END with END on or after START.", "Период {0} заканчивается раньше, чем начинается: укажите НАЧАЛО..КОНЕЦ, где КОНЕЦ не раньше НАЧАЛА.", s));
                }

                return Range(a, b.AddDays(1));
            }

            if (s.Length == 4 && int.TryParse(s, NumberStyles.None, inv, out var year))
            {
                return Year(year);
            }

            if (s.Length == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') && s[6] is >= '1' and <= '4')
            {
                return Quarter(new DateOnly(int.Parse(s[..4], inv), ((s[6] - '1') * 3) + 1, 1));
            }

            if (s.Length is 7 or 8 && s[4] == '-' && (s[5] == 'W' || s[5] == 'w'))
            {
                var y = int.Parse(s[..4], inv);
                var w = int.Parse(s[6..], inv);
                if (w < 1 || w > ISOWeek.GetWeeksInYear(y))
                {
                    throw new FormatException();
                }

                return Week(DateOnly.FromDateTime(ISOWeek.ToDateTime(y, w, DayOfWeek.Monday)));
            }

            if (s.Length == 7)
            {
                return Month(DateOnly.ParseExact(s + "-01", "yyyy-MM-dd", inv));
            }

            return Day(DateOnly.ParseExact(s, "yyyy-MM-dd", inv));
        }
        catch (FormatException)
        {
            throw new SalesKpiException(Msg.Of(
                "period.unparsable",
                "'{0}' is not a period: use 2025, 2025-Q3, 2025-09, 2025-W36, 2025-09-15 or 2025-01-01..2025-06-30.",
                "«{0}» — не период: используйте 2025, 2025-Q3, 2025-09, 2025-W36, 2025-09-15 или 2025-01-01..2025-06-30.",
                s));
        }
    }

    /// <summary>
    /// Splits the period into consecutive buckets of <paramref name="grain"/> aligned to calendar
    /// boundaries; the first and last are cut at the period's edges and then labelled as ranges.
    /// </summary>
    public IReadOnlyList<Period> Split(Grain grain)
    {
        var buckets = new List<Period>();
        var day = Start;
        while (day < End)
        {
            var whole = grain switch
            {
                Grain.Day => Day(day),
                Grain.Week => Week(day),
                Grain.Month => Month(day),
                Grain.Quarter => Quarter(day),
                _ => Year(day.Year),
            };
            var s = whole.Start < Start ? Start : whole.Start;
            var e = whole.End > End ? End : whole.End;
            buckets.Add(s == whole.Start && e == whole.End ? whole : Range(s, e));
            day = e;
        }

        return buckets;
    }

    /// <summary>Parses a grain name; throws <see cref="SalesKpiException"/> listing the valid names.</summary>
    public static Grain ParseGrain(string text) =>
        Enum.TryParse<Grain>(text.Trim(), ignoreCase: true, out var g) && Enum.IsDefined(g)
            ? g
            : throw new SalesKpiException(Msg.Of("period.bad_grain", "'{0}' is not a grain: use day, week, month, quarter or year.", "«{0}» — не шаг: используйте day, week, month, quarter или year.", text));

    // The period of the same kind `steps` periods away; a range moves by its own length.
    private Period Shift(int steps) => Kind switch
    {
        Core.Grain.Year => Year(Start.Year + steps),
        Core.Grain.Quarter => Quarter(Start.AddMonths(3 * steps)),
        Core.Grain.Week => Week(Start.AddDays(7 * steps)),
        Core.Grain.Month => Month(Start.AddMonths(steps)),
        Core.Grain.Day => Day(Start.AddDays(steps)),
        _ => Range(Start.AddDays(steps * Days), End.AddDays(steps * Days)),
    };

    private bool IsYear(out int year) => int.TryParse(Label, NumberStyles.None, CultureInfo.InvariantCulture, out year) && Label.Length == 4;
}
