using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;
using Scalar.AspNetCore;

namespace SalesKpi.Web;

/// <summary>
/// The web host of SalesKpi: a REST API under <c>/api/v1</c> whose endpoints call the same application
/// services as the CLI and write the same JSON as its <c>--format json</c>; changes and imports pass one at a time
/// through the server's <see cref="WriteGate"/> and are audited; an OpenAPI document at
/// <c>/openapi/v1.json</c>, a browsable reference at <c>/scalar</c>, and <c>/healthz</c> and <c>/readyz</c>.
/// Every request builds its own <see cref="RequestContext"/> (language from <c>?lang=</c>, else Accept-Language,
/// else English; "now" from the registered <see cref="TimeProvider"/>); every error is RFC 9457 problem details
/// with the message's <c>code</c>. See docs/server.md.
/// </summary>
public static class ApiServer
{
    /// <summary>The prefix of every API route.</summary>
    public const string Prefix = "/api/v1";

    /// <summary>The OpenAPI document's path.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>The browsable API reference's path.</summary>
    public const string ReferencePath = "/scalar/";

    private const string Json = "application/json";

    /// <summary>
    /// Builds the server for <paramref name="options"/>; <paramref name="configure"/> may adjust the builder before it
    /// is built (tests swap the server for an in-memory one). The caller starts it and holds the <see cref="ServeLock"/>.
    /// </summary>
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(ApiServer).Assembly.GetName().Name });
        builder.WebHost.UseUrls([.. options.Urls]);

        // The CLI prints where the server listens; the host's own start-up lines would repeat it.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (options.RequestLog)
        {
            // --log-requests: one structured line per request as JSON, for a log collector.
            builder.Logging.AddFilter(RequestLog.Category, LogLevel.Information);
            builder.Logging.AddJsonConsole();
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.Clock);

        // Ctrl+C must end the server: requests still running after 10 s are abandoned (their transactions roll back).
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<ReportService>();
        builder.Services.AddSingleton<ExplainService>();
        builder.Services.AddSingleton<FunnelService>();
        builder.Services.AddSingleton<AnalysisService>();
        builder.Services.AddSingleton<ScorecardService>();
        builder.Services.AddSingleton<StatusService>();
        builder.Services.AddSingleton<TargetsService>();
        builder.Services.AddSingleton<ConfigService>();
        builder.Services.AddSingleton<KpiSystemHistoryService>();
        builder.Services.AddSingleton<ParamsService>();
        builder.Services.AddSingleton<ImportService>();
        builder.Services.AddSingleton<AuditService>();
        builder.Services.AddSingleton<WriteGate>();
        builder.Services.AddSingleton(sp => new ResultCache(sp.GetRequiredService<WriteGate>(), options.Clock)
        {
            // Several processes may serve a PostgreSQL workspace: what one writes, the others learn from its data version.
            StoredVersion = WorkspaceLocation.IsServer(options.WorkspacePath) ? () => StoredVersion(sp.GetRequiredService<WorkspacePool>(), options) : null,
        });

        // Opening a workspace costs tens to hundreds of milliseconds per call; the server keeps read-only ones open.
        builder.Services.AddSingleton(sp => new WorkspacePool(TimeSpan.FromMinutes(5), options.Clock));
        builder.Services.AddHostedService<WorkspaceKeeper>();
        builder.Services.AddHostedService<DigestScheduler>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddRazorComponents();

        // Pages are UTF-8: Russian text goes out as text, not as a character reference per letter.
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        ApiAuth.AddServices(builder, options);
        WorkspaceKeyRing.AddTo(builder, options);
        configure?.Invoke(builder);

        var app = builder.Build();
        WorkspaceKeyRing.EnsureKey(app.Services, options);
        ApiAuth.UseForwardedFor(app, options.Security);
        RequestLog.Use(app);
        app.Use(Errors);
        app.UseStatusCodePages(NoEndpoint);
        ApiAuth.Use(app);
        Map(app);
        ApiAuth.Map(app);
        DashboardEndpoints.Map(app);
        return app;
    }

    private static long? StoredVersion(WorkspacePool pool, ServerOptions options)
    {
        using var ws = pool.Rent(options.WorkspacePath, new WorkspaceWait(options.Wait, _ => { }, options.Clock));
        return ws.DataVersion();
    }

    /// <summary>
    /// The request context of <paramref name="http"/>: its language, the server's clock and workspace, the signed-in
    /// user as the acting user, and a rep's data scope (their CRM owner; company totals as the workspace allows).
    /// </summary>
    internal static RequestContext Context(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<ServerOptions>();
        var user = ApiAuth.SignedInUser(http);
        return new RequestContext(LanguageOf(http.Request), http.RequestServices.GetRequiredService<TimeProvider>(), user?.User.Name ?? ConfigStore.DefaultAuthor, options.WorkspacePath)
        {
            Wait = options.Wait,
            Scope = user?.Scope,
            Pool = http.RequestServices.GetRequiredService<WorkspacePool>(),
        };
    }

    /// <summary>The language a request asks for: <c>?lang=</c>, else the first Accept-Language by quality that is English or Russian, else English.</summary>
    internal static Language LanguageOf(HttpRequest request)
    {
        if (request.Query.TryGetValue("lang", out var asked) && asked.Count > 0)
        {
            return Languages.Parse(asked[0]) ?? throw new SalesKpiException(Msg.Of(
                "api.bad_language", "lang={0} is not a language of SalesKpi: use en or ru.", "lang={0} — такого языка в SalesKpi нет: используйте en или ru.", asked[0]));
        }

        return BrowserLanguage(request);
    }

    /// <summary>The first Accept-Language of <paramref name="request"/> by quality that is English or Russian, else English.</summary>
    internal static Language BrowserLanguage(HttpRequest request)
    {
        foreach (var tag in request.GetTypedHeaders().AcceptLanguage.OrderByDescending(t => t.Quality ?? 1))
        {
            if (Languages.Parse(tag.Value.Value) is { } language)
            {
                return language;
            }
        }

        return Language.En;
    }

    internal static Language LanguageOrEnglish(HttpRequest request)
    {
        try
        {
            return LanguageOf(request);
        }
        catch (SalesKpiException)
        {
            return Language.En;
        }
    }

    private static void Map(WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapGet("/healthz", () => TypedResults.Text("{\"status\":\"up\"}", Json, Encoding.UTF8)).WithSummary("The process is up.").ExcludeFromDescription();
        app.MapGet("/readyz", Ready).WithSummary("The workspace opens.").ExcludeFromDescription();

        var api = app.MapGroup(Prefix).WithTags("read").Allow(ApiRole.Rep);

        // Every read of this group (GET) is answered from the result cache when the same view was computed before.
        ResultCache.Cached(api);
        Document(api.MapGet("/report", (HttpContext http, ReportService service, string? period, string? grain, string? by, string? kpi, [FromQuery(Name = "as_of")] string? asOf) =>
        {
            var ctx = Context(http);
            var answer = service.Run(new ReportQuery(period, asOf, grain, Split(by), Split(kpi)), ctx);
            return Answer(http, ReportOutput.Json(answer.Report, ctx.Language), answer.Warnings);
        }), "report", "KPIs for a period by grain and slice: the JSON of 'saleskpi report --format json'.");

        Document(api.MapGet("/explain/{kpi}", (HttpContext http, ExplainService service, string kpi, string? period, [FromQuery(Name = "as_of")] string? asOf, string[]? slice, int? limit, int? offset) =>
        {
            var ctx = Context(http);
            var answer = service.Run(new ExplainQuery(kpi, period, asOf, slice ?? [], limit ?? 20) { Offset = offset ?? 0 }, ctx);
            return Answer(http, ApiJson.Explain(answer, ctx.Language), answer.Warnings);
        }), "explain", "How one KPI value is computed: formula, numbers and the records behind it (slice=dim=value, repeatable; limit=0 lists all; offset=N skips N records of each source, for pages).");

        Document(api.MapGet("/funnel", (HttpContext http, FunnelService service, string? period, [FromQuery(Name = "as_of")] string? asOf, string? by) =>
        {
            var answer = service.Run(new FunnelQuery(period, asOf, by), Context(http));
            return Answer(http, FunnelOutput.Json(answer.Funnel), answer.Warnings);
        }), "funnel", "The funnel of a period: the JSON of 'saleskpi funnel --format json'.");

        Document(api.MapGet("/diagnose", (HttpContext http, AnalysisService service, string? period, [FromQuery(Name = "as_of")] string? asOf, string? compare, double? alpha) =>
        {
            var ctx = Context(http);
            var yearBefore = compare switch
            {
                null or "previous" => false,
                "year" => true,
                _ => throw new SalesKpiException(Msg.Of("api.bad_compare", "compare={0} is not known: use previous or year.", "compare={0} — неизвестное значение: используйте previous или year.", compare)),
            };
            if (alpha is <= 0 or >= 0.5)
            {
                throw new SalesKpiException(Msg.Of("api.bad_alpha", "alpha must be between 0 and 0.5, e.g. 0.05.", "alpha должно быть между 0 и 0.5, например 0.05."));
            }

            var answer = service.Diagnose(new AnalysisWindow(period, asOf), yearBefore, alpha ?? 0.05, string.Empty, ctx);
            return Answer(http, DiagnoseOutput.Json(answer.Report, ctx.Language), answer.Warnings);
        }), "diagnose", "What changed significantly against the previous period or a year before: the JSON of 'saleskpi diagnose --format json'.");

        Document(api.MapGet("/survival", (HttpContext http, AnalysisService service, string? period, [FromQuery(Name = "as_of")] string? asOf) =>
        {
            var answer = service.Survival(new AnalysisWindow(period, asOf), Context(http));
            return Answer(http, SurvivalOutput.Json(answer.Report), answer.Warnings);
        }), "survival", "Time in each pipeline stage (Kaplan–Meier, open deals censored): the JSON of 'saleskpi survival --format json'.");

        Document(api.MapGet("/snapshots/{id:int}", (HttpContext http, KpiSystemHistoryService service, int id) =>
            Answer(http, service.Snapshot(id, Context(http)), [])), "snapshot", "A stored scorecard snapshot, rendered in the request's language whatever language it was taken in.");

        Document(api.MapGet("/scorecard", (HttpContext http, ScorecardService service, string? period, [FromQuery(Name = "as_of")] string? asOf, string? by, [FromQuery(Name = "config_version")] int? configVersion) =>
        {
            var ctx = Context(http);
            var answer = service.Run(new ScorecardQuery(period, asOf, configVersion, by), ctx);
            return Answer(http, ScorecardOutput.Json(answer.Scorecard, ctx.Language), answer.Warnings);
        }), "scorecard", "The KPI system for a period: the JSON of 'saleskpi scorecard --format json'.");

        Document(api.MapGet("/status", (HttpContext http, StatusService service, int? imports) =>
            Answer(http, ApiJson.Status(service.Run(imports ?? 5, Context(http))), [])), "status", "What the workspace holds: rows and date range per entity, the last imports.");

        Document(api.MapGet("/kpis", (HttpContext http) => Answer(http, ApiJson.Catalogue(LanguageOf(http.Request)), [])), "kpis", "The KPI catalogue: id, name in the request's language, unit, direction, dimensions.");

        Document(api.MapGet("/targets", (HttpContext http, TargetsService service, string? period, string? kpi, bool? check) =>
            Answer(http, ApiJson.Targets(service.List(period, kpi, check ?? false, Context(http))), [])), "targets", "The targets in force, filtered by period and KPI; check=true adds each one's chance of being reached.");

        Document(api.MapGet("/versions", (HttpContext http, ConfigService service) =>
            Answer(http, ApiJson.Versions(service.Log(Context(http)).Versions), [])), "versions", "The KPI-system versions: number, when, who, why, effective from.");

        ApiReads2.Map(api);
        ApiWrites.Map(app.MapGroup(Prefix));
    }

    internal static RouteHandlerBuilder Document(RouteHandlerBuilder route, string name, string summary) =>
        route.WithName(name).WithSummary(summary)
            .Produces(StatusCodes.Status200OK, contentType: Json)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    internal static ContentHttpResult Answer(HttpContext http, string json, IReadOnlyList<Msg> warnings)
    {
        // The CLI prints warnings on standard error; here their codes travel beside the document, which stays the CLI's.
        if (warnings.Count > 0)
        {
            http.Response.Headers["X-SalesKpi-Warnings"] = string.Join(",", warnings.Select(w => w.Code));
        }

        return TypedResults.Text(json, Json, Encoding.UTF8);
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Ready(HttpContext http)
    {
        var ctx = Context(http) with { Wait = TimeSpan.Zero };
        try
        {
            using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
            return TypedResults.Text("{\"status\":\"ready\"}", Json, Encoding.UTF8);
        }
        catch (SalesKpiException ex)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, ex.Text, ctx.Language);
        }
    }

    internal static List<string> Split(string? list) =>
        list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static async Task Errors(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http).ConfigureAwait(false);
        }
        catch (SalesKpiException ex) when (!http.Response.HasStarted)
        {
            var language = LanguageOrEnglish(http.Request);
            var status = StatusOf(ex.Text.Code);
            var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = ex.Text.Code };

            // Input refused as a whole lists every problem, so that one answer is enough to fix them all.
            var errors = ex switch
            {
                InvalidInputException invalid => invalid.Errors,
                Core.Config.KpiSystemInvalidException refused => [.. refused.Issues.Select(i => i.ToMsg())],
                _ => [],
            };
            if (errors.Count > 0)
            {
                extensions["errors"] = ApiDocs.Errors(errors, language).Select(e => e.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null : ApiWrites.Scrub(http, kv.Value))).ToList();
            }

            if (status == StatusCodes.Status409Conflict)
            {
                http.Response.Headers.RetryAfter = "5";
            }

            await TypedResults.Problem(
                detail: ApiWrites.Scrub(http, ex.Text.Render(language)),
                statusCode: status,
                title: Title(status, language),
                extensions: extensions).ExecuteAsync(http).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            // A query value of the wrong type (limit=abc): the framework's sentence names the parameter.
            var msg = Msg.Of("api.bad_parameter", "A parameter has the wrong form: {0}", "Параметр задан в неверном виде: {0}", ex.Message);
            await Problem(StatusCodes.Status400BadRequest, msg, LanguageOrEnglish(http.Request)).ExecuteAsync(http).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The last line of defence: any other failure becomes a 500 without its stack trace.
        catch (Exception ex) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
