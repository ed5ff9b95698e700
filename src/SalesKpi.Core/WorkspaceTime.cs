namespace SalesKpi.Core;

/// <summary>
/// The one daylight-saving rule of SalesKpi: how a wall-clock time in a time zone becomes an instant.
/// A time the clocks skipped (spring forward) is shifted forward by the length of the gap, i.e. read with
/// the offset in force just before the change; a time the clocks showed twice (fall back) is the earlier
/// of the two instants. This is the "lenient" resolution of java.time and NodaTime, and what a clock that
/// had not been moved yet would have meant. Period boundaries, the business calendar and imported
/// timestamps without an offset all go through <see cref="ToUtc(DateTime, TimeZoneInfo)"/>.
/// </summary>
public static class WorkspaceTime
{
    /// <summary>The UTC instant of the wall-clock time <paramref name="local"/> (its kind is ignored) in <paramref name="zone"/>.</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone == TimeZoneInfo.Utc)
        {
            return DateTime.SpecifyKind(local, DateTimeKind.Utc);
        }

        // The offsets a day either side of the wall-clock time read as UTC bracket any change that can
        // touch it (offsets lie within ±14 h, a gap is at most a day). TimeZoneInfo.IsInvalidTime is not
        // used: it sees only daylight-saving rules, not a change of the standard offset such as Moscow's in 2011.
        var asUtc = DateTime.SpecifyKind(local, DateTimeKind.Utc);
        var before = zone.GetUtcOffset(asUtc.AddDays(-1));
        var after = zone.GetUtcOffset(asUtc.AddDays(1));
        if (before == after)
        {
            return asUtc - before;
        }

        var first = asUtc - before;
        var second = asUtc - after;
        var firstHolds = zone.GetUtcOffset(first) == before;
        var secondHolds = zone.GetUtcOffset(second) == after;
        return (firstHolds, secondHolds) switch
        {
            // Shown twice (the clocks went back): the earlier instant.
            (true, true) => first < second ? first : second,
            (false, true) => second,

            // Skipped (the clocks went forward), or only the old offset holds: read with the offset before the change,
            // which moves a skipped time forward by the length of the gap.
            _ => first,
        };
    }

    /// <summary>The UTC instant of <paramref name="time"/> on <paramref name="day"/> in <paramref name="zone"/>, by <see cref="ToUtc(DateTime, TimeZoneInfo)"/>.</summary>
    public static DateTime ToUtc(DateOnly day, TimeOnly time, TimeZoneInfo zone) =>
        ToUtc(day.ToDateTime(time, DateTimeKind.Unspecified), zone);
}
