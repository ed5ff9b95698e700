using System.Runtime.InteropServices;
using SalesKpi.Storage.DuckDb;

namespace SalesKpi.Tests.Storage;

/// <summary>
/// The hooks in this test process: installed on every automatic arena, then withdrawn. While they are in place the
/// other tests' DuckDB memory goes through them; no result depends on where the kernel places memory.
/// </summary>
public sealed class EngineHugePagesTests
{
    [SkippableFact]
    public void Withdrawn_hooks_leave_every_arena_with_jemallocs_own_table_and_are_not_installed_again()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal), "DuckDB bundles jemalloc on Linux");

        EngineHugePages.Advise().ShouldBeTrue();
        EngineHugePages.Active.ShouldBeTrue();
        var (builtIn, hooked) = EngineHugePages.Tables();
        builtIn.ShouldNotBe(0);
        hooked.Count(t => t is not null && t != builtIn).ShouldBeGreaterThanOrEqualTo(1);

        EngineHugePages.Withdraw();

        EngineHugePages.Active.ShouldBeFalse();
        var (_, after) = EngineHugePages.Tables();
        after.Where(t => t is not null).ShouldAllBe(t => t == builtIn);
        EngineHugePages.Advise().ShouldBeFalse();
        EngineHugePages.Tables().Arenas.Where(t => t is not null).ShouldAllBe(t => t == builtIn);
    }
}