#pragma warning restore CA1031
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiServer)).LogError(ex, "Unexpected failure of {Method} {Path}", http.Request.Method, http.Request.Path);
            var msg = Msg.Of("api.internal", "The server failed unexpectedly; the server log has the details.", "Сервер неожиданно дал сбой; подробности — в журнале сервера.");
            await Problem(StatusCodes.Status500InternalServerError, msg, LanguageOrEnglish(http.Request)).ExecuteAsync(http).ConfigureAwait(false);
        }
    }

    private static Task NoEndpoint(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var language = LanguageOrEnglish(http.Request);
        var msg = http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => Msg.Of("api.not_found", "There is no endpoint {0}: {1} lists them.", "Адреса {0} нет: список — в {1}.", http.Request.Path.Value, OpenApiPath),
            StatusCodes.Status405MethodNotAllowed => Msg.Of("api.method_not_allowed", "{0} does not take {1}: {2} lists the methods of every endpoint.", "{0} не принимает {1}: методы каждого адреса перечислены в {2}.", http.Request.Path.Value, http.Request.Method, OpenApiPath),
            _ => Msg.Of("api.status", "The request failed with status {0}.", "Запрос не выполнен, статус {0}.", http.Response.StatusCode),
        };
        return Problem(http.Response.StatusCode, msg, language).ExecuteAsync(http);
    }

    // A thing that is named and absent is 404; the workspace not being openable is the server's state, 503; anything else the caller can fix, 400.
    // A change refused because another one runs is a conflict with the server's state, 409; an upload over the limit 413.
    private static int StatusOf(string code) => code switch
    {
        "kpi.unknown" or "snapshot.not_found" or "config.no_such_version" or "api.no_such_report" or "targets.none_to_remove" => StatusCodes.Status404NotFound,
        "users.unknown" or "users.no_such_token" or "server.oidc_off" => StatusCodes.Status404NotFound,
        "users.exists" or "api.writer_busy" => StatusCodes.Status409Conflict,
        "api.too_large" => StatusCodes.Status413PayloadTooLarge,
        _ when code.StartsWith("auth.", StringComparison.Ordinal) => StatusCodes.Status401Unauthorized,
        _ when code.StartsWith("workspace.", StringComparison.Ordinal) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    internal static ProblemHttpResult Problem(int status, Msg message, Language language) =>
        TypedResults.Problem(
            detail: message.Render(language),
            statusCode: status,
            title: Title(status, language),
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = message.Code });

    private static string Title(int status, Language language) => (status, language) switch
    {
        (StatusCodes.Status401Unauthorized, Language.Ru) => "Требуется вход",
        (StatusCodes.Status401Unauthorized, _) => "Sign-in required",
        (StatusCodes.Status403Forbidden, Language.Ru) => "Доступ запрещён",
        (StatusCodes.Status403Forbidden, _) => "Forbidden",
        (StatusCodes.Status409Conflict, Language.Ru) => "Конфликт",
        (StatusCodes.Status409Conflict, _) => "Conflict",
        (StatusCodes.Status429TooManyRequests, Language.Ru) => "Слишком много запросов",
        (StatusCodes.Status429TooManyRequests, _) => "Too many requests",
        (StatusCodes.Status404NotFound, Language.Ru) => "Не найдено",
        (StatusCodes.Status404NotFound, _) => "Not found",
        (StatusCodes.Status405MethodNotAllowed, Language.Ru) => "Метод не поддерживается",
        (StatusCodes.Status405MethodNotAllowed, _) => "Method not allowed",
        (StatusCodes.Status413PayloadTooLarge, Language.Ru) => "Слишком большой запрос",
        (StatusCodes.Status413PayloadTooLarge, _) => "Payload too large",
        (StatusCodes.Status503ServiceUnavailable, Language.Ru) => "Рабочая область недоступна",
        (StatusCodes.Status503ServiceUnavailable, _) => "Workspace unavailable",
        (>= 500, Language.Ru) => "Ошибка сервера",
        (>= 500, _) => "Server error",
        (_, Language.Ru) => "Неверный запрос",
        _ => "Bad request",
    };
}
