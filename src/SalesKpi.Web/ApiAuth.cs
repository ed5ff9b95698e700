using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Web;

/// <summary>
/// How a server protects itself: the request limits and the optional OpenID Connect sign-in. The defaults are
/// generous for people and scripts and tight for password guessing.
/// </summary>
public sealed record ServerSecurity
{
    /// <summary>Requests per <see cref="RateWindow"/> for one signed-in user (or one address when anonymous).</summary>
    public int RequestsPerWindow { get; init; } = 600;

    /// <summary>Password sign-in attempts per <see cref="RateWindow"/> from one address.</summary>
    public int SignInsPerWindow { get; init; } = 10;

    /// <summary>The window both limits count in.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The OpenID Connect provider people may also sign in with; null for passwords and tokens only.</summary>
    public OidcSettings? Oidc { get; init; }

    /// <summary>
    /// The proxies (load balancers) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed: a request
    /// from one of these addresses counts as coming from the client address the proxy appended (the last one only; an
    /// earlier entry could be written by anyone). Empty (the default): every request is the address it came from, and
    /// forwarded headers are ignored — behind a load balancer every client would then share its address and its limits.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>
    /// A trusted proxy as written on the command line: an address (<c>10.0.0.5</c>, <c>::1</c>) or a network
    /// (<c>10.0.0.0/8</c>). Throws <c>server.trusted_proxy</c> for anything else.
    /// </summary>
    public static System.Net.IPNetwork ParseProxy(string text)
    {
        var t = (text ?? string.Empty).Trim();
        if (System.Net.IPNetwork.TryParse(t, out var network))
        {
            return network;
        }

        if (System.Net.IPAddress.TryParse(t, out var address))
        {
            return new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }

        throw new SalesKpiException(Msg.Of(
            "server.trusted_proxy",
            "--trusted-proxy '{0}' is not an address or a network: give the load balancer's address, e.g. 10.0.0.5, or its network, e.g. 10.0.0.0/8.",
            "--trusted-proxy «{0}» — не адрес и не сеть: укажите адрес балансировщика, например 10.0.0.5, или его сеть, например 10.0.0.0/8.",
            t));
    }
}

/// <summary>An OpenID Connect provider (e.g. Keycloak, Entra ID, Google Workspace) that signs people in.</summary>
/// <param name="Authority">The provider's issuer address; its <c>/.well-known/openid-configuration</c> describes it.</param>
/// <param name="ClientId">This server's client id at the provider.</param>
/// <param name="ClientSecret">This server's client secret at the provider (confidential client), or null.</param>
public sealed record OidcSettings(string Authority, string ClientId, string? ClientSecret)
{
    /// <summary>The claim whose value is the SalesKpi user name; that user must exist and be enabled.</summary>
    public string NameClaim { get; init; } = "preferred_username";

    /// <summary>Throws a <c>server.oidc_*</c> error when the settings cannot work: an authority that is not https (but loopback), no client id.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            throw new SalesKpiException(Msg.Of("server.oidc_authority", "--oidc-authority '{0}' is not an https address: give the provider's issuer, e.g. https://id.example.com/realms/sales.", "--oidc-authority «{0}» — не адрес https: укажите издателя провайдера, например https://id.example.com/realms/sales.", Authority));
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw new SalesKpiException(Msg.Of("server.oidc_client_id", "OpenID Connect needs a client id: give --oidc-client-id as registered at the provider.", "Для OpenID Connect нужен идентификатор клиента: укажите --oidc-client-id, как он зарегистрирован у провайдера."));
        }

        if (string.IsNullOrWhiteSpace(NameClaim))
        {
            throw new SalesKpiException(Msg.Of("server.oidc_name_claim", "The OpenID Connect name claim is empty: give e.g. preferred_username or email.", "Утверждение с именем для OpenID Connect пусто: укажите, например, preferred_username или email."));
        }
    }
}

