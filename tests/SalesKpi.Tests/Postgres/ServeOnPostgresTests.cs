using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Storage.Postgres;
using SalesKpi.Web;

namespace SalesKpi.Tests.Postgres;

/// <summary>
/// Several server processes on one PostgreSQL workspace (docs/server.md, "PostgreSQL and several processes"): two
/// in-memory servers stand for two processes behind a load balancer — they share nothing but the database.
/// </summary>
public sealed class ServeOnPostgresTests
{
    private static readonly FixedClock Clock = FixedClock.At("2026-11-15T09:00:00Z");

    [SkippableFact]
    public void The_data_version_counts_committed_changing_transactions_of_its_workspace_only()
    {
        TestEngine.UsePostgres();
        using var a = new TempDir();
        using var b = new TempDir();
        using var wa = Ws.Create(a);
        using var wb = Ws.Create(b);
        var start = wa.DataVersion()!.Value;
        var other = wb.DataVersion()!.Value;

        wa.WriteSetting("x.one", "1");
        wa.DataVersion().ShouldBe(start + 1);

        using (var tx = wa.BeginTransaction())
        {
            // Two statements, one transaction: one change.
            wa.WriteSetting("x.two", "2");
            wa.WriteSetting("x.three", "3");
            tx.Commit();
        }

        wa.DataVersion().ShouldBe(start + 2);
        using (var tx = wa.BeginTransaction())
        {
            wa.WriteSetting("x.four", "4");
            tx.Rollback();
        }

        wa.DataVersion().ShouldBe(start + 2);

        // Another connection of the same workspace (another process) reads the same version; another workspace keeps its own.
        using (var again = Workspace.Open(a.Db, WorkspaceAccess.ReadOnly, null))
        {
            again.DataVersion().ShouldBe(start + 2);
        }

        wb.DataVersion().ShouldBe(other);
    }

    [SkippableFact]
    public void Folding_many_change_rows_into_the_counter_keeps_the_data_version()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        long version;
        using (var ws = Ws.Create(dir))
        {
            for (var i = 0; i < PostgresWorkspace.FoldAbove; i++)
            {
                ws.WriteSetting("x.n", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            version = ws.DataVersion()!.Value;
            ws.Count($"SELECT count(*) FROM saleskpi.{TenantSchema.ChangesTable}").ShouldBeGreaterThanOrEqualTo(PostgresWorkspace.FoldAbove);
        }

        using var folded = Workspace.Open(dir.Db);
        folded.Count($"SELECT count(*) FROM saleskpi.{TenantSchema.ChangesTable}").ShouldBe(0);
        folded.DataVersion().ShouldBe(version);
        folded.WriteSetting("x.n", "after");
        folded.DataVersion().ShouldBe(version + 1);
    }

    [SkippableFact]
    public async Task An_import_through_one_server_is_in_the_other_servers_next_answer()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        var token = Token(dir.Db);
        await using var one = Start(dir.Db);
        await using var two = Start(dir.Db);
        using var first = Client(one, token);
        using var second = Client(two, token);
        await Import(first, "lead_id,created_at,channel\nL-1,2026-10-01T10:00:00Z,ads\n");

        var before = await Status(second);
        (await Status(second)).ShouldBe(before with { Cache = "hit" });
        before.Leads.ShouldBe(1);

        await Import(first, "lead_id,created_at,channel\nL-2,2026-10-02T10:00:00Z,ads\nL-3,2026-10-03T10:00:00Z,web\n");

        // The second server's own write gate never moved: only the workspace's data version tells it.
        var after = await Status(second);
        after.ShouldBe(new StatusSeen(3, "miss"));
    }

    [SkippableFact]
    public async Task A_session_signed_in_on_one_server_is_accepted_by_the_other_with_one_key_in_the_workspace()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        new UsersService().Add(new AddUserRequest("anna", "admin", null, "anna-password-1"), Ctx(dir.Db));
        await using var one = Start(dir.Db);
        await using var two = Start(dir.Db);
        using var first = one.GetTestClient();
        using var second = two.GetTestClient();

