using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using Microsoft.AspNetCore.TestHost;

namespace SalesKpi.Tests.Web;

/// <summary>A rep's scorecard: their own numbers, never judged against the company's targets.</summary>
public class RepScorecardTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableFact]
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

    [SkippableFact]
    public async Task A_rep_is_told_in_russian_which_role_a_page_needs_and_filters_all_of_their_own_data()
    {
        using var client = server.App.GetTestServer().CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.TokenFor("rita", UserRole.Rep));

        using var refused = await client.GetAsync(new Uri("/leaderboard?lang=ru", UriKind.Relative));
        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        System.Net.WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()).ShouldContain("Эта страница требует роль «менеджер» или выше; у rita роль «продавец».");

        var home = System.Net.WebUtility.HtmlDecode(await (await client.GetAsync(new Uri("/?period=2026-Q3&lang=ru", UriKind.Relative))).Content.ReadAsStringAsync());
        home.ShouldContain(">все мои данные</option>");
        home.ShouldNotContain("вся компания");
    }
}