/// <summary>
/// Sign-in, roles and limits of the API (docs/server.md): session cookies from <c>POST /api/v1/session</c>, personal
/// bearer tokens, OpenID Connect when configured. Every <c>/api/v1</c> endpoint but the sign-in ones needs a
/// signed-in, enabled user whose role is at least the endpoint's <see cref="RequiresRole"/> (none declared: refused);
/// state-changing calls on a cookie need the antiforgery token; each user (or address) has a request limit.
/// </summary>
public static class ApiAuth
{
    /// <summary>The cookie scheme.</summary>
    public const string CookieScheme = "cookie";

    /// <summary>The bearer-token scheme.</summary>
    public const string TokenScheme = "token";

    /// <summary>The OpenID Connect scheme.</summary>
    public const string OidcScheme = "oidc";

    /// <summary>The name of the session cookie.</summary>
    public const string CookieName = "saleskpi_session";

    /// <summary>The header that carries the antiforgery token.</summary>
    public const string CsrfHeader = "X-CSRF-TOKEN";

    /// <summary>The form field that carries the antiforgery token.</summary>
    public const string CsrfField = "__RequestVerificationToken";

    /// <summary>The rate-limiter policy of the password sign-in.</summary>
    public const string SignInPolicy = "sign-in";

    private const string PolicyScheme = "saleskpi";
    private const string Json = "application/json";
    private static readonly object UserKey = new();
    private static readonly object ViaTokenKey = new();
    private static readonly object RefusalKey = new();

    /// <summary>The signed-in user of a request, or null.</summary>
    public static SignedIn? SignedInUser(HttpContext http) => http?.Items[UserKey] as SignedIn;

    /// <summary>Whether the request was authenticated by an API token (not sent by a browser on its own, so no antiforgery proof is needed).</summary>
    public static bool ViaToken(HttpContext http) => http.Items.ContainsKey(ViaTokenKey);

    /// <summary>The API role of a user role.</summary>
    public static ApiRole RoleOf(UserRole role) => role switch
    {
        UserRole.Rep => ApiRole.Rep,
        UserRole.Manager => ApiRole.Manager,
        UserRole.Head => ApiRole.Head,
        _ => ApiRole.Admin,
    };