        using var signIn = new StringContent("""{"name":"anna","password":"anna-password-1"}""", Encoding.UTF8, "application/json");
        using var signedIn = await first.PostAsync(new Uri("/api/v1/session", UriKind.Relative), signIn);
        var body = await signedIn.Content.ReadAsStringAsync();
        signedIn.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var cookies = string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var csrf = JsonDocument.Parse(body).RootElement.GetProperty("csrf_token").GetString()!;

        using var me = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/me", UriKind.Relative));
        me.Headers.Add("Cookie", cookies);
        using var meAnswer = await second.SendAsync(me);
        meAnswer.StatusCode.ShouldBe(HttpStatusCode.OK, await meAnswer.Content.ReadAsStringAsync());

        // A change with the cookie and the antiforgery token of the first server passes the second's check.
        using var change = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/tokens", UriKind.Relative)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        change.Headers.Add("Cookie", cookies);
        change.Headers.Add(ApiAuth.CsrfHeader, csrf);
        using var changed = await second.SendAsync(change);
        changed.StatusCode.ShouldBe(HttpStatusCode.Created, await changed.Content.ReadAsStringAsync());

        using var ws = Workspace.Open(dir.Db, WorkspaceAccess.ReadOnly, null);
        ws.ReadSettings(WorkspaceKeyRing.Prefix).Count.ShouldBe(1);
    }

    [SkippableFact]
    public async Task Two_first_starts_at_one_moment_all_start_with_one_admin()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        const int Starts = 4;
        using var start = new Barrier(Starts);
        var results = await Task.WhenAll(Enumerable.Range(0, Starts).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            return new UsersService().EnsureAdmin(null, Ctx(dir.Db) with { Wait = TimeSpan.FromSeconds(10) });
        })));

        results.Count(r => r.Created is not null).ShouldBe(1);
        new UsersService().List(Ctx(dir.Db)).Select(u => u.Name).ShouldBe(["admin"]);

        // A start after that finds the admin without a race.
        new UsersService().EnsureAdmin(null, Ctx(dir.Db)).ShouldBe(new AdminAtStart(null, false));
    }

    [SkippableFact]
    public async Task Kpi_system_changes_at_one_moment_all_succeed_each_as_a_version_built_on_the_one_before()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        (string Name, string Value)[] changes = [("lead_to_sql_window_days", "31"), ("sql_to_opportunity_window_days", "32"), ("response_sla_hours", "7"), ("quality_threshold", "61")];
        using var start = new Barrier(changes.Length);
        await Task.WhenAll(changes.Select(c => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            new ParamsService().Run("set", c.Name, c.Value, Ctx(dir.Db) with { Wait = TimeSpan.FromSeconds(10) });
        })));

        var (versions, _) = new ConfigService().Log(Ctx(dir.Db));
        versions.Select(v => v.Number).ShouldBe([1, 2, 3, 4]);

        // No change was lost: the latest version holds all four, each version one more than the one before.
        var latest = new ParamsService().Run("show", null, null, Ctx(dir.Db)).Current;
        foreach (var (name, value) in changes)
        {
            latest[name].ShouldBe(value);
        }
    }

    [SkippableFact]
    public async Task Sign_in_attempts_through_two_servers_count_together()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        var security = new ServerSecurity { SignInsPerWindow = 3 };
        await using var one = Start(dir.Db, o => o with { Security = security });
        await using var two = Start(dir.Db, o => o with { Security = security });
        using var first = one.GetTestClient();
        using var second = two.GetTestClient();

        // Attempts 1 and 3 through the first server, 2 and 4 through the second: the fourth is beyond the limit of 3.
        HttpStatusCode[] seen = [await SignIn(first), await SignIn(second), await SignIn(first), await SignIn(second)];
        seen.ShouldBe([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests]);
        (await SignIn(first)).ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [SkippableFact]
    public async Task Failed_password_attempts_at_one_moment_all_count_towards_the_lockout()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        var ctx = new RequestContext(Language.En, TimeProvider.System, "test", dir.Db);
        new UsersService().Add(new AddUserRequest("anna", "admin", null, "right-password-1"), ctx);
        using var start = new Barrier(UsersService.MaxFailedAttempts);

        // Every attempt reads the user before any has counted its failure (the hashing between takes milliseconds).
        var codes = await Task.WhenAll(Enumerable.Range(0, UsersService.MaxFailedAttempts).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return Should.Throw<SalesKpiException>(() => new UsersService().VerifyPassword("anna", "wrong", ctx)).Text.Code;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));

        codes.ShouldContain("auth.locked");
        Should.Throw<SalesKpiException>(() => new UsersService().VerifyPassword("anna", "right-password-1", ctx)).Text.Code.ShouldBe("auth.locked");
    }

    [SkippableFact]
    public async Task An_imports_rejects_link_from_one_server_is_served_by_the_other_with_one_upload_folder()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        var token = Token(dir.Db);
        var uploads = dir.File("shared-uploads");
        await using var one = Start(dir.Db, o => o with { UploadDirectory = uploads });
        await using var two = Start(dir.Db, o => o with { UploadDirectory = uploads });
        using var first = Client(one, token);
        using var second = Client(two, token);

        using var file = new ByteArrayContent(Encoding.UTF8.GetBytes("lead_id,created_at,channel\nL-1,2026-10-01T10:00:00Z,ads\nL-2,not a date,ads\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var form = new MultipartFormDataContent { { file, "file", "leads.csv" } };
        using var imported = await first.PostAsync(new Uri("/api/v1/imports", UriKind.Relative), form);
        var body = await imported.Content.ReadAsStringAsync();
        imported.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var link = JsonDocument.Parse(body).RootElement.GetProperty("files")[0].GetProperty("rejects").GetString()!;

        using var rejects = await second.GetAsync(new Uri(link, UriKind.RelativeOrAbsolute));
        var csv = await rejects.Content.ReadAsStringAsync();
        rejects.StatusCode.ShouldBe(HttpStatusCode.OK, csv);
        csv.ShouldContain("L-2");
    }

    private static async Task<HttpStatusCode> SignIn(HttpClient client)
    {
        using var body = new StringContent("""{"name":"nobody","password":"wrong-password-1"}""", Encoding.UTF8, "application/json");
        using var answer = await client.PostAsync(new Uri("/api/v1/session", UriKind.Relative), body);
        return answer.StatusCode;
    }

    private sealed record StatusSeen(long Leads, string Cache);

    private static RequestContext Ctx(string db) => new(Language.En, Clock, "test", db);

    private static string Token(string db)
    {
        var users = new UsersService();
        users.Add(new AddUserRequest("admin", "admin", null, "admin-password-1"), Ctx(db));
        return users.CreateToken("admin", null, Ctx(db)).Secret;
    }

    private static WebApplication Start(string db, Func<ServerOptions, ServerOptions>? adjust = null)
    {
        var options = new ServerOptions(db, [], Clock) { Wait = TimeSpan.FromSeconds(5) };
        var app = ApiServer.Build(adjust is null ? options : adjust(options), b => b.WebHost.UseTestServer());
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }

    private static HttpClient Client(WebApplication app, string token)
    {
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task Import(HttpClient client, string leads)
    {
        using var file = new ByteArrayContent(Encoding.UTF8.GetBytes(leads));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var form = new MultipartFormDataContent { { file, "file", "leads.csv" } };
        using var response = await client.PostAsync(new Uri("/api/v1/imports", UriKind.Relative), form);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<StatusSeen> Status(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/v1/status", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var leads = JsonDocument.Parse(body).RootElement.GetProperty("entities").EnumerateArray().Single(e => e.GetProperty("entity").GetString() == "leads").GetProperty("rows").GetInt64();
        return new StatusSeen(leads, response.Headers.GetValues(ResultCache.Header).Single());
    }
}

/// <summary>The shared-workspace tests (claims, sign-in windows, two schedulers) on the PostgreSQL test cluster.</summary>
public sealed class SharedWorkspaceTestsOnPostgres : SalesKpi.Tests.Web.SharedWorkspaceTests
{
    private readonly bool onPostgres = TestEngine.UsePostgres();
}
