using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>
/// A demo workspace made once per test class through the application services (generate, import, KPI system), and
/// an in-memory server over it whose clock is fixed, so the CLI run in-process with the same clock answers alike.
/// The workspace is made when a test first uses the fixture, on that test's engine (<see cref="TestEngine"/>): a DuckDB
/// file, or for the <c>…OnPostgres</c> twin of a class a fresh workspace in the test cluster. xunit makes a class
/// fixture before the test class, so only then is it known which engine the class runs on.
/// </summary>
public sealed class DemoServer : IDisposable
{
    public static readonly FixedClock Clock = FixedClock.At("2026-11-15T09:00:00Z");

    private readonly Lock gate = new();
    private Built? built;

    /// <summary>A token of the admin every client of this fixture calls with.</summary>
    public string AdminToken => Made.AdminToken;

    /// <summary>The fixture's folder; a CLI run in it without --db on PostgreSQL finds <see cref="Db"/> (see <see cref="TempDir"/>).</summary>
    public string Dir => Made.Dir.Path;

    /// <summary>The demo workspace: a file in <see cref="Dir"/>, or a PostgreSQL workspace URL.</summary>
    public string Db => Made.Db;

    public WebApplication App => Made.App;

    public HttpClient Client => Made.Client;

    private Built Made
    {
        get
        {
            lock (gate)
            {
                return built ??= Build();
            }
        }
    }

    /// <summary>Adds a user of <paramref name="role"/> (a rep is the CRM owner <c>Owner of NAME</c>) and returns a token of theirs.</summary>
    public string TokenFor(string name, UserRole role) => TokenFor(Db, name, role);

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
    public WebApplication Start(TimeProvider clock) => Start(Db, clock);

    public void Dispose()
    {
        lock (gate)
        {
            built?.Dispose();
            built = null;
        }
    }

    private static string TokenFor(string db, string name, UserRole role)
    {
        var ctx = new RequestContext(Language.En, Clock, "test", db);
        var users = new UsersService();
        users.Add(new AddUserRequest(name, UsersService.RoleName(role), role == UserRole.Rep ? "Owner of " + name : null, "password-of-" + name), ctx);
        return users.CreateToken(name, null, ctx).Secret;
    }

    private static WebApplication Start(string db, TimeProvider clock)
    {
        var app = ApiServer.Build(new ServerOptions(db, [], clock) { Wait = TimeSpan.FromSeconds(5) }, b => b.WebHost.UseTestServer());
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    private static Built Build()
    {
        var dir = new TempDir();
        try
        {
            // The file keeps its old name: a test asks for it through the dashboard's asset path.
            var db = TestEngine.Postgres ? dir.Db : dir.File("demo.duckdb");
            var ctx = new RequestContext(Language.En, Clock, "test", db);
            DemoData.Fill(ctx, dir.File("demo-data"));
            var token = TokenFor(db, "admin", UserRole.Admin);
            var app = Start(db, Clock);
            var client = app.GetTestClient();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return new Built(dir, db, token, app, client);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    private sealed record Built(TempDir Dir, string Db, string AdminToken, WebApplication App, HttpClient Client) : IDisposable
    {
        public void Dispose()
        {
            Client.Dispose();
            App.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)App).Dispose();
            if (WorkspaceLocation.IsServer(Db))
            {
                // A PostgreSQL workspace keeps its KPI-system file in the current folder, not in the fixture's folder.
                File.Delete(KpiSystemFiles.PathFor(Db));
            }

            Dir.Dispose();
        }
    }
}
