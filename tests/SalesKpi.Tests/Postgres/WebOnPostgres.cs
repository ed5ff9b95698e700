using SalesKpi.Tests.Web;

namespace SalesKpi.Tests.Postgres;

// The server's twins: each runs every test of its API or dashboard class, unchanged, with the demo workspace of its
// DemoServer (and any workspace a test makes) in the test cluster, served in-process as on DuckDB. The server, the
// CLI run beside it and the hand-computed expectations must agree on PostgreSQL exactly as they do on DuckDB.
public sealed class SignInTestsOnPostgres : SignInTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ApiTestsOnPostgres(DemoServer server) : ApiTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ApiReadMoreTestsOnPostgres(DemoServer server) : ApiReadMoreTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ApiWriteTestsOnPostgres(DemoServer server) : ApiWriteTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class EndpointRoleTestsOnPostgres(DemoServer server) : EndpointRoleTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class BriefSharingTestsOnPostgres(DemoServer server) : BriefSharingTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class DashboardTestsOnPostgres(DemoServer server) : DashboardTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class KpiPageTestsOnPostgres(DemoServer server) : KpiPageTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ExplainSliceTestsOnPostgres(DemoServer server) : ExplainSliceTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class DashboardCacheTestsOnPostgres(DemoServer server) : DashboardCacheTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class DashboardLinkTestsOnPostgres(DemoServer server) : DashboardLinkTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class DashboardSignInTestsOnPostgres(DemoServer server) : DashboardSignInTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class DiagnosisLeaderboardPageTestsOnPostgres(DemoServer server) : DiagnosisLeaderboardPageTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ExportDownloadTestsOnPostgres(DemoServer server) : ExportDownloadTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ForecastTileTestsOnPostgres(DemoServer server) : ForecastTileTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class FunnelPageTestsOnPostgres(DemoServer server) : FunnelPageTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ImportPageTestsOnPostgres(DemoServer server) : ImportPageTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class InjectionTestsOnPostgres(DemoServer server) : InjectionTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class RepScorecardTestsOnPostgres(DemoServer server) : RepScorecardTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class ResultCacheTestsOnPostgres(DemoServer server) : ResultCacheTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class SystemPageTestsOnPostgres(DemoServer server) : SystemPageTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class UserAuditTestsOnPostgres(DemoServer server) : UserAuditTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}

public sealed class WhatIfPageTestsOnPostgres(DemoServer server) : WhatIfPageTests(server)
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}