    /// <summary>Registers authentication, antiforgery and rate limiting for <paramref name="options"/>.</summary>
    internal static void AddServices(WebApplicationBuilder builder, ServerOptions options)
    {
        var security = options.Security;
        security.Oidc?.Validate();
        builder.Services.AddSingleton<UsersService>();
        var auth = builder.Services.AddAuthentication(PolicyScheme)
            .AddPolicyScheme(PolicyScheme, PolicyScheme, o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? TokenScheme : CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenScheme, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;

                // The provider's redirect back is a cross-site navigation: a Strict cookie would not be sent after it.
                o.Cookie.SameSite = security.Oidc is null ? SameSiteMode.Strict : SameSiteMode.Lax;
                o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = c => Refuse(c.HttpContext, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = c => Refuse(c.HttpContext, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = c =>
                {
                    // A cookie outlives changes to its user: disabled or removed users are signed out at their next request.
                    var name = c.Principal?.Identity?.Name;
                    var user = name is null ? null : c.HttpContext.RequestServices.GetRequiredService<UsersService>().Find(name, ApiServer.Context(c.HttpContext));
                    if (user is null)
                    {
                        c.RejectPrincipal();
                    }
                    else
                    {
                        c.HttpContext.Items[UserKey] = user;
                    }

                    return Task.CompletedTask;
                };
            });
        if (security.Oidc is { } oidc)
        {
            auth.AddOpenIdConnect(OidcScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = "code";
                o.SignInScheme = CookieScheme;
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = new Uri(oidc.Authority).Scheme == Uri.UriSchemeHttps;
                o.Scope.Add("profile");
                o.Scope.Add("email");
                o.Events.OnTokenValidated = c =>
                {
                    var name = c.Principal?.FindFirst(oidc.NameClaim)?.Value;
                    var user = name is null ? null : c.HttpContext.RequestServices.GetRequiredService<UsersService>().Find(name, ApiServer.Context(c.HttpContext));
                    if (user is null)
                    {
                        c.Fail($"no enabled SalesKpi user for claim {oidc.NameClaim}");
                        return Task.CompletedTask;
                    }

                    c.Principal = Principal(user.User.Name, OidcScheme);
                    return Task.CompletedTask;
                };
            });
        }

        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.FormFieldName = CsrfField;
            o.Cookie.Name = "saleskpi_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetFixedWindowLimiter(
                    SignedInUser(http) is { } user ? "user:" + user.User.Name : "ip:" + Address(http),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = security.RequestsPerWindow, Window = security.RateWindow, QueueLimit = 0 }));
            // Several processes may serve a PostgreSQL workspace: the guessing brake counts there, in the workspace.
            var shared = WorkspaceLocation.IsServer(options.WorkspacePath);
            o.AddPolicy(SignInPolicy, http => shared
                ? RateLimitPartition.Get("sign-in:" + Address(http), key => new SharedSignInLimiter(options, key))
                : RateLimitPartition.GetFixedWindowLimiter(
                    "sign-in:" + Address(http),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = security.SignInsPerWindow, Window = security.RateWindow, QueueLimit = 0 }));
            o.OnRejected = async (c, token) =>
            {
                var http = c.HttpContext;
                if (c.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after))
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                var msg = Msg.Of("api.rate_limited", "Too many requests: at most {0} per {1:0} s; wait and try again (Retry-After says when).", "Слишком много запросов: не больше {0} за {1:0} с; подождите и повторите (когда — в Retry-After).", http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is null ? security.RequestsPerWindow : security.SignInsPerWindow, security.RateWindow.TotalSeconds);
                await ApiServer.Problem(StatusCodes.Status429TooManyRequests, msg, ApiServer.LanguageOrEnglish(http.Request)).ExecuteAsync(http).ConfigureAwait(false);
            };
        });
    }

    /// <summary>
    /// First in the pipeline, when proxies are trusted: a request from one of them takes the client address (and scheme)
    /// the proxy forwarded, so limits, sign-in windows and logs see the client, not the load balancer.
    /// </summary>
    internal static void UseForwardedFor(WebApplication app, ServerSecurity security)
    {
        if (security.TrustedProxies.Count == 0)
        {
            return;
        }

        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        // The defaults trust loopback; only what the operator named is trusted.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in security.TrustedProxies)
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        app.UseForwardedHeaders(forwarded);
    }

    /// <summary>Adds routing, authentication, the rate limiter and the gate (who may call what) to the pipeline.</summary>
    internal static void Use(WebApplication app)
    {
        // Reads and changes run side by side: the WorkspaceKeeper holds the file open for writing, so DuckDB's
        // one engine per file is writable and a read during a change sees the last committed state.
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.Use(Gate);
    }

    /// <summary>Maps the session, identity, antiforgery, user and token endpoints.</summary>
    internal static void Map(WebApplication app)
    {
        var api = app.MapGroup(ApiServer.Prefix).WithTags("sign-in");
        api.MapPost("/session", SignIn).AllowAnonymous().RequireRateLimiting(SignInPolicy)
            .WithSummary("Sign in with name and password (JSON or form); sets the session cookie and returns the antiforgery token.");
        api.MapDelete("/session", (Delegate)SignOut).Allow(ApiRole.Rep).WithSummary("Sign out: removes the session cookie.");
        api.MapGet("/session/oidc", Challenge).AllowAnonymous()
            .WithSummary("Sign in through the configured OpenID Connect provider (redirects there); return_url is where to come back.");
        api.MapGet("/antiforgery", Antiforgery).AllowAnonymous()
            .WithSummary("The antiforgery token a cookie session sends in X-CSRF-TOKEN (or the form field) on POST, PUT, PATCH and DELETE.");
        api.MapGet("/me", (HttpContext http) => Text(UserJson(SignedInUser(http)!.User, SignedInUser(http)!.Scope, http.Items.ContainsKey(ViaTokenKey) ? "token" : "cookie")))
            .Allow(ApiRole.Rep).WithSummary("Who is signed in: name, role, CRM owner, data scope, and whether by cookie or token.");

        api.MapGet("/tokens", (HttpContext http, UsersService users) =>
            Text(new JsonObject { ["tokens"] = new JsonArray([.. users.ListTokens(Me(http), ApiServer.Context(http)).Select(TokenJson)]) }))
            .Allow(ApiRole.Rep).WithSummary("The signed-in user's API tokens (prefixes and dates, never secrets).");
        api.MapPost("/tokens", async (HttpContext http, UsersService users) =>
        {
            var fields = await Fields(http).ConfigureAwait(false);
            var ctx = ApiServer.Context(http);
            var created = users.CreateToken(Me(http), UsersService.ParseExpiry(fields.GetValueOrDefault("expires"), ctx.Clock.GetUtcNow()), ctx);
            var json = TokenJson(created.Token);
            json["token"] = created.Secret;
            return TypedResults.Text(json.ToJsonString(), Json, Encoding.UTF8, StatusCodes.Status201Created);
        }).Allow(ApiRole.Rep).WithSummary("Makes an API token for the signed-in user (expires: 90d, a date, or never); the token is in this answer only.");
        api.MapDelete("/tokens/{prefix}", (HttpContext http, UsersService users, string prefix) =>
            Text(TokenJson(users.RevokeToken(Me(http), prefix, ApiServer.Context(http)))))
            .Allow(ApiRole.Rep).WithSummary("Revokes one of the signed-in user's tokens.");

        api.MapGet("/users", (HttpContext http, UsersService users) =>
            Text(new JsonObject { ["users"] = new JsonArray([.. users.List(ApiServer.Context(http)).Select(u => UserJson(u, null, null))]) }))
            .Allow(ApiRole.Admin).WithSummary("Every user: name, role, CRM owner, disabled, locked until.");
        api.MapPost("/users", async (HttpContext http, UsersService users) =>
        {
            var f = await Fields(http).ConfigureAwait(false);
            var added = users.Add(new AddUserRequest(f.GetValueOrDefault("name") ?? string.Empty, f.GetValueOrDefault("role") ?? string.Empty, f.GetValueOrDefault("crm_owner"), f.GetValueOrDefault("password")), ApiServer.Context(http));
            var json = UserJson(added.User, null, null);
            json["password"] = added.GeneratedPassword;
            return TypedResults.Text(json.ToJsonString(), Json, Encoding.UTF8, StatusCodes.Status201Created);
        }).Allow(ApiRole.Admin).WithSummary("Adds a user (name, role, crm_owner for reps, optional password: generated and returned once when absent).");
        api.MapPost("/users/{name}/disable", (HttpContext http, UsersService users, string name) => Text(UserJson(users.SetDisabled(name, true, ApiServer.Context(http)), null, null)))
            .Allow(ApiRole.Admin).WithSummary("Disables a user: sign-in, cookies and tokens stop working.");
        api.MapPost("/users/{name}/enable", (HttpContext http, UsersService users, string name) => Text(UserJson(users.SetDisabled(name, false, ApiServer.Context(http)), null, null)))
            .Allow(ApiRole.Admin).WithSummary("Enables a disabled user.");
        api.MapPost("/users/{name}/reset-password", async (HttpContext http, UsersService users, string name) =>
        {
            var f = await Fields(http).ConfigureAwait(false);
            var generated = users.ResetPassword(name, f.GetValueOrDefault("password"), ApiServer.Context(http));
            return Text(new JsonObject { ["name"] = name, ["password"] = generated });
        }).Allow(ApiRole.Admin).WithSummary("Sets a user's password (generated and returned once when absent) and lifts a lockout.");
    }

    private static async Task Gate(HttpContext http, RequestDelegate next)
    {
        var endpoint = http.GetEndpoint();
        // Not a RouteEndpoint: the routing's own answers (405), which run no handler of ours.
        if (endpoint is not RouteEndpoint || !http.Request.Path.StartsWithSegments(ApiServer.Prefix, StringComparison.Ordinal)
            || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null)
        {
            await next(http).ConfigureAwait(false);
            return;
        }

        var language = ApiServer.LanguageOrEnglish(http.Request);
        if (SignedInUser(http) is not { } user)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            var why = http.Items[RefusalKey] as Msg ?? Msg.Of("auth.required", "Sign in first: POST {0}/session with name and password, or send 'Authorization: Bearer <token>'.", "Сначала войдите: POST {0}/session с именем и паролем или заголовок «Authorization: Bearer <токен>».", ApiServer.Prefix);
            await ApiServer.Problem(StatusCodes.Status401Unauthorized, why, language).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var required = endpoint.Metadata.GetMetadata<RequiresRole>();
        if (required is null || RoleOf(user.User.Role) < required.Minimum)
        {
            var msg = required is null
                ? Msg.Of("auth.no_role_declared", "{0} {1} declares no role, so nobody may call it.", "{0} {1} не объявляет роль, поэтому вызывать его не может никто.", http.Request.Method, http.Request.Path.Value)
                : Msg.Of("auth.forbidden", "{0} {1} needs the role {2} or above; {3} is {4}.", "{0} {1} требует роль {2} или выше; у {3} роль {4}.", http.Request.Method, http.Request.Path.Value, required.Minimum.ToString().ToLowerInvariant(), user.User.Name, UsersService.RoleName(user.User.Role));
            await ApiServer.Problem(StatusCodes.Status403Forbidden, msg, language).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        // A cookie is sent by the browser on its own: a change made with one must prove it came from our page. A token is not.
        if (!http.Items.ContainsKey(ViaTokenKey) && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method))
        {
            try
            {
                await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                var msg = Msg.Of("auth.antiforgery", "A change with a session cookie needs the antiforgery token: GET {0}/antiforgery and send it in the {1} header (or the {2} form field).", "Изменение с сеансовым cookie требует токен защиты от подделки: GET {0}/antiforgery и передайте его в заголовке {1} (или в поле формы {2}).", ApiServer.Prefix, CsrfHeader, CsrfField);
                await ApiServer.Problem(StatusCodes.Status400BadRequest, msg, language).ExecuteAsync(http).ConfigureAwait(false);
                return;
            }
        }

        await next(http).ConfigureAwait(false);
    }

    private static async Task<IResult> SignIn(HttpContext http, UsersService users)
    {
        var f = await Fields(http).ConfigureAwait(false);
        var user = users.VerifyPassword(f.GetValueOrDefault("name") ?? string.Empty, f.GetValueOrDefault("password") ?? string.Empty, ApiServer.Context(http));
        var principal = Principal(user.User.Name, CookieScheme);
        await http.SignInAsync(CookieScheme, principal).ConfigureAwait(false);

        // The antiforgery token is bound to the identity: issue it for the one just signed in.
        http.User = principal;
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var json = UserJson(user.User, user.Scope, "cookie");
        json["csrf_token"] = tokens.RequestToken;
        json["csrf_header"] = CsrfHeader;
        return Text(json);
    }

    /// <summary>
    /// <paramref name="url"/> when it is a path of this server, else null: a sign-in that sends the browser back must
    /// never send it to another site (<c>//host</c> and <c>/\host</c> are other sites to a browser).
    /// </summary>
    internal static string? LocalPath(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : null;

    /// <summary>Signs <paramref name="name"/> in with the session cookie (the dashboard's sign-in form).</summary>
    internal static Task SignInWithCookie(HttpContext http, string name) => http.SignInAsync(CookieScheme, Principal(name, CookieScheme));

    /// <summary>Removes the session cookie (the dashboard's sign-out button).</summary>
    internal static Task SignOutCookie(HttpContext http) => http.SignOutAsync(CookieScheme);

    private static async Task<IResult> SignOut(HttpContext http)
    {
        await http.SignOutAsync(CookieScheme).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static ChallengeHttpResult Challenge(HttpContext http, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "return_url")] string? returnUrl)
    {
        if (http.RequestServices.GetRequiredService<ServerOptions>().Security.Oidc is null)
        {
            throw new SalesKpiException(Msg.Of("server.oidc_off", "This server has no OpenID Connect sign-in: sign in with POST {0}/session, or start it with --oidc-authority and --oidc-client-id.", "На этом сервере нет входа через OpenID Connect: входите через POST {0}/session или запустите сервер с --oidc-authority и --oidc-client-id.", ApiServer.Prefix));
        }

        // Only a path of this server: an absolute address would make the sign-in an open redirect.
        var back = LocalPath(returnUrl) ?? ApiServer.Prefix + "/me";
        return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = back }, [OidcScheme]);
    }

    private static ContentHttpResult Antiforgery(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return Text(new JsonObject { ["token"] = tokens.RequestToken, ["header"] = CsrfHeader, ["form_field"] = CsrfField });
    }

    private static string Me(HttpContext http) => SignedInUser(http)!.User.Name;

    private static ClaimsPrincipal Principal(string name, string via) => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], via));

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static Task Refuse(HttpContext http, int status)
    {
        http.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static ContentHttpResult Text(JsonObject json) => TypedResults.Text(json.ToJsonString(), Json, Encoding.UTF8);

    private static JsonObject UserJson(UserInfo user, Application.DataScope? scope, string? via)
    {
        var json = new JsonObject
        {
            ["name"] = user.Name,
            ["role"] = UsersService.RoleName(user.Role),
            ["crm_owner"] = user.CrmOwner,
            ["disabled"] = user.Disabled,
            ["locked_until"] = Instant(user.LockedUntilUtc),
            ["created_at"] = Instant(user.CreatedAtUtc),
        };
        if (via is not null)
        {
            json["scope"] = scope is null ? null : new JsonObject { ["owner"] = scope.Owner, ["company_totals"] = scope.CompanyTotals };
            json["via"] = via;
        }

        return json;
    }

    private static JsonObject TokenJson(TokenInfo t) => new()
    {
        ["prefix"] = t.Prefix,
        ["user"] = t.User,
        ["created_at"] = Instant(t.CreatedAtUtc),
        ["expires_at"] = Instant(t.ExpiresAtUtc),
        ["revoked_at"] = Instant(t.RevokedAtUtc),
    };

    private static string? Instant(DateTime? t) => t?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    // The fields of a small JSON object or form body; absent fields are absent, every value as text.
    private static async Task<Dictionary<string, string?>> Fields(HttpContext http)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        var request = http.Request;
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false))
            {
                fields[key] = value.ToString();
            }

            return fields;
        }

        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return fields;
        }

        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException();
            }

            foreach (var p in doc.RootElement.EnumerateObject())
            {
                fields[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => p.Value.GetRawText(),
                };
            }
        }
        catch (JsonException)
        {
            throw new SalesKpiException(Msg.Of("api.bad_body", "The body is not a JSON object or a form: send e.g. {{\"name\": \"anna\", \"password\": \"…\"}}.", "Тело запроса — не объект JSON и не форма: отправьте, например, {{\"name\": \"anna\", \"password\": \"…\"}}."));
        }

        return fields;
    }

    /// <summary>Authenticates <c>Authorization: Bearer skp_…</c> against the workspace's tokens.</summary>
    private sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            try
            {
                var user = Context.RequestServices.GetRequiredService<UsersService>().VerifyToken(header["Bearer ".Length..].Trim(), ApiServer.Context(Context));
                Context.Items[UserKey] = user;
                Context.Items[ViaTokenKey] = true;
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(user.User.Name, TokenScheme), TokenScheme)));
            }
            catch (SalesKpiException ex) when (ex.Text.Code == "auth.token_invalid")
            {
                Context.Items[RefusalKey] = ex.Text;
                return Task.FromResult(AuthenticateResult.Fail(ex.Text.Render(Language.En)));
            }
        }
    }
}
