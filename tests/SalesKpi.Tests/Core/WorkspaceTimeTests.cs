using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Tests.Metrics;

namespace SalesKpi.Tests.Core;

/// <summary>The one daylight-saving rule: a skipped time moves forward by the gap, a repeated time is its first occurrence.</summary>
public sealed class WorkspaceTimeTests
{
    private static readonly TimeZoneInfo Moscow = WorkspaceSettings.ResolveZone("Europe/Moscow");
    private static readonly TimeZoneInfo Berlin = WorkspaceSettings.ResolveZone("Europe/Berlin");
    private static readonly TimeZoneInfo Santiago = WorkspaceSettings.ResolveZone("America/Santiago");
    private static readonly TimeZoneInfo Havana = WorkspaceSettings.ResolveZone("America/Havana");

    private static DateTime Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    [Fact]
    public void A_time_skipped_in_Moscow_2011_is_read_with_the_offset_before_the_gap()
    {
        // 2011-03-27 02:00 MSK (+03) became 03:00 (+04, kept for good): 02:30 is 30 minutes into the gap.
        WorkspaceTime.ToUtc(new DateTime(2011, 3, 27, 2, 30, 0), Moscow).ShouldBe(Utc(2011, 3, 26, 23, 30));
        // The first valid minute after the gap is the next instant after 02:59 read with +03.
        WorkspaceTime.ToUtc(new DateTime(2011, 3, 27, 3, 0, 0), Moscow).ShouldBe(Utc(2011, 3, 26, 23, 0));
    }

    [Fact]
    public void A_time_repeated_in_Moscow_2014_is_its_first_occurrence()
    {
        // 2014-10-26 02:00 (+04) went back to 01:00 (+03): 01:30 happened at 21:30 and again at 22:30 UTC.
        WorkspaceTime.ToUtc(new DateTime(2014, 10, 26, 1, 30, 0), Moscow).ShouldBe(Utc(2014, 10, 25, 21, 30));
    }

    [Fact]
    public void Berlin_gap_and_overlap_follow_the_same_rule()
    {
        WorkspaceTime.ToUtc(new DateTime(2025, 3, 30, 2, 30, 0), Berlin).ShouldBe(Utc(2025, 3, 30, 1, 30));
        WorkspaceTime.ToUtc(new DateTime(2025, 10, 26, 2, 30, 0), Berlin).ShouldBe(Utc(2025, 10, 26, 0, 30));
        WorkspaceTime.ToUtc(new DateTime(2025, 10, 26, 3, 0, 0), Berlin).ShouldBe(Utc(2025, 10, 26, 2, 0));
    }

    [Fact]
    public void A_period_starting_at_a_skipped_midnight_starts_after_the_gap()
    {
        // Chile: 2025-09-07 00:00 (-04) jumped to 01:00 (-03); the day starts at 04:00 UTC and the day before ends there.
        var day = Period.Parse("2025-09-07");
        day.StartUtc(Santiago).ShouldBe(Utc(2025, 9, 7, 4, 0));
        Period.Parse("2025-09-06").EndUtc(Santiago).ShouldBe(day.StartUtc(Santiago));
    }

    [Fact]
    public void A_period_starting_at_a_repeated_midnight_starts_at_its_first_occurrence()
    {
        // Cuba: 2025-11-02 01:00 (-04) went back to 00:00 (-05); midnight was at 04:00 and 05:00 UTC.
        Period.Parse("2025-11-02").StartUtc(Havana).ShouldBe(Utc(2025, 11, 2, 4, 0));
        Period.Parse("2025-11").StartUtc(Havana).ShouldBe(Utc(2025, 11, 1, 4, 0));
    }

    [Fact]
    public void Imported_local_timestamps_in_a_gap_or_an_overlap_follow_the_rule()
    {
        ValueParser.TryParseTimestamp("2011-03-27 02:30", Moscow, out var gap).ShouldBe(ValueParser.Outcome.Ok);
        gap.ShouldBe(Utc(2011, 3, 26, 23, 30));
        ValueParser.TryParseTimestamp("2014-10-26 01:30", Moscow, out var repeated).ShouldBe(ValueParser.Outcome.Ok);
        repeated.ShouldBe(Utc(2014, 10, 25, 21, 30));
    }

    // Working time every day 02:30–04:00 Berlin. 2025-03-30: 02:30 is skipped, so the day opens at 01:30 UTC
    // (03:30 CEST) and closes at 02:00 UTC: a lead at 01:00Z answered at 02:00Z waited 0.5 working hours.
    // 2025-10-26: 02:30 happens twice, the day opens at the first (00:30 UTC) and closes at 04:00 CET = 03:00 UTC:
    // a lead at 00:00Z answered at 03:00Z waited 2.5 working hours.
    [Fact]
    public void The_business_calendar_opens_a_skipped_or_repeated_hour_by_the_same_rule()
    {
        const string leads = """
            lead_id,created_at,first_response_at
            A,2025-03-30T01:00:00Z,2025-03-30T02:00:00Z
            B,2025-10-26T00:00:00Z,2025-10-26T03:00:00Z

            """;
        using var f = new KpiFixture("Europe/Berlin", ("leads.csv", leads));
        var every = new KpiParameters
        {
            Calendar = new BusinessCalendar { WorkingDays = [.. Enum.GetValues<DayOfWeek>()], Open = new TimeOnly(2, 30), Close = new TimeOnly(4, 0) },
        };
        f.One("2025-03", "lead_response_time", "2026-01-01T00:00:00Z", every).Value.ShouldBeAbout(0.5);
        f.One("2025-10", "lead_response_time", "2026-01-01T00:00:00Z", every).Value.ShouldBeAbout(2.5);
    }
}
