using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using SalesKpi.Cli;

namespace SalesKpi.Tests.Cli;

/// <summary>
/// How each command as a process takes the engine's memory (EngineMemory): huge pages for a one-off command that
/// reads, none asked for an import or with SALESKPI_HUGE_PAGES=off. Run as processes, because the choice is the
/// process's and lasts its life.
/// </summary>
public sealed partial class EngineMemoryTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    // DuckDB's Linux builds bundle jemalloc, on x64 and arm64 alike; the kernel must know huge pages at all.
    private static bool Supported =>
        OperatingSystem.IsLinux()
        && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal)
        && Directory.Exists("/sys/kernel/mm/transparent_hugepage");

    // The default spelled out, so that a shell exporting SALESKPI_HUGE_PAGES=off does not decide these tests.
    private CliRunner.Result Process(string hugePages, params string[] args) =>
        CliRunner.Run(dir.Path, new Dictionary<string, string> { [EngineMemory.HugePagesVariable] = hugePages }, args);

    // The kernel's setting, the bracketed word of e.g. "always [madvise] never".
    private static string? Kernel(string setting) =>
        File.Exists("/sys/kernel/mm/transparent_hugepage/" + setting)
            ? Regex.Match(File.ReadAllText("/sys/kernel/mm/transparent_hugepage/" + setting), @"\[([\w+]+)\]").Groups[1].Value
            : null;

    // A process (or its service manager or container) may have huge pages turned off for itself, which children inherit.
    private static bool TurnedOffForThisProcess =>
        File.ReadLines("/proc/self/status").Any(l => l.StartsWith("THP_enabled:", StringComparison.Ordinal) && l.EndsWith('0'));

    /// <summary>The trace's page faults and the memory advised, null for "huge pages not asked for".</summary>
    private static (long Faults, long? AdvisedMb) Trace(CliRunner.Result r)
    {
        var m = TraceLine().Match(r.Err);
        m.Success.ShouldBeTrue(r.Err);
        return (
            long.Parse(m.Groups["faults"].Value, CultureInfo.InvariantCulture),
            m.Groups["mb"].Success ? long.Parse(m.Groups["mb"].Value, CultureInfo.InvariantCulture) : null);
    }

    [GeneratedRegex(@"trace: minor page faults: (?<faults>\d+); (engine memory advised for huge pages: (?<mb>\d+) MB|huge pages not asked for)")]
    private static partial Regex TraceLine();

    private string[] Report => ["report", "--db", dir.Db, "--period", "2025", "--grain", "month", "--by", "channel", "--format", "json", "--as-of", "2026-06-01", "--verbose"];

    private void Workspace()
    {
        // A DuckDB file in the test's folder: the PostgreSQL twin mode has no engine memory of this kind.
        Skip.If(TestEngine.Postgres, "the engine's own allocator is DuckDB's");
        InProcessCli.Run(dir.Path, "demo", "--leads", "3000", "--db", dir.Db).Exit.ShouldBe(0);
    }

    [SkippableFact]
    public void A_report_asks_for_huge_pages_for_the_engines_memory_and_off_keeps_its_result_on_4_KB_pages()
    {
        Skip.IfNot(Supported, "huge pages are asked for on Linux with DuckDB's jemalloc");
        Workspace();

        var on = Process("on", Report);
        var off = Process("off", Report);

        on.Exit.ShouldBe(0, on.Err);
        off.Exit.ShouldBe(0, off.Err);

        // jemalloc maps its first extent of each arena at 2 MB or more, so any query is enough.
        Trace(on).AdvisedMb.ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(2);
        Trace(off).AdvisedMb.ShouldBeNull();
        on.Out.ShouldBe(off.Out);
    }

    [SkippableFact]
    public void Where_the_kernel_grants_huge_pages_a_report_takes_fewer_page_faults()
    {
        Skip.IfNot(Supported, "huge pages are asked for on Linux with DuckDB's jemalloc");
        // Under "always" the kernel gives huge pages without being asked, and under "never" not even when asked. Where it
        // does not make them on request when memory is fragmented ("defer", "never"), a busy machine may get none.
        Skip.If(Kernel("enabled") != "madvise", "the kernel decides huge pages by itself unless its mode is madvise");
        Skip.IfNot(Kernel("defrag") is "madvise" or "defer+madvise" or "always", "the kernel makes no huge pages on request");
        Skip.If(TurnedOffForThisProcess, "huge pages are turned off for this process (prctl)");
        Workspace();

        // Measured on a 3,000-lead demo: about 12,000 faults against 19,000, where runs of one kind differ by a few
        // hundred.
        var on = Trace(Process("on", Report)).Faults;
        var off = Trace(Process("off", Report)).Faults;

        on.ShouldBeLessThan(off * 9 / 10, $"{on} faults with huge pages, {off} without");
    }

    [SkippableFact]
    public void An_import_and_the_demo_keep_4_KB_pages()
    {
        Skip.IfNot(Supported, "huge pages are asked for on Linux with DuckDB's jemalloc");
        Skip.If(TestEngine.Postgres, "the engine's own allocator is DuckDB's");
        dir.Write("leads.csv", "lead_id,created_at,channel\nL1,2025-03-01 10:00:00,seo\n");
        Process("on", "init", "--db", dir.Db).Exit.ShouldBe(0);

        var import = Process("on", "import", "leads.csv", "--db", dir.Db, "--verbose");
        var demo = Process("on", "demo", "--leads", "300", "--db", dir.File("demo.duckdb"), "--verbose");

        import.Exit.ShouldBe(0, import.Err);
        demo.Exit.ShouldBe(0, demo.Err);
        Trace(import).AdvisedMb.ShouldBeNull();
        Trace(demo).AdvisedMb.ShouldBeNull();
    }

    [Fact]
    public void Another_value_is_refused_before_anything_is_done()
    {
        var r = Process("yes", "init", "--db", dir.Db);

        r.Exit.ShouldBe(2);
        r.Err.ShouldContain("SALESKPI_HUGE_PAGES 'yes' is neither on nor off.");
        r.Err.ShouldContain("SALESKPI_HUGE_PAGES «yes» — не on и не off.");
        File.Exists(dir.Db).ShouldBeFalse();
    }

    [Fact]
    public void A_switch_is_unset_on_or_off_in_any_case()
    {
        OnOff.IsValid(null).ShouldBeTrue();
        OnOff.IsValid(string.Empty).ShouldBeTrue();
        OnOff.IsValid("ON").ShouldBeTrue();
        OnOff.IsValid("Off").ShouldBeTrue();
        OnOff.IsValid("1").ShouldBeFalse();
        OnOff.IsValid(" off").ShouldBeFalse();
        OnOff.IsOff("OFF").ShouldBeTrue();
        OnOff.IsOff(null).ShouldBeFalse();
        OnOff.IsOff("on").ShouldBeFalse();
    }
}
