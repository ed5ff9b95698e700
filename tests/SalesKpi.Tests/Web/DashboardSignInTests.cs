using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

using static SalesKpi.Tests.Web.FormSession;

namespace SalesKpi.Tests.Web;

/// <summary>Signing in to the dashboard with the form, and what a signed-in rep sees there.</summary>
public partial class DashboardSignInTests(DemoServer server) : IClassFixture<DemoServer>
{
    private RequestContext Ctx => new(Language.En, DemoServer.Clock, "test", server.Db);

    [SkippableFact]
    public async Task A_page_asked_for_without_signing_in_sends_to_the_sign_in_page_and_back()
    {
        using var client = Anonymous();

        using var response = await client.GetAsync(new Uri("/kpi/win_rate?period=2026-Q3&lang=ru", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldBe("/signin?lang=ru&return_url=" + Uri.EscapeDataString("/kpi/win_rate?period=2026-Q3&lang=ru"));
    }

    [SkippableFact]
    public async Task Signing_in_with_the_form_sets_the_session_cookie_and_lands_on_the_asked_view()
    {
        new UsersService().Add(new AddUserRequest("olga", "manager", null, "olga-password-1"), Ctx);
        using var client = Anonymous();
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);

        var form = await Send(client, jar, HttpMethod.Get, "/signin?return_url=%2Fkpi%2Fwin_rate%3Fperiod%3D2026-Q3", null);
        var signedIn = await Send(client, jar, HttpMethod.Post, "/signin", new Dictionary<string, string>
        {
            ["name"] = "olga",
            ["password"] = "olga-password-1",
            ["return_url"] = "/kpi/win_rate?period=2026-Q3",
            ["__RequestVerificationToken"] = Token(form.Body),
        });
        var page = await Send(client, jar, HttpMethod.Get, "/kpi/win_rate?period=2026-Q3", null);

        form.Status.ShouldBe(HttpStatusCode.OK);
        signedIn.Status.ShouldBe(HttpStatusCode.Redirect, signedIn.Body);
        signedIn.Location.ShouldBe("/kpi/win_rate?period=2026-Q3");
        jar.ShouldContainKey("saleskpi_session");
        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Body.ShouldContain("<span class=\"user\">olga · manager</span>");
    }

    [SkippableFact]
    public async Task A_wrong_password_shows_the_form_again_with_the_reason_in_russian_and_no_session()
    {
        new UsersService().Add(new AddUserRequest("pavel", "manager", null, "pavel-password-1"), Ctx);
        using var client = Anonymous();
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        var form = await Send(client, jar, HttpMethod.Get, "/signin?lang=ru", null);

        var failed = await Send(client, jar, HttpMethod.Post, "/signin?lang=ru", new Dictionary<string, string>
        {
            ["name"] = "pavel",
            ["password"] = "wrong",
            ["lang"] = "ru",
            ["__RequestVerificationToken"] = Token(form.Body),
        });

        failed.Status.ShouldBe(HttpStatusCode.Unauthorized);
        WebUtility.HtmlDecode(failed.Body).ShouldContain("role=\"alert\"");
        failed.Body.ShouldContain("value=\"pavel\"");
        failed.Body.ShouldContain("Вход");
        jar.ShouldNotContainKey("saleskpi_session");
    }

    [SkippableFact]
    public async Task A_sign_in_without_the_forms_token_or_towards_another_site_goes_nowhere_else()
    {
        new UsersService().Add(new AddUserRequest("rita", "manager", null, "rita-password-1"), Ctx);
        using var client = Anonymous();
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);

        var forged = await Send(client, jar, HttpMethod.Post, "/signin", new Dictionary<string, string> { ["name"] = "rita", ["password"] = "rita-password-1" });
        var form = await Send(client, jar, HttpMethod.Get, "/signin", null);
        var away = await Send(client, jar, HttpMethod.Post, "/signin", new Dictionary<string, string>
        {
            ["name"] = "rita",
            ["password"] = "rita-password-1",
            ["return_url"] = "//evil.example/phish",
            ["__RequestVerificationToken"] = Token(form.Body),
        });

        forged.Status.ShouldBe(HttpStatusCode.BadRequest);
        away.Status.ShouldBe(HttpStatusCode.Redirect);
        away.Location.ShouldBe("/");
    }

    [SkippableFact]
    public async Task A_rep_sees_only_their_own_owner_among_the_scorecards_slices_and_their_own_numbers()
    {
        var users = new UsersService();
        users.Add(new AddUserRequest("john", "rep", "John Smith", "john-password-1"), Ctx);
        var token = users.CreateToken("john", null, Ctx).Secret;
        var scoped = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null), Ctx with { Scope = new DataScope("John Smith", false) });
        var leads = scoped.Scorecard.Rows.First(r => r.Result.IsTotal && r.Result.Kpi.Id == "leads");
        using var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync(new Uri("/?period=2026-Q3&dim=owner", UriKind.Relative)));
        var total = WebUtility.HtmlDecode(await client.GetStringAsync(new Uri("/?period=2026-Q3", UriKind.Relative)));

        Options().Matches(html[html.IndexOf("name=\"value\"", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).Where(v => v.Length > 0).ShouldBe(["John Smith"]);
        total.ShouldContain("<p class=\"value\" title=\"n = " + leads.Result.N.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")));
    }

    private HttpClient Anonymous()
    {
        var client = server.App.GetTestServer().CreateClient();
        return client;
    }

    [GeneratedRegex("<option value=\"([^\"]*)\"")]
    private static partial Regex Options();
}
