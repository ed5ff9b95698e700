using System.Text.Json;

namespace SalesKpi.Tests.Cli;

public sealed class AsOfRangeTests : IDisposable
{
    private readonly TempDir dir = new();

    public AsOfRangeTests()
    {
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-03-01\n");
        InProcessCli.Run(dir.Path, "import", "leads.csv").Exit.ShouldBe(0);
    }

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("2201-01-01")]
    [InlineData("1899-12-31")]
    [InlineData("2025-13-01")]
    [InlineData("2025-02-30T10:00")]
    [InlineData("2201-01-01T00:00Z")]
    public void A_well_formed_as_of_outside_the_range_is_refused_with_the_range(string asOf)
    {
        var r = InProcessCli.Run(dir.Path, "report", "--kpi", "leads", "--as-of", asOf);
        r.Exit.ShouldBe(1);
        r.Err.ShouldContain($"--as-of '{asOf}' is out of range: give a real day or moment from 1900-01-01 to 2200-12-31");
        r.Err.ShouldNotContain("not a moment");
    }

    [Fact]
    public void A_malformed_as_of_is_not_a_moment_and_the_message_states_the_range()
    {
        var r = InProcessCli.Run(dir.Path, "report", "--kpi", "leads", "--as-of", "yesterday");
        r.Exit.ShouldBe(1);
        r.Err.ShouldContain("--as-of 'yesterday' is not a moment: use 2025-09-30 or 2025-09-30T18:00 (optionally with +03:00), from 1900-01-01 to 2200-12-31.");
    }

    [Fact]
    public void A_future_as_of_warns_and_marks_buckets_that_end_after_now_partial()
    {
        // 2199 ends after now (until 2200) but before the as-of: the engine alone would not flag it.
        var r = InProcessCli.Run(dir.Path, "report", "--period", "2199", "--kpi", "leads", "--as-of", "2200-12-31", "--format", "json");
        r.Exit.ShouldBe(0, r.Err);
        r.Err.ShouldContain("warning: --as-of 2200-12-31 is in the future: only what is known now is counted, and periods that end after now are marked partial.");
        using var doc = JsonDocument.Parse(r.Out);
        var result = doc.RootElement.GetProperty("results").EnumerateArray().Single();
        result.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ShouldContain("partial");

        var past = InProcessCli.Run(dir.Path, "report", "--period", "2025", "--kpi", "leads", "--as-of", "2026-01-31", "--format", "json");
        past.Exit.ShouldBe(0, past.Err);
        past.Err.ShouldNotContain("warning");
        using var pastDoc = JsonDocument.Parse(past.Out);
        pastDoc.RootElement.GetProperty("results").EnumerateArray().Single().TryGetProperty("flags", out _).ShouldBeFalse();
    }

    [Fact]
    public void The_last_day_of_the_range_is_accepted()
    {
        var r = InProcessCli.Run(dir.Path, "report", "--period", "2025", "--kpi", "leads", "--as-of", "2200-12-31", "--format", "csv");
        r.Exit.ShouldBe(0, r.Err);
        r.Out.ShouldContain("leads,2025,2025-01-01,2025-12-31,,1,1");
    }
}
