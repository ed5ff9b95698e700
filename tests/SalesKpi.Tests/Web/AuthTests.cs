using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>Every API endpoint, called as nobody and as each role, over the demo workspace.</summary>
public class EndpointRoleTests(DemoServer server) : IClassFixture<DemoServer>
{
    // The only endpoints a caller reaches before signing in.
    private static readonly string[] Anonymous = ["POST /api/v1/session", "GET /api/v1/session/oidc", "GET /api/v1/antiforgery"];

    [SkippableFact]
    public async Task Every_api_endpoint_declares_a_role_refuses_anonymous_and_lower_roles_with_401_and_403_and_admits_its_least_role()
    {
        var tokens = new Dictionary<ApiRole, string>
        {
            [ApiRole.Rep] = server.TokenFor("every-rep", UserRole.Rep),
            [ApiRole.Manager] = server.TokenFor("every-manager", UserRole.Manager),
            [ApiRole.Head] = server.TokenFor("every-head", UserRole.Head),
            [ApiRole.Admin] = server.AdminToken,
        };
        var endpoints = ((IEndpointRouteBuilder)server.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Endpoint: e)))
            .ToList();
        endpoints.Count.ShouldBeGreaterThan(15);

        var anonymous = endpoints.Where(e => e.Endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null).Select(e => e.Method + " " + e.Endpoint.RoutePattern.RawText).ToList();
        anonymous.ShouldBe(Anonymous, ignoreOrder: true);

        using var client = server.App.GetTestClient();
        var checkedCalls = 0;
        foreach (var (method, endpoint) in endpoints.Where(e => !Anonymous.Contains(e.Method + " " + e.Endpoint.RoutePattern.RawText)))
        {
            var what = method + " " + endpoint.RoutePattern.RawText;
            var required = endpoint.Metadata.GetMetadata<RequiresRole>();
            required.ShouldNotBeNull(what + " declares no role");
            var url = Url(endpoint.RoutePattern.RawText!);

            (await Call(client, method, url, null)).ShouldBe(HttpStatusCode.Unauthorized, what + " as nobody");
            foreach (var (role, token) in tokens)
            {
                var status = await Call(client, method, url, token);
                if (role < required.Minimum)
                {
                    status.ShouldBe(HttpStatusCode.Forbidden, what + " as " + role);
                }
                else if (role == required.Minimum)
                {
                    status.ShouldNotBeOneOf([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.InternalServerError], what + " as " + role);
                }

                checkedCalls++;
            }
        }

        checkedCalls.ShouldBeGreaterThan(60);
    }

    [SkippableFact]
    public async Task An_endpoint_without_a_declared_role_is_refused_even_to_an_admin()
    {
        var app = ApiServer.Build(new ServerOptions(server.Db, [], DemoServer.Clock), b => b.WebHost.UseTestServer());
        app.MapGet("/api/v1/undeclared", () => "secret");
        await app.StartAsync();
        try
        {
            using var client = server.Authorized(app.GetTestClient());
            using var response = await client.GetAsync(new Uri("/api/v1/undeclared", UriKind.Relative));
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().ShouldBe("auth.no_role_declared");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static string Url(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(?<name>[a-z_]+)[^}]*\}", m => m.Groups["name"].Value switch
        {
            "kpi" => "win_rate",
            "id" or "version" => "1",
            "prefix" => "skp_00000000",
            "name" => "no-such-user",
            _ => "x",
        }) + "?period=2026-Q2&as_of=2026-09-30";

    private static async Task<HttpStatusCode> Call(HttpClient client, string method, string url, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(url, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}

/// <summary>Sign-in, lockout, tokens, cookies and antiforgery, limits and OpenID Connect over a small workspace.</summary>
public class SignInTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly MovableClock clock = new(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly UsersService users = new();
    private readonly List<WebApplication> apps = [];

    public SignInTests()
    {
        Ws.Create(dir).Dispose();
        users.Add(new AddUserRequest("anna", "manager", null, "anna-password"), Ctx);
        users.Add(new AddUserRequest("ivan", "rep", "Ivan Petrov", "ivan-password"), Ctx);
    }

    private RequestContext Ctx => new(Language.En, clock, "test", dir.Db) { Wait = TimeSpan.FromSeconds(5) };

    public void Dispose()
    {
        foreach (var app in apps)
        {
            app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)app).Dispose();
        }

        dir.Dispose();
    }

    [SkippableFact]
    public async Task Five_wrong_passwords_lock_the_sign_in_for_15_minutes_even_for_the_right_password()
    {
        using var client = Start();
        for (var i = 1; i <= 4; i++)
        {
            (await SignIn(client, "anna", "wrong")).Code.ShouldBe("auth.failed");
        }

        var fifth = await SignIn(client, "anna", "wrong");
        fifth.Status.ShouldBe(HttpStatusCode.Unauthorized);
        fifth.Code.ShouldBe("auth.locked");
        fifth.Body.ShouldContain("2026-03-01 10:15 UTC");

        (await SignIn(client, "anna", "anna-password")).Code.ShouldBe("auth.locked");
        clock.Now += TimeSpan.FromMinutes(14);
        (await SignIn(client, "anna", "anna-password")).Code.ShouldBe("auth.locked");
        clock.Now += TimeSpan.FromMinutes(1);
        (await SignIn(client, "anna", "anna-password")).Status.ShouldBe(HttpStatusCode.OK);

        // An unknown name gets the same answer as a wrong password.
        (await SignIn(client, "nobody", "wrong")).Code.ShouldBe("auth.failed");
    }

    [SkippableFact]
    public async Task A_token_is_shown_once_stored_only_as_its_hash_and_signs_its_user_in()
    {
        var created = users.CreateToken("anna", null, Ctx);

        created.Secret.ShouldStartWith(created.Token.Prefix + "_");
        users.ListTokens("anna", Ctx).Single().Prefix.ShouldBe(created.Token.Prefix);
        using (var ws = SalesKpi.Storage.Workspace.Open(dir.Db))
        {
            ws.Scalar("SELECT secret_hash FROM api_tokens").ShouldBe(UsersService.HashToken(created.Secret));
        }

        if (TestEngine.Postgres)
        {
            // No file to read: every stored column of every token row, as the server holds it, is searched instead.
            using var ws = SalesKpi.Storage.Workspace.Open(dir.Db);
            ((string)ws.Scalar("SELECT string_agg(t::text, '|') FROM api_tokens t")!).ShouldNotContain(created.Secret[created.Token.Prefix.Length..]);
        }
        else
        {
            var bytes = await File.ReadAllBytesAsync(dir.Db);
            Encoding.ASCII.GetString(bytes).ShouldNotContain(created.Secret[created.Token.Prefix.Length..]);
        }

        using var client = Start();
        var me = await Get(client, "/api/v1/me", created.Secret);
        me.Status.ShouldBe(HttpStatusCode.OK);
        var root = JsonDocument.Parse(me.Body).RootElement;
        root.GetProperty("name").GetString().ShouldBe("anna");
        root.GetProperty("via").GetString().ShouldBe("token");
    }

    [SkippableFact]
    public async Task A_revoked_an_expired_or_a_made_up_token_is_refused_with_401()
    {
        var revoked = users.CreateToken("anna", null, Ctx);
        users.RevokeToken("anna", revoked.Token.Prefix, Ctx);
        var expiring = users.CreateToken("anna", UsersService.ParseExpiry("1d", clock.GetUtcNow()), Ctx);
        using var client = Start();

        (await Get(client, "/api/v1/me", expiring.Secret)).Status.ShouldBe(HttpStatusCode.OK);
        clock.Now += TimeSpan.FromDays(1);
        var expired = await Get(client, "/api/v1/me", expiring.Secret);
        expired.Status.ShouldBe(HttpStatusCode.Unauthorized);
        expired.Code.ShouldBe("auth.token_invalid");
        (await Get(client, "/api/v1/me", revoked.Secret)).Code.ShouldBe("auth.token_invalid");
        (await Get(client, "/api/v1/me", revoked.Token.Prefix + "_madeup")).Code.ShouldBe("auth.token_invalid");
        (await Get(client, "/api/v1/me", null)).Code.ShouldBe("auth.required");
    }

    [SkippableFact]
    public async Task A_disabled_user_is_refused_by_cookie_by_token_and_at_sign_in()
    {
        var token = users.CreateToken("anna", null, Ctx).Secret;
        using var client = Start();
        var session = await SignIn(client, "anna", "anna-password");
        session.Status.ShouldBe(HttpStatusCode.OK);
        (await Get(client, "/api/v1/me", null, session.Cookies)).Status.ShouldBe(HttpStatusCode.OK);

        users.SetDisabled("anna", true, Ctx);

        (await Get(client, "/api/v1/me", null, session.Cookies)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Get(client, "/api/v1/me", token)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await SignIn(client, "anna", "anna-password")).Code.ShouldBe("auth.failed");

        users.SetDisabled("anna", false, Ctx);
        (await Get(client, "/api/v1/me", token)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task A_cookie_cannot_change_anything_without_the_antiforgery_token_but_a_bearer_token_needs_none()
    {
        using var client = Start();
        var session = await SignIn(client, "anna", "anna-password", form: true);
        session.Status.ShouldBe(HttpStatusCode.OK);
        session.Cookies.ShouldContain(c => c.StartsWith(ApiAuth.CookieName + "=", StringComparison.Ordinal));
        var csrf = JsonDocument.Parse(session.Body).RootElement.GetProperty("csrf_token").GetString()!;

        var stolen = await Send(client, HttpMethod.Post, "/api/v1/tokens", null, session.Cookies, null);
        stolen.Status.ShouldBe(HttpStatusCode.BadRequest);
        stolen.Code.ShouldBe("auth.antiforgery");
        (await Send(client, HttpMethod.Post, "/api/v1/tokens", null, session.Cookies, "forged")).Code.ShouldBe("auth.antiforgery");

        var withToken = await Send(client, HttpMethod.Post, "/api/v1/tokens", null, session.Cookies, csrf);
        withToken.Status.ShouldBe(HttpStatusCode.Created, withToken.Body);
        var secret = JsonDocument.Parse(withToken.Body).RootElement.GetProperty("token").GetString()!;

        (await Send(client, HttpMethod.Post, "/api/v1/tokens", secret, null, null)).Status.ShouldBe(HttpStatusCode.Created);
        users.ListTokens("anna", Ctx).Count.ShouldBe(2);
    }

    [SkippableFact]
    public async Task Requests_over_a_users_limit_get_a_429_problem_while_other_users_go_on()
    {
        var anna = users.CreateToken("anna", null, Ctx).Secret;
        var ivan = users.CreateToken("ivan", null, Ctx).Secret;
        using var client = Start(new ServerSecurity { RequestsPerWindow = 3, RateWindow = TimeSpan.FromHours(1) });

        for (var i = 0; i < 3; i++)
        {
            (await Get(client, "/api/v1/me", anna)).Status.ShouldBe(HttpStatusCode.OK);
        }

        var refused = await Get(client, "/api/v1/me", anna);
        refused.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Code.ShouldBe("api.rate_limited");
        (await Get(client, "/api/v1/me", ivan)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task Password_sign_ins_from_one_address_are_limited_more_tightly()
    {
        using var client = Start(new ServerSecurity { SignInsPerWindow = 2, RateWindow = TimeSpan.FromHours(1) });
        (await SignIn(client, "anna", "wrong")).Code.ShouldBe("auth.failed");
        (await SignIn(client, "anna", "wrong")).Code.ShouldBe("auth.failed");

        var third = await SignIn(client, "anna", "anna-password");
        third.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        third.Code.ShouldBe("api.rate_limited");
    }

    [SkippableFact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_limit()
    {
        // Every request arrives from the load balancer's address, as behind a real one.
        void FromBalancer(IServiceCollection s) => s.AddSingleton<IStartupFilter>(new FromAddress(IPAddress.Parse("10.9.9.9")));
        var limits = new ServerSecurity { SignInsPerWindow = 2, RateWindow = TimeSpan.FromHours(1) };
        using var trusting = Start(limits with { TrustedProxies = [ServerSecurity.ParseProxy("10.9.0.0/16")] }, FromBalancer);

        (await SignInFrom(trusting, "203.0.113.1")).ShouldBe(HttpStatusCode.Unauthorized);
        (await SignInFrom(trusting, "203.0.113.1")).ShouldBe(HttpStatusCode.Unauthorized);
        (await SignInFrom(trusting, "203.0.113.1")).ShouldBe(HttpStatusCode.TooManyRequests);
        (await SignInFrom(trusting, "203.0.113.2")).ShouldBe(HttpStatusCode.Unauthorized);

        // Without trust the header is anyone's to write: every client is the balancer, and shares its limit.
        using var plain = Start(limits, FromBalancer);
        (await SignInFrom(plain, "198.51.100.1")).ShouldBe(HttpStatusCode.Unauthorized);
        (await SignInFrom(plain, "198.51.100.1")).ShouldBe(HttpStatusCode.Unauthorized);
        (await SignInFrom(plain, "198.51.100.2")).ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [SkippableFact]
    public void A_trusted_proxy_is_an_address_or_a_network_and_anything_else_is_refused_in_both_languages()
    {
        ServerSecurity.ParseProxy("10.0.0.5").ToString().ShouldBe("10.0.0.5/32");
        ServerSecurity.ParseProxy(" 10.0.0.0/8 ").ToString().ShouldBe("10.0.0.0/8");
        ServerSecurity.ParseProxy("::1").ToString().ShouldBe("::1/128");
        var refused = Should.Throw<SalesKpiException>(() => ServerSecurity.ParseProxy("balancer.local"));
        refused.Text.Code.ShouldBe("server.trusted_proxy");
        refused.Render(Language.En).ShouldContain("10.0.0.0/8");
        refused.Render(Language.Ru).ShouldContain("балансировщика");
    }

    [SkippableFact]
    public async Task A_rep_is_scoped_to_their_crm_owner_and_sees_company_totals_only_when_the_admin_allows()
    {
        var token = users.CreateToken("ivan", null, Ctx).Secret;
        using var client = Start();

        var scope = JsonDocument.Parse((await Get(client, "/api/v1/me", token)).Body).RootElement.GetProperty("scope");
        scope.GetProperty("owner").GetString().ShouldBe("Ivan Petrov");
        scope.GetProperty("company_totals").GetBoolean().ShouldBeFalse();

        users.SetRepsSeeCompanyTotals(true, Ctx);
        JsonDocument.Parse((await Get(client, "/api/v1/me", token)).Body).RootElement.GetProperty("scope").GetProperty("company_totals").GetBoolean().ShouldBeTrue();

        var manager = users.CreateToken("anna", null, Ctx).Secret;
        JsonDocument.Parse((await Get(client, "/api/v1/me", manager)).Body).RootElement.GetProperty("scope").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [SkippableFact]
    public async Task An_admin_adds_users_over_the_api_and_nobody_else_may()
    {
        users.Add(new AddUserRequest("root", "admin", null, "root-password"), Ctx);
        var admin = users.CreateToken("root", null, Ctx).Secret;
        var manager = users.CreateToken("anna", null, Ctx).Secret;
        using var client = Start();

        (await Send(client, HttpMethod.Post, "/api/v1/users", manager, null, null, """{"name":"olga","role":"head"}""")).Status.ShouldBe(HttpStatusCode.Forbidden);
        var added = await Send(client, HttpMethod.Post, "/api/v1/users", admin, null, null, """{"name":"olga","role":"head"}""");
        added.Status.ShouldBe(HttpStatusCode.Created, added.Body);
        var password = JsonDocument.Parse(added.Body).RootElement.GetProperty("password").GetString()!;
        (await SignIn(client, "olga", password)).Status.ShouldBe(HttpStatusCode.OK);
        (await Send(client, HttpMethod.Post, "/api/v1/users", admin, null, null, """{"name":"olga","role":"head"}""")).Status.ShouldBe(HttpStatusCode.Conflict);

        (await Send(client, HttpMethod.Post, "/api/v1/users/olga/disable", admin, null, null)).Status.ShouldBe(HttpStatusCode.OK);
        (await SignIn(client, "olga", password)).Code.ShouldBe("auth.failed");
        var list = JsonDocument.Parse((await Get(client, "/api/v1/users", admin)).Body).RootElement.GetProperty("users");
        list.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "olga").GetProperty("disabled").GetBoolean().ShouldBeTrue();
    }

    [SkippableFact]
    public void Oidc_settings_that_cannot_work_are_refused_with_what_to_fix()
    {
        Should.Throw<SalesKpiException>(() => new OidcSettings("http://id.example.com", "saleskpi", null).Validate()).Text.Code.ShouldBe("server.oidc_authority");
        Should.Throw<SalesKpiException>(() => new OidcSettings("not a url", "saleskpi", null).Validate()).Text.Code.ShouldBe("server.oidc_authority");
        Should.Throw<SalesKpiException>(() => new OidcSettings("https://id.example.com", " ", null).Validate()).Text.Code.ShouldBe("server.oidc_client_id");
        Should.NotThrow(() => new OidcSettings("http://localhost:8080/realms/sales", "saleskpi", null).Validate());
        Should.Throw<SalesKpiException>(() => ApiServer.Build(new ServerOptions(dir.Db, [], clock) { Security = new ServerSecurity { Oidc = new OidcSettings("ftp://x", "c", null) } }))
            .Text.Code.ShouldBe("server.oidc_authority");
    }

    [SkippableFact]
    public async Task The_oidc_sign_in_redirects_to_the_providers_authorization_endpoint_and_is_404_when_not_configured()
    {
        using (var plain = Start())
        {
            (await Get(plain, "/api/v1/session/oidc", null)).Status.ShouldBe(HttpStatusCode.NotFound);
        }

        var security = new ServerSecurity { Oidc = new OidcSettings("https://id.example.com/realms/sales", "saleskpi", "secret") };
        using var client = Start(security, s => s.Configure<OpenIdConnectOptions>(ApiAuth.OidcScheme, o => o.Configuration = new OpenIdConnectConfiguration
        {
            Issuer = "https://id.example.com/realms/sales",
            AuthorizationEndpoint = "https://id.example.com/realms/sales/protocol/openid-connect/auth",
            TokenEndpoint = "https://id.example.com/realms/sales/protocol/openid-connect/token",
        }));

        using var response = await client.GetAsync(new Uri("/api/v1/session/oidc?return_url=/api/v1/me", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = response.Headers.Location!.ToString();
        location.ShouldStartWith("https://id.example.com/realms/sales/protocol/openid-connect/auth?");
        location.ShouldContain("client_id=saleskpi");
        location.ShouldContain("response_type=code");
    }

    [SkippableFact]
    public async Task A_failed_sign_in_while_a_read_holds_the_workspace_waits_for_it_instead_of_failing()
    {
        var token = users.CreateToken("anna", null, Ctx).Secret;
        var opened = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var app = ApiServer.Build(new ServerOptions(dir.Db, [], clock) { Wait = TimeSpan.FromSeconds(5) }, b => b.WebHost.UseTestServer());
        app.MapGet("/api/v1/hold", async (HttpContext http) =>
        {
            using var ws = ApiServer.Context(http).Open(SalesKpi.Storage.WorkspaceAccess.ReadOnly);
            opened.SetResult();
            await release.Task;
            return "held";
        }).Allow(ApiRole.Rep);
        await app.StartAsync();
        apps.Add(app);
        using var client = app.GetTestClient();

        var read = Get(client, "/api/v1/hold", token);
        await opened.Task;
        var signIn = SignIn(client, "anna", "wrong");
        signIn.IsCompleted.ShouldBeFalse();
        release.SetResult();

        (await read).Status.ShouldBe(HttpStatusCode.OK);
        var answer = await signIn;
        answer.Status.ShouldBe(HttpStatusCode.Unauthorized, answer.Body);
        answer.Code.ShouldBe("auth.failed");
    }

    private HttpClient Start(ServerSecurity? security = null, Action<IServiceCollection>? services = null)
    {
        var app = ApiServer.Build(new ServerOptions(dir.Db, [], clock) { Wait = TimeSpan.FromSeconds(5), Security = security ?? new ServerSecurity() }, b =>
        {
            b.WebHost.UseTestServer();
            services?.Invoke(b.Services);
        });
        app.StartAsync().GetAwaiter().GetResult();
        apps.Add(app);
        return app.GetTestClient();
    }

    // A wrong password for a name that does not exist: counted by the sign-in limit, never towards a lockout.
    private static async Task<HttpStatusCode> SignInFrom(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/session", UriKind.Relative))
        {
            Content = new StringContent("""{"name":"nobody","password":"wrong"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private sealed class FromAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, inner) =>
            {
                http.Connection.RemoteIpAddress = address;
                return inner(http);
            });
            next(app);
        };
    }

    private static Task<Answer> SignIn(HttpClient client, string name, string password, bool form = false)
    {
        HttpContent content = form
            ? new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = name, ["password"] = password })
            : new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name, ["password"] = password }), Encoding.UTF8, "application/json");
        return Send(client, HttpMethod.Post, "/api/v1/session", null, null, null, content: content);
    }

    private static Task<Answer> Get(HttpClient client, string path, string? token, IReadOnlyList<string>? cookies = null) =>
        Send(client, HttpMethod.Get, path, token, cookies, null);

    private static async Task<Answer> Send(HttpClient client, HttpMethod method, string path, string? token, IReadOnlyList<string>? cookies, string? csrf, string? json = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (cookies is not null)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies));
        }

        if (csrf is not null)
        {
            request.Headers.Add(ApiAuth.CsrfHeader, csrf);
        }

        request.Content = content ?? (method == HttpMethod.Post ? new StringContent(json ?? "{}", Encoding.UTF8, "application/json") : null);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString() : null;
        var set = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]).ToList() : [];
        return new Answer(response.StatusCode, body, code, set);
    }

    private sealed record Answer(HttpStatusCode Status, string Body, string? Code, IReadOnlyList<string> Cookies);

    private sealed class MovableClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

