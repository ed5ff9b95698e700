using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>
/// A demo workspace made once per test class through the application services (generate, import, KPI system), and
/// an in-memory server over it whose clock is fixed, so the CLI run in-process with the same clock answers alike.
/// </summary>
public sealed class DemoServer : IDisposable
{
    public static readonly FixedClock Clock = FixedClock.At("2026-11-15T09:00:00Z");

    private readonly TempDir dir = new();

    public DemoServer()
    {
        Db = dir.File("demo.duckdb");
        var ctx = new RequestContext(Language.En, Clock, "test", Db);
        var demo = new DemoService();
        var data = dir.File("demo-data");
        demo.Generate(new DemoRequest(data, 3000, 42, Dirty: false), ctx);
        using (var job = new ImportService().Prepare(new ImportRequest([data], null, Strict: false, DryRun: false), ctx))
        {
            job.Run(null, CancellationToken.None);
        }

        demo.SetUpKpiSystem(ctx);
        AdminToken = TokenFor("admin", UserRole.Admin);
        App = Start(Clock);
        Client = Authorized(App.GetTestClient());
    }

    /// <summary>A token of the admin every client of this fixture calls with.</summary>
    public string AdminToken { get; }

    public string Dir => dir.Path;

    public string Db { get; }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>Adds a user of <paramref name="role"/> (a rep is the CRM owner <c>Owner of NAME</c>) and returns a token of theirs.</summary>
    public string TokenFor(string name, UserRole role)
    {
        var ctx = new RequestContext(Language.En, Clock, "test", Db);
        var users = new UsersService();
        users.Add(new AddUserRequest(name, UsersService.RoleName(role), role == UserRole.Rep ? "Owner of " + name : null, "password-of-" + name), ctx);
        return users.CreateToken(name, null, ctx).Secret;
    }

    /// <summary>GETs <paramref name="url"/> as the fixture's admin and returns the body, checking the status and media type.</summary>
    public async Task<string> Get(string url, System.Net.HttpStatusCode status, string type = "text/html")
    {
        using var response = await Client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body.Length > 2000 ? body[..2000] : body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(type);
        return body;
    }

    /// <summary><paramref name="client"/>, calling as the fixture's admin.</summary>
    public HttpClient Authorized(HttpClient client)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>Another in-memory server over the same workspace, e.g. with a clock that fails.</summary>
    public WebApplication Start(TimeProvider clock)
    {
        var app = ApiServer.Build(new ServerOptions(Db, [], clock) { Wait = TimeSpan.FromSeconds(5) }, b => b.WebHost.UseTestServer());
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    public void Dispose()
    {
        Client.Dispose();
        App.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)App).Dispose();
        dir.Dispose();
    }
}
