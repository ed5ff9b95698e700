using System.Net;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Web;

/// <summary>The dashboard's xlsx downloads: the page's own view, and for a rep only the rep's rows.</summary>
public class ExportDownloadTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableFact]
    public async Task A_reps_downloads_hold_only_the_reps_rows()
    {
        var owners = new ReportService().Run(new ReportQuery("2026", null, null, ["owner"], ["leads"]), Ctx()).Report.Results.Where(r => r.Slice.ContainsKey("owner")).Select(r => r.Slice["owner"]).ToList();
        var mine = owners.First(o => o != "(none)");
        var rep = Ctx() with { Scope = new DataScope(mine, false) };
        // A rep who is one of the demo's owners, so the files have rows to check.
        var users = new UsersService();
        users.Add(new AddUserRequest("vera", "rep", mine, "password-of-vera"), Ctx());
        using var client = server.App.GetTestServer().CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", users.CreateToken("vera", null, Ctx()).Secret);

        var records = Rows(await Download(client, "/kpi/win_rate/records.xlsx?period=2026"));
        var explainMine = new ExplainService().Run(new ExplainQuery("win_rate", "2026", null, [], 0), rep).Explanation.Sources.Sum(x => x.Rows.Count);
        var explainAll = new ExplainService().Run(new ExplainQuery("win_rate", "2026", null, [], 0), Ctx()).Explanation.Sources.Sum(x => x.Rows.Count);
        records.Count.ShouldBe(1 + explainMine);
        explainMine.ShouldBeGreaterThan(0);
        explainMine.ShouldBeLessThan(explainAll);

        var funnel = Rows(await Download(client, "/funnel.xlsx?period=2026"));
        var expected = new FunnelService().Run(new FunnelQuery("2026", null, null), rep).Funnel.Steps;
        var company = new FunnelService().Run(new FunnelQuery("2026", null, null), Ctx()).Funnel.Steps;
        funnel.Skip(1).Select(r => Convert.ToInt64(r[3], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(expected.Select(s => s.Count));
        expected[0].Count.ShouldBeLessThan(company[0].Count);

        var card = Rows(await Download(client, "/scorecard.xlsx?period=2026-Q3"));
        var myLeads = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null), rep).Scorecard.Rows.Single(r => r.Kpi.Id == "leads" && r.Result.IsTotal).Result.Value;
        Convert.ToDecimal(card.Single(r => Equals(r[0], "leads"))[4], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(myLeads!.Value);

        var trend = Rows(await Download(client, "/kpi/leads/trend.xlsx?period=2026&by=channel"));
        trend[0][1].ShouldBe("Number of leads");
        trend.Skip(1).Sum(r => Convert.ToDecimal(r[1] ?? 0, System.Globalization.CultureInfo.InvariantCulture)).ShouldBeLessThan(company[0].Count);
    }

    [SkippableFact]
    public async Task The_pages_offer_their_xlsx_and_the_files_are_the_pages_views()
    {
        var home = await server.Get("/?period=2026-Q3", HttpStatusCode.OK);
        home.ShouldContain("href=\"/scorecard.xlsx?lang=en&amp;period=2026-Q3\"");
        (await server.Get("/funnel?period=2026-Q3", HttpStatusCode.OK)).ShouldContain("href=\"/funnel.xlsx?lang=en&amp;period=2026-Q3\"");
        (await server.Get("/kpi/win_rate?period=2026-Q3", HttpStatusCode.OK)).ShouldContain("/kpi/win_rate/trend.xlsx?");

        var card = Rows(await Download(server.Client, "/scorecard.xlsx?period=2026-Q3&lang=ru"));
        card[0][0].ShouldBe("KPI");
        card[0][1].ShouldBe("Название");
        var expected = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null), Ctx()).Scorecard.Rows.Where(r => r.Result.IsTotal).ToList();
        card.Skip(1).Select(r => (string)r[0]!).ShouldBe(expected.Select(r => r.Kpi.Id));
    }

    private RequestContext Ctx() => new(Language.En, DemoServer.Clock, "test", server.Db);

    private static async Task<byte[]> Download(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static List<object?[]> Rows(byte[] xlsx) =>
        [.. MiniExcelLibs.MiniExcel.Query(new MemoryStream(xlsx), useHeaderRow: false).Cast<IDictionary<string, object?>>().Select(r => r.Values.ToArray())];
}
