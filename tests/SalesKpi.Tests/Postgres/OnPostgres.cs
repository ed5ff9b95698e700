using SalesKpi.Tests.Application;
using SalesKpi.Tests.Engine;
using SalesKpi.Tests.Import;
using SalesKpi.Tests.KpiSystem;
using SalesKpi.Tests.Metrics;
using SalesKpi.Tests.Storage;

namespace SalesKpi.Tests.Postgres;

// The PostgreSQL twins: each runs every test of its DuckDB class, unchanged, on a workspace in the test cluster
// (TestEngine). Same data, same hand-computed expectations: the two engines must give the same numbers.
public sealed class LeadKpiTestsOnPostgres : LeadKpiTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class DealKpiTestsOnPostgres : DealKpiTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class FunnelTestsOnPostgres : FunnelTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class DiagnoseTestsOnPostgres : DiagnoseTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class LeadMilestonesTestsOnPostgres : LeadMilestonesTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class VelocityTestsOnPostgres : VelocityTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ConsistencyTestsOnPostgres : ConsistencyTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class SmallSampleTestsOnPostgres : SmallSampleTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class SnapshotAndSliceTestsOnPostgres : SnapshotAndSliceTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class SimulationTestsOnPostgres : SimulationTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class CalibrationTestsOnPostgres : CalibrationTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class FunnelLostReasonsTestsOnPostgres : FunnelLostReasonsTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ImporterTestsOnPostgres : ImporterTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ImportHardeningTestsOnPostgres : ImportHardeningTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class KpiSystemStoreTestsOnPostgres : KpiSystemStoreTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class WritePathTestsOnPostgres : WritePathTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class TargetsServiceTestsOnPostgres : TargetsServiceTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class IdSequenceTestsOnPostgres : IdSequenceTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class AuditLogTestsOnPostgres : AuditLogTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ScorecardTestsOnPostgres : ScorecardTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ScorecardForecastTestsOnPostgres : ScorecardForecastTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ParameterValidationTestsOnPostgres : ParameterValidationTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class EngineLanesTestsOnPostgres : EngineLanesTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class CustomerEventsTestsOnPostgres : CustomerEventsTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

/// <summary>What makes a twin skip cleanly where no cluster is configured.</summary>
public sealed class TwinTests
{
    [Fact]
    public void Every_test_of_a_class_with_a_postgresql_twin_can_be_skipped()
    {
        // A plain [Fact] reports the twin's "no cluster" skip as a failure on a machine without PostgreSQL.
        var twins = typeof(TwinTests).Assembly.GetTypes().Where(t => t.Name.EndsWith("OnPostgres", StringComparison.Ordinal) && t.BaseType != typeof(object)).ToList();
        twins.Count.ShouldBeGreaterThan(20);
        var plain = twins
            .SelectMany(t => t.BaseType!.GetMethods().Select(m => (t.BaseType.Name, Method: m)))
            .Where(x => x.Method.GetCustomAttributes(inherit: true).Any(a => a.GetType() == typeof(FactAttribute) || a.GetType() == typeof(TheoryAttribute)))
            .Select(x => $"{x.Name}.{x.Method.Name}")
            .ToList();
        plain.ShouldBeEmpty();
    }
}
