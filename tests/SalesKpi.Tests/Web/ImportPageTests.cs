using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Web;

using static SalesKpi.Tests.Web.FormSession;

namespace SalesKpi.Tests.Web;

/// <summary>The dashboard's import page: a dry run of uploaded files, then the import of the same files, as a head signed in with the form.</summary>
public partial class ImportPageTests(DemoServer server) : IClassFixture<DemoServer>
{
    private const string Leads = "lead_id,created_at,channel\nT9001,2026-10-01 10:00,events\nT9002,not-a-date,events\nT9003,2026-10-02 11:30,events\n";

    private RequestContext Ctx => new(Language.En, DemoServer.Clock, "test", server.Db);

    [SkippableFact]
    public async Task A_dry_run_stores_nothing_and_import_for_real_stores_the_same_files_with_a_rejects_download()
    {
        var (client, jar) = await SignedIn("helga", "head");
        using var _ = client;
        var before = LeadCount();

        var form = await SendContent(client, jar, HttpMethod.Get, "/import?lang=en", null);
        var dry = await SendContent(client, jar, HttpMethod.Post, "/import?lang=en", Upload(Token(form.Body), ("leads.csv", Leads)));

        dry.Status.ShouldBe(HttpStatusCode.OK, dry.Body);
        var text = WebUtility.HtmlDecode(dry.Body);
        text.ShouldContain("Read 3 = would store 2 + rejected 1.");
        text.ShouldContain("<td>created_at</td>");
        text.ShouldContain("T9001");
        LeadCount().ShouldBe(before);
        var upload = UploadField().Match(dry.Body).Groups[1].Value;
        upload.Length.ShouldBe(32);

        var real = await SendContent(client, jar, HttpMethod.Post, "/import?lang=en", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(dry.Body),
            ["upload"] = upload,
            ["profile"] = string.Empty,
        }));

        real.Status.ShouldBe(HttpStatusCode.OK, real.Body);
        WebUtility.HtmlDecode(real.Body).ShouldContain("Read 3 = stored 2 + rejected 1.");
        LeadCount().ShouldBe(before + 2);
        var link = "/import/" + upload + "/rejects?file=1";
        real.Body.ShouldContain("href=\"" + link + "\"");
        var rejects = await SendContent(client, jar, HttpMethod.Get, link, null);
        rejects.Status.ShouldBe(HttpStatusCode.OK);
        rejects.Body.ShouldContain("T9002,not-a-date,events");
        rejects.Body.ShouldNotContain("T9001");
        new AuditService().List(5, Ctx).Entries.ShouldContain(e => e.Action == "import" && e.User == "helga");

        // The kept files were imported once: a second "import for real" of the same upload has nothing left.
        var again = await SendContent(client, jar, HttpMethod.Post, "/import?lang=en", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token(real.Body), ["upload"] = upload }));
        again.Status.ShouldBe(HttpStatusCode.BadRequest);
        LeadCount().ShouldBe(before + 2);
    }

    [SkippableFact]
    public async Task An_import_post_with_the_session_cookie_but_without_the_forms_token_is_refused()
    {
        var (client, jar) = await SignedIn("henrik", "head");
        using var _ = client;
        var before = LeadCount();

        var posted = await SendContent(client, jar, HttpMethod.Post, "/import?lang=en", Upload(null, ("leads.csv", Leads.Replace("T900", "T800", StringComparison.Ordinal))));

        posted.Status.ShouldBe(HttpStatusCode.BadRequest);
        WebUtility.HtmlDecode(posted.Body).ShouldContain("The form has expired or did not come from this dashboard");
        posted.Body.ShouldNotContain("would store");
        LeadCount().ShouldBe(before);
    }

    [SkippableFact]
    public async Task A_manager_gets_the_403_page_on_import_and_no_import_entry_in_the_navigation()
    {
        using var client = server.App.GetTestServer().CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.TokenFor("mona", UserRole.Manager));

        using var page = await client.GetAsync(new Uri("/import", UriKind.Relative));
        using var post = await client.PostAsync(new Uri("/import", UriKind.Relative), Upload(null, ("leads.csv", Leads)));
        var scorecard = await client.GetStringAsync(new Uri("/?period=2026-Q3", UriKind.Relative));

        page.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await page.Content.ReadAsStringAsync()).ShouldContain("This page needs the role head or above");
        post.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        scorecard.ShouldNotContain("href=\"/import");
        scorecard.ShouldContain("href=\"/whatif");
    }

    [SkippableFact]
    public async Task The_import_page_states_the_upload_limit_and_offers_every_built_in_profile()
    {
        var html = await server.Get("/import?lang=ru", HttpStatusCode.OK);

        html.ShouldContain("Не больше 200,0 МБ за загрузку");
        foreach (var name in SalesKpi.Import.MappingProfile.BuiltInNames)
        {
            html.ShouldContain("<option value=\"" + name + "\">");
        }
    }

    [SkippableFact]
    public async Task An_upload_another_server_is_importing_is_not_imported_again_and_stays_for_a_later_confirm()
    {
        var (client, jar) = await SignedIn("hanna", "head");
        using var _ = client;
        var leads = Leads.Replace("T900", "T700", StringComparison.Ordinal);
        var before = LeadCount();
        var form = await SendContent(client, jar, HttpMethod.Get, "/import?lang=en", null);
        var dry = await SendContent(client, jar, HttpMethod.Post, "/import?lang=en", Upload(Token(form.Body), ("leads.csv", leads)));
        var upload = UploadField().Match(dry.Body).Groups[1].Value;

        // Another server sharing the upload folder has claimed the upload (its confirm is importing it): this one refuses.
        var claim = ApiWrites.ClaimPath(server.App.Services.GetRequiredService<ServerOptions>(), upload);
        File.WriteAllText(claim, string.Empty);
        var refused = await SendContent(client, jar, HttpMethod.Post, "/import?lang=en", Confirm(Token(dry.Body), upload));
        refused.Status.ShouldBe(HttpStatusCode.BadRequest);
        WebUtility.HtmlDecode(refused.Body).ShouldContain("Upload " + upload + " is being imported or was imported already");
        LeadCount().ShouldBe(before);

        // Its import failed and released the claim: the kept files are still there for the next confirm, which claims them for good.
        File.Delete(claim);
        var real = await SendContent(client, jar, HttpMethod.Post, "/import?lang=en", Confirm(Token(dry.Body), upload));
        real.Status.ShouldBe(HttpStatusCode.OK, real.Body);
        LeadCount().ShouldBe(before + 2);
        File.Exists(claim).ShouldBeTrue();
    }

    private static FormUrlEncodedContent Confirm(string token, string upload) =>
        new(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["upload"] = upload, ["profile"] = string.Empty });

    private long LeadCount()
    {
        using var ws = Workspace.Open(server.Db, WorkspaceAccess.ReadOnly, null);
        return Convert.ToInt64(ws.Scalar("SELECT count(*) FROM leads"), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static MultipartFormDataContent Upload(string? token, params (string Name, string Text)[] files)
    {
        var content = new MultipartFormDataContent();
        if (token is not null)
        {
            content.Add(new StringContent(token), "__RequestVerificationToken");
        }

        content.Add(new StringContent(string.Empty), "profile");
        foreach (var (name, text) in files)
        {
            content.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", name);
        }

        return content;
    }

    private async Task<(HttpClient Client, Dictionary<string, string> Jar)> SignedIn(string name, string role)
    {
        new UsersService().Add(new AddUserRequest(name, role, null, name + "-password-1"), Ctx);
        var client = server.App.GetTestServer().CreateClient();
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        var form = await SendContent(client, jar, HttpMethod.Get, "/signin", null);
        var signedIn = await SendContent(client, jar, HttpMethod.Post, "/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = name,
            ["password"] = name + "-password-1",
            ["return_url"] = "/import",
            ["__RequestVerificationToken"] = Token(form.Body),
        }));
        signedIn.Status.ShouldBe(HttpStatusCode.Redirect, signedIn.Body);
        return (client, jar);
    }

    [GeneratedRegex("name=\"upload\" value=\"([0-9a-f]+)\"")]
    private static partial Regex UploadField();
}
