using System.Globalization;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>
/// Parses cells of the canonical format. All parsing is culture-invariant: <c>.</c> is the decimal
/// separator, no thousands separators, no exponents. Years outside 1900–2200 are treated as out of
/// range because they are, in practice, placeholder dates from source systems (0001-01-01, 9999-12-31).
/// </summary>
public static class ValueParser
{
    /// <summary>Earliest year accepted in timestamps and dates.</summary>
    public const int MinYear = 1900;

    /// <summary>Latest year accepted in timestamps and dates.</summary>
    public const int MaxYear = 2200;

    /// <summary>The outcome of parsing one cell.</summary>
    public enum Outcome
    {
        /// <summary>Parsed.</summary>
        Ok,

        /// <summary>Not of the expected form.</summary>
        Unparsable,

        /// <summary>Of the right form but outside the allowed range.</summary>
        OutOfRange,
    }

    /// <summary>
    /// Parses a timestamp of the canonical form and returns it as UTC. A value without an offset is
    /// local time in <paramref name="zone"/>; a local time that falls in a daylight-saving gap is moved
    /// forward by the gap, and an ambiguous one is read as standard time.
    /// </summary>
    public static Outcome TryParseTimestamp(ReadOnlySpan<char> s, TimeZoneInfo zone, out DateTime utc)
    {
        utc = default;
        if (!TryDate(s, out var year, out var month, out var day))
        {
            return Outcome.Unparsable;
        }

        int hour = 0, minute = 0, second = 0;
        long ticks = 0;
        var i = 10;
        if (s.Length > i && (s[i] == 'T' || s[i] == 't' || s[i] == ' '))
        {
            if (s.Length < i + 6 || !Two(s, i + 1, out hour) || s[i + 3] != ':' || !Two(s, i + 4, out minute))
            {
                return Outcome.Unparsable;
            }

            i += 6;
            if (s.Length > i && s[i] == ':')
            {
                if (s.Length < i + 3 || !Two(s, i + 1, out second))
                {
                    return Outcome.Unparsable;
                }

                i += 3;
                if (s.Length > i && s[i] == '.')
                {
                    i++;
                    var digits = 0;
                    while (s.Length > i && char.IsAsciiDigit(s[i]))
                    {
                        if (digits < 7)
                        {
                            ticks = (ticks * 10) + (s[i] - '0');
                        }

                        digits++;
                        i++;
                    }

                    if (digits == 0)
                    {
                        return Outcome.Unparsable;
                    }

                    for (var k = Math.Min(digits, 7); k < 7; k++)
                    {
                        ticks *= 10;
                    }
                }
            }
        }

        TimeSpan? offset = null;
        if (s.Length > i)
        {
            if ((s[i] == 'Z' || s[i] == 'z') && s.Length == i + 1)
            {
                offset = TimeSpan.Zero;
            }
            else if ((s[i] == '+' || s[i] == '-') && s.Length == i + 6 && Two(s, i + 1, out var oh) && s[i + 3] == ':' && Two(s, i + 4, out var om))
            {
                if (oh > 14 || om > 59)
                {
                    return Outcome.OutOfRange;
                }

                var o = new TimeSpan(oh, om, 0);
                offset = s[i] == '-' ? -o : o;
            }
            else
            {
                return Outcome.Unparsable;
            }
        }

        if (hour > 23 || minute > 59 || second > 59)
        {
            return Outcome.OutOfRange;
        }

        if (year is < MinYear or > MaxYear || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return Outcome.OutOfRange;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        if (offset is { } off)
        {
            utc = DateTime.SpecifyKind(local - off, DateTimeKind.Utc);
            return Outcome.Ok;
        }

        utc = ToUtc(local, zone);
        return Outcome.Ok;
    }

    /// <summary>Converts a local wall-clock time in <paramref name="zone"/> to UTC by the workspace's one daylight-saving rule (<see cref="WorkspaceTime.ToUtc(DateTime, TimeZoneInfo)"/>).</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone) => WorkspaceTime.ToUtc(local, zone);

    /// <summary>Parses a calendar date <c>YYYY-MM-DD</c>.</summary>
    public static Outcome TryParseDate(ReadOnlySpan<char> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10 || !TryDate(s, out var y, out var m, out var d))
        {
            return Outcome.Unparsable;
        }

        if (y is < MinYear or > MaxYear || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            return Outcome.OutOfRange;
        }

        date = new DateOnly(y, m, d);
        return Outcome.Ok;
    }

    /// <summary>Parses a plain decimal number (optional sign, digits, optional <c>.</c> and digits).</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> s, out decimal value)
    {
        value = default;
        if (s.IsEmpty)
        {
            return false;
        }

        var start = s[0] is '+' or '-' ? 1 : 0;
        var sawDigit = false;
        var sawPoint = false;
        for (var i = start; i < s.Length; i++)
        {
            if (char.IsAsciiDigit(s[i]))
            {
                sawDigit = true;
            }
            else if (s[i] == '.' && !sawPoint)
            {
                sawPoint = true;
            }
            else
            {
                return false;
            }
        }

        return sawDigit && decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Parses a plain decimal number that fits <paramref name="integerDigits"/> digits before and
    /// <paramref name="decimals"/> after the point. Leading zeros and trailing zeros after the point do
    /// not count; a value with more digits is <see cref="Outcome.OutOfRange"/>, never rounded — a long
    /// tail such as <c>1.00000000000000000000000000001</c> would otherwise be stored as 1 without a word.
    /// </summary>
    public static Outcome TryParseDecimal(ReadOnlySpan<char> s, int integerDigits, int decimals, out decimal value)
    {
        value = default;
        var start = !s.IsEmpty && s[0] is '+' or '-' ? 1 : 0;
        var point = -1;
        var firstSignificant = -1;
        var lastNonZeroFraction = -1;
        var sawDigit = false;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.' && point < 0)
            {
                point = i;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return Outcome.Unparsable;
            }
            else
            {
                sawDigit = true;
                if (point < 0 && firstSignificant < 0 && c != '0')
                {
                    firstSignificant = i;
                }

                if (point >= 0 && c != '0')
                {
                    lastNonZeroFraction = i;
                }
            }
        }

        if (!sawDigit)
        {
            return Outcome.Unparsable;
        }

        var integerEnd = point < 0 ? s.Length : point;
        var integerCount = firstSignificant < 0 ? 0 : integerEnd - firstSignificant;
        var fractionCount = lastNonZeroFraction < 0 ? 0 : lastNonZeroFraction - point;
        if (integerCount > integerDigits || fractionCount > decimals)
        {
            return Outcome.OutOfRange;
        }

        // At most integerDigits + decimals significant digits remain, so the parse below is exact.
        return decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
            ? Outcome.Ok
            : Outcome.Unparsable;
    }

    /// <summary>Parses a whole number (optional sign and digits).</summary>
    public static bool TryParseInteger(ReadOnlySpan<char> s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryDate(ReadOnlySpan<char> s, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-' || !Two(s, 5, out month) || !Two(s, 8, out day))
        {
            return false;
        }

        for (var i = 0; i < 4; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            year = (year * 10) + (s[i] - '0');
        }

        return true;
    }

    private static bool Two(ReadOnlySpan<char> s, int at, out int value)
    {
        value = 0;
        if (at + 2 > s.Length)
        {
            return false;
        }

        if (!char.IsAsciiDigit(s[at]) || !char.IsAsciiDigit(s[at + 1]))
        {
            return false;
        }

        value = ((s[at] - '0') * 10) + (s[at + 1] - '0');
        return true;
    }
}
