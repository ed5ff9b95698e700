using SalesKpi.Import;
using Xunit.Abstractions;

namespace SalesKpi.Tests.Import;

/// <summary>
/// A few hundred deterministic mutations of the canonical samples through the real importer; the
/// larger campaign is <c>benchmarks/SalesKpi.Benchmarks -- fuzz</c> (docs/reliability.md).
/// </summary>
public sealed class ImportFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Mutated_canonical_files_lose_nothing_and_store_what_an_independent_reading_stores()
    {
        var samples = Path.Combine(Metrics.ConsistencyTests.RepoRoot(), "samples", "canonical");
        using var ws = Ws.Create(dir);
        var outcomes = ImportFuzz.CheckAll(ws, dir.Path, ImportFuzz.Cases(samples, seed: 11, count: 200));

        foreach (var o in outcomes.Where(o => o.Pending.Count > 0))
        {
            output.WriteLine($"pending (other branch) case {o.Case.Id} {o.Case.FileName} [{o.Case.Mutations}]: {string.Join(" / ", o.Pending)}");
        }

        var failures = outcomes.Where(o => o.Violations.Count > 0)
            .Select(o => $"case {o.Case.Id} {o.Case.FileName} [{o.Case.Mutations}]: {string.Join(" / ", o.Violations)}")
            .ToList();
        failures.ShouldBeEmpty(string.Join("\n", failures));

        // The mutations must reach every outcome, or the invariants above were checked on nothing.
        outcomes.Select(o => o.Kind).Distinct().Order().ShouldBe(["clean", "partial", "whole-file"], ignoreOrder: true);
        outcomes.Sum(o => o.Rejected).ShouldBeGreaterThan(200);
    }

    // Found by the fuzzer: with a BOM the reader fell back to lenient UTF-8 and stored U+FFFD.
    [Fact]
    public void A_file_with_a_bom_and_bytes_that_are_not_utf8_is_rejected_whole()
    {
        using var ws = Ws.Create(dir);
        File.WriteAllBytes(dir.File("leads.csv"), [0xEF, 0xBB, 0xBF, .. "lead_id,created_at\nL1,2025-01-01\nL"u8, 0xFF, .. "2,2025-01-02\n"u8]);
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.csv")] });
        r.Files.Single().Error!.ShouldContain("not UTF-8");
        ws.Count("SELECT count(*) FROM leads").ShouldBe(0);
    }
}
