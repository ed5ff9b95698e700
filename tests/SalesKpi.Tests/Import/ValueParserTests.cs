using SalesKpi.Core;
using SalesKpi.Import;

namespace SalesKpi.Tests.Import;

public sealed class ValueParserTests
{
    private static readonly TimeZoneInfo Moscow = WorkspaceSettings.ResolveZone("Europe/Moscow");
    private static readonly TimeZoneInfo Berlin = WorkspaceSettings.ResolveZone("Europe/Berlin");

    [Theory]
    [InlineData("2025-09-15", "2025-09-15T00:00:00")]
    [InlineData("2025-09-15T10:30", "2025-09-15T10:30:00")]
    [InlineData("2025-09-15 10:30:45", "2025-09-15T10:30:45")]
    [InlineData("2025-09-15T10:30:45.250", "2025-09-15T10:30:45.250")]
    [InlineData("2025-09-15T10:30Z", "2025-09-15T10:30:00")]
    [InlineData("2025-09-15T10:30:00+03:00", "2025-09-15T07:30:00")]
    [InlineData("2025-09-15 23:59:59-05:30", "2025-09-16T05:29:59")]
    public void Canonical_timestamp_forms_parse_to_utc_in_a_utc_workspace(string input, string expectedUtc)
    {
        ValueParser.TryParseTimestamp(input, TimeZoneInfo.Utc, out var utc).ShouldBe(ValueParser.Outcome.Ok);
        utc.ShouldBe(DateTime.Parse(expectedUtc, global::System.Globalization.CultureInfo.InvariantCulture));
        utc.Kind.ShouldBe(DateTimeKind.Utc);
    }

    [Fact]
    public void Timestamp_without_offset_is_local_time_of_the_workspace_zone()
    {
        ValueParser.TryParseTimestamp("2025-01-05 10:00", Moscow, out var utc).ShouldBe(ValueParser.Outcome.Ok);
        utc.ShouldBe(new DateTime(2025, 1, 5, 7, 0, 0));
    }

    [Fact]
    public void Explicit_offset_wins_over_the_workspace_zone()
    {
        ValueParser.TryParseTimestamp("2025-01-05T10:00:00Z", Moscow, out var utc).ShouldBe(ValueParser.Outcome.Ok);
        utc.ShouldBe(new DateTime(2025, 1, 5, 10, 0, 0));
    }

    [Fact]
    public void Local_time_in_a_daylight_saving_gap_moves_past_the_gap()
    {
        // 2025-03-30 02:30 does not exist in Berlin (clocks jump 02:00 → 03:00 CEST = 01:00 UTC).
        ValueParser.TryParseTimestamp("2025-03-30 02:30", Berlin, out var utc).ShouldBe(ValueParser.Outcome.Ok);
        utc.ShouldBe(new DateTime(2025, 3, 30, 1, 30, 0));
    }

    [Theory]
    [InlineData("15.09.2025")]
    [InlineData("2025/09/15")]
    [InlineData("2025-09-15T10")]
    [InlineData("2025-09-15 10:30 +03:00")]
    [InlineData("2025-09-15T10:30:00.")]
    [InlineData("yesterday")]
    public void Other_forms_are_unparsable(string input) =>
        ValueParser.TryParseTimestamp(input, TimeZoneInfo.Utc, out _).ShouldBe(ValueParser.Outcome.Unparsable);

    [Theory]
    [InlineData("2025-02-30")]
    [InlineData("2025-13-01")]
    [InlineData("2025-01-01T24:00")]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    public void Impossible_dates_are_out_of_range(string input) =>
        ValueParser.TryParseTimestamp(input, TimeZoneInfo.Utc, out _).ShouldBe(ValueParser.Outcome.OutOfRange);

    [Fact]
    public void Date_accepts_only_the_plain_day()
    {
        ValueParser.TryParseDate("2024-02-29", out var d).ShouldBe(ValueParser.Outcome.Ok);
        d.ShouldBe(new DateOnly(2024, 2, 29));
        ValueParser.TryParseDate("2025-02-29", out _).ShouldBe(ValueParser.Outcome.OutOfRange);
        ValueParser.TryParseDate("2025-02-01 00:00", out _).ShouldBe(ValueParser.Outcome.Unparsable);
    }

    [Theory]
    [InlineData("1234.56", true)]
    [InlineData("-0.5", true)]
    [InlineData("+7", true)]
    [InlineData("1,234.56", false)]
    [InlineData("1 234", false)]
    [InlineData("1e5", false)]
    [InlineData("12,5", false)]
    [InlineData(".", false)]
    public void Decimals_use_a_point_and_no_separators_or_exponents(string input, bool ok) =>
        ValueParser.TryParseDecimal(input, out _).ShouldBe(ok);

    [Theory]
    [InlineData("1.00000000000000000000000000001", "OutOfRange", null)]
    [InlineData("0.00000000000000000000000000000000000000001", "OutOfRange", null)]
    [InlineData("10.12345", "OutOfRange", null)]
    [InlineData("123456789012345", "OutOfRange", null)]
    [InlineData("-123456789012345.5", "OutOfRange", null)]
    [InlineData("12345678901234.5678", "Ok", "12345678901234.5678")]
    [InlineData("-0.0001", "Ok", "-0.0001")]
    [InlineData("1.50000000000000000000000000000000", "Ok", "1.5")]
    [InlineData("0000000000000000000000000000000042", "Ok", "42")]
    [InlineData("+.5", "Ok", "0.5")]
    [InlineData("1e-41", "Unparsable", null)]
    [InlineData("1.2.3", "Unparsable", null)]
    [InlineData("-", "Unparsable", null)]
    [InlineData("", "Unparsable", null)]
    public void Decimals_beyond_the_stored_digits_are_out_of_range_and_never_rounded(string input, string outcome, string? value)
    {
        ValueParser.TryParseDecimal(input, 14, 4, out var d).ShouldBe(Enum.Parse<ValueParser.Outcome>(outcome));
        if (value is not null)
        {
            d.ShouldBe(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
