using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;

namespace SalesKpi.Tests.Web;

/// <summary>A rep's scorecard: their own numbers, never judged against the company's targets.</summary>
public sealed class RepScorecardTests(DemoServer server) : IClassFixture<DemoServer>
{
    [Fact]
    public void A_reps_numbers_are_not_judged_against_company_targets()
    {
        var company = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null), new RequestContext(Language.En, DemoServer.Clock, "test", server.Db)).Scorecard;
        company.Rows.ShouldContain(r => r.Target != null && r.Status != TargetStatus.NoTarget); // the demo has company targets

        var rep = new RequestContext(Language.En, DemoServer.Clock, "test", server.Db) { Scope = new DataScope("John Smith", false) };
        var mine = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null), rep).Scorecard;

        mine.Rows.ShouldAllBe(r => r.Target == null && r.Status == TargetStatus.NoTarget);
        mine.Goals.ShouldAllBe(g => g.Attainment == null);
        mine.Notes.ShouldContain(n => n.Code == "scope.company_targets");
        mine.Rows.Single(r => r.Kpi.Def.Id == "leads").Result.Value!.Value.ShouldBeLessThan(company.Rows.Single(r => r.Kpi.Def.Id == "leads").Result.Value!.Value);
    }
}
