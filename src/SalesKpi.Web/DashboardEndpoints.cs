using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Dashboard;
using SalesKpi.Dashboard.Pages;

namespace SalesKpi.Web;

/// <summary>
/// The dashboard's pages (docs/dashboard.md): each parses its URL, calls the application services with the
/// request's context (the signed-in user's scope included) and renders a page component. Anyone not signed in is
/// sent to <c>/signin</c> and back; a view that cannot be computed (a bad period) is a page that says why, with
/// status 400, never a stack trace.
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(WebApplication app)
    {
        DashboardAssets.Map(app);
        app.MapGet("/signin", (HttpContext http, [FromQuery(Name = "return_url")] string? returnUrl) => SignInForm(http, Local(returnUrl), null, null, StatusCodes.Status200OK))
            .ExcludeFromDescription().AllowAnonymous();
        app.MapPost("/signin", SignIn).ExcludeFromDescription().AllowAnonymous().DisableAntiforgery().RequireRateLimiting(ApiAuth.SignInPolicy);
        app.MapPost("/signout", SignOut).ExcludeFromDescription().DisableAntiforgery().Allow(ApiRole.Rep);

        var pages = app.MapGroup(string.Empty).ExcludeFromDescription().Allow(ApiRole.Rep);
        pages.MapGet("/", (HttpContext http, ScorecardService scorecards, ReportService reports, string? period, [FromQuery(Name = "as_of")] string? asOf, string? dim, string? value) =>
            Page(http, "/", (ctx, frame) => new RazorComponentResult<ScorecardPage>(new
            {
                Frame = frame,
                View = Cached(http, () => ScorecardView.Load(scorecards, reports, ctx, Blank(period), Blank(asOf), Blank(dim), Blank(value)), v => v.Answer.Warnings),
            })));
        pages.MapGet("/kpi/{id}", (HttpContext http, ReportService reports, ExplainService explains, TargetsService targets, string id, string? period, [FromQuery(Name = "as_of")] string? asOf, string? grain, string? by, string[]? slice, int? page, string? sort) =>
            Page(http, "/kpi/" + id, (ctx, frame) => new RazorComponentResult<KpiPage>(new
            {
                Frame = frame,
                View = Cached(http, () => KpiView.Load(reports, explains, targets, ctx, id, Blank(period), Blank(asOf), Blank(grain), Blank(by), Slices(slice), page ?? 1, Blank(sort)), v => v.Explain.Warnings),
            })));
        pages.MapGet("/funnel", (HttpContext http, FunnelService funnels, string? period, [FromQuery(Name = "as_of")] string? asOf, string? by) =>
            Page(http, "/funnel", (ctx, frame) => new RazorComponentResult<FunnelPage>(new { Frame = frame, View = Cached(http, () => FunnelView.Load(funnels, ctx, Blank(period), Blank(asOf), Blank(by)), v => v.Answer.Warnings) })));
        pages.MapGet("/diagnosis", (HttpContext http, AnalysisService analyses, string? period, [FromQuery(Name = "as_of")] string? asOf, string? compare) =>
            Page(http, "/diagnosis", (ctx, frame) => new RazorComponentResult<DiagnosisPage>(new { Frame = frame, View = Cached(http, () => DiagnosisView.Load(analyses, ctx, Blank(period), Blank(asOf), Blank(compare)), v => v.Diagnosis.Warnings.Concat(v.Velocity.Warnings)) })));
        pages.MapGet("/leaderboard", (HttpContext http, ReportService reports, string? period, [FromQuery(Name = "as_of")] string? asOf, string? sort) =>
            Page(http, "/leaderboard", (ctx, frame) => new RazorComponentResult<LeaderboardPage>(new { Frame = frame, View = Cached(http, () => LeaderboardView.Load(reports, ctx, Blank(period), Blank(asOf), Blank(sort)), v => v.Warnings) }), ApiRole.Manager));
        SystemEndpoints.Map(pages);
        pages.MapGet("/whatif", (HttpContext http, AnalysisService analyses, string? period, [FromQuery(Name = "as_of")] string? asOf, int? runs, int? seed) =>
            Page(http, "/whatif", (ctx, frame) => new RazorComponentResult<WhatIfPage>(new
            {
                Frame = frame,
                View = Cached(http, () => WhatIfView.Load(analyses, ctx, Blank(period), Blank(asOf), Metrics.Analyses.LeverChange.Levers.ToDictionary(l => l, l => Blank(http.Request.Query[l].ToString())), runs, seed), v => v.Answer.Warnings),
            }), ApiRole.Manager));
        ImportPageEndpoints.Map(pages);
        pages.MapGet("/kpi/{id}/records.csv", (HttpContext http, ExplainService explains, string id, string? period, [FromQuery(Name = "as_of")] string? asOf, string[]? slice) =>
            Page(http, "/kpi/" + id, (ctx, _) =>
            {
                var answer = explains.Run(new ExplainQuery(id, Blank(period), Blank(asOf), Slices(slice), 0), ctx);
                return TypedResults.File([.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(ExplainOutput.Csv(answer, ctx.Language))], "text/csv; charset=utf-8", RecordsFile(answer) + ".csv");
            }));
        pages.MapGet("/kpi/{id}/records.xlsx", (HttpContext http, ExplainService explains, string id, string? period, [FromQuery(Name = "as_of")] string? asOf, string[]? slice) =>
            Page(http, "/kpi/" + id, (ctx, _) =>
            {
                var answer = explains.Run(new ExplainQuery(id, Blank(period), Blank(asOf), Slices(slice), 0), ctx);
                return TypedResults.File(ExplainOutput.Xlsx(answer, ctx.Language), Spreadsheet.XlsxContentType, RecordsFile(answer) + ".xlsx");
            }));
        MapDownloads(pages);
    }

    // The xlsx downloads of the scorecard, KPI and funnel pages: the view the page shows (same URL parameters, same
    // cache, same least role, the signed-in user's scope), as sheets of the one Spreadsheet writer (docs/export.md).
    private static void MapDownloads(RouteGroupBuilder pages)
    {
        pages.MapGet("/scorecard.xlsx", (HttpContext http, ScorecardService scorecards, ReportService reports, string? period, [FromQuery(Name = "as_of")] string? asOf, string? dim, string? value) =>
            Page(http, "/", (ctx, _) =>
            {
                var view = Cached(http, () => ScorecardView.Load(scorecards, reports, ctx, Blank(period), Blank(asOf), Blank(dim), Blank(value)), v => v.Answer.Warnings);
                var s = view.Answer.Scorecard with { Rows = view.Rows };
                return Xlsx([ExportSheets.Scorecard(s, ctx.Language)], ctx.Language, "scorecard-" + s.Period.Label);
            }));
        pages.MapGet("/kpi/{id}/trend.xlsx", (HttpContext http, ReportService reports, ExplainService explains, TargetsService targets, string id, string? period, [FromQuery(Name = "as_of")] string? asOf, string? grain, string? by, string[]? slice) =>
            Page(http, "/kpi/" + id, (ctx, _) =>
            {
                var view = Cached(http, () => KpiView.Load(reports, explains, targets, ctx, id, Blank(period), Blank(asOf), Blank(grain), Blank(by), Slices(slice), 1, null), v => v.Explain.Warnings);
                var trend = ExportSheets.KpiTrend(view.Kpi, view.Trend.Select(p => (p.Label, p.Result, p.Target?.Value)));
                var breakdown = ExportSheets.Breakdown(new Metrics.Engine.KpiReport(view.Explain.AsOf.UtcDateTime, view.Breakdown, []), view.By);
                return Xlsx([trend, breakdown], ctx.Language, view.Kpi.Id + "-" + view.Explain.Period.Label);
            }));
        pages.MapGet("/funnel.xlsx", (HttpContext http, FunnelService funnels, string? period, [FromQuery(Name = "as_of")] string? asOf, string? by) =>
            Page(http, "/funnel", (ctx, _) =>
            {
                var view = Cached(http, () => FunnelView.Load(funnels, ctx, Blank(period), Blank(asOf), Blank(by)), v => v.Answer.Warnings);
                return Xlsx([ExportSheets.Funnel(view.Funnel)], ctx.Language, "funnel-" + view.Funnel.Period.Label);
            }));
        pages.MapGet("/brief.pdf", (HttpContext http, ServerOptions options, string? period, [FromQuery(Name = "as_of")] string? asOf, string? by, string? kpi) =>
            Page(http, "/brief.pdf", (ctx, _) =>
            {
                // The same brief as `saleskpi brief --format pdf`, in the page's language and the user's data scope;
                // without a browser, say so before computing anything.
                SalesKpi.Dashboard.Brief.BriefPdf.Require(options.Chromium);
                var brief = new BriefService().Run(new BriefQuery(Blank(period), Blank(asOf), Blank(by), Blank(kpi)), ctx);
                var html = SalesKpi.Dashboard.Brief.BriefHtml.Render(brief, ctx.Language, ctx.Clock.GetUtcNow());
                var pdf = SalesKpi.Dashboard.Brief.BriefPdf.PrintAsync(html, options.Chromium, SalesKpi.Dashboard.Brief.BriefPdf.DefaultTimeout, http.RequestAborted).GetAwaiter().GetResult();
                return TypedResults.File(pdf, "application/pdf", "brief-" + brief.Period.Label + (Blank(kpi) is { } k ? "-" + new string([.. k.Select(ch => char.IsLetterOrDigit(ch) || ch is '_' ? ch : '_')]) : string.Empty) + ".pdf");
            }));
    }

    private static FileContentHttpResult Xlsx(IReadOnlyList<Sheet> sheets, Language language, string name) =>
        TypedResults.File(Spreadsheet.Xlsx(sheets, language), Spreadsheet.XlsxContentType, SafeName(name) + ".xlsx");

    /// <summary>
    /// The view a page renders, from the server's versioned cache (<see cref="ResultCache.View{T}"/>): computed once per
    /// request key and data version, so a change or an import recomputes it. A page's view must depend only on the
    /// request's URL, language and data scope (never on the user's name or the antiforgery token).
    /// </summary>
    internal static T Cached<T>(HttpContext http, Func<T> load, Func<T, IEnumerable<Msg>> warnings)
        where T : class =>
        http.RequestServices.GetRequiredService<ResultCache>().View(http, load, warnings);

    // A download's name: KPI, period and slice values, with only characters every file system accepts.
    private static string RecordsFile(ExplainAnswer answer) =>
        SafeName(string.Join("-", new[] { answer.Kpi.Id, answer.Period.Label }.Concat(answer.Slice.Select(kv => kv.Value))));

    private static string SafeName(string name) => new([.. name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);

    internal static List<string> Slices(string[]? slice) => [.. (slice ?? []).Where(s => !string.IsNullOrWhiteSpace(s))];

    internal static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>
    /// Renders a page for a signed-in user whose role is at least <paramref name="minimum"/>: anyone not signed in
    /// is sent to sign in and back; a lower role gets a page that says which role it needs (403); a view that cannot
    /// be computed gets a page that says what to fix (400).
    /// </summary>
    internal static IResult Page(HttpContext http, string path, Func<RequestContext, PageFrame, IResult> render, ApiRole minimum = ApiRole.Rep)
    {
        var signedIn = ApiAuth.SignedInUser(http);
        var language = LanguageOfPage(http.Request);
        if (signedIn is null)
        {
            // A bookmark or a shared link: sign in first (in the link's language), then land on the same view.
            return TypedResults.Redirect("/signin?lang=" + (language == Language.Ru ? "ru" : "en") + "&return_url=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
        }

        var ctx = ApiServer.Context(http) with { Language = language };
        var frame = Frame(http, path, language) with { User = signedIn.User.Name, Role = UsersService.RoleName(signedIn.User.Role) };
        if (ApiAuth.RoleOf(signedIn.User.Role) < minimum)
        {
            var why = Msg.Of("page.forbidden", "This page needs the role {0} or above; {1} is {2}.", "Эта страница требует роль «{0}» или выше; у {1} роль «{2}».", frame.RoleText(minimum.ToString().ToLowerInvariant()), signedIn.User.Name, frame.RoleText(frame.Role));
            return new RazorComponentResult<ProblemPage>(new { Frame = frame, Message = why.Render(language), Forbidden = true }) { StatusCode = StatusCodes.Status403Forbidden };
        }

        try
        {
            return render(ctx, frame);
        }
        catch (SalesKpiException ex)
        {
            return new RazorComponentResult<ProblemPage>(new { Frame = frame, Message = ex.Render(language) }) { StatusCode = StatusCodes.Status400BadRequest };
        }
    }

    /// <summary>
    /// Handles a page's form that changes something: the same checks as <see cref="Page"/>, and, for a browser
    /// session (not an API token), the antiforgery token of the form, so another site cannot post it in the user's
    /// name. <paramref name="render"/> receives the posted form.
    /// </summary>
    internal static async Task<IResult> PostPage(HttpContext http, string path, Func<RequestContext, PageFrame, IFormCollection, IResult> render, ApiRole minimum)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false) : FormCollection.Empty;
        if (ApiAuth.SignedInUser(http) is not null && !ApiAuth.ViaToken(http)
            && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http).ConfigureAwait(false))
        {
            var language = LanguageOfPage(http.Request);
            var frame = Frame(http, path, language);
            var why = Msg.Of("page.form_expired", "The form has expired or did not come from this dashboard: open the page again and repeat the change.", "Форма устарела или отправлена не с этой панели: откройте страницу заново и повторите изменение.");
            return new RazorComponentResult<ProblemPage>(new { Frame = frame, Message = why.Render(language) }) { StatusCode = StatusCodes.Status400BadRequest };
        }

        return Page(http, path, (ctx, frame) => render(ctx, frame, form), minimum);
    }

    private static PageFrame Frame(HttpContext http, string path, Language language)
    {
        var query = http.Request.Query.Where(q => q.Key != "lang" && !string.IsNullOrWhiteSpace(q.Value.ToString()))
            .ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return new PageFrame(language, path, query) { Csrf = tokens.RequestToken ?? string.Empty, CsrfField = ApiAuth.CsrfField };
    }

    private static RazorComponentResult<SignInPage> SignInForm(HttpContext http, string returnUrl, string? name, string? error, int status)
    {
        var language = LanguageOfPage(http.Request);
        var oidc = http.RequestServices.GetRequiredService<ServerOptions>().Security.Oidc is not null;
        return new RazorComponentResult<SignInPage>(new { Frame = Frame(http, "/signin", language), ReturnUrl = returnUrl, Name = name, Error = error, Oidc = oidc }) { StatusCode = status };
    }

    private static async Task<IResult> SignIn(HttpContext http, UsersService users, IAntiforgery antiforgery)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var returnUrl = Local(form["return_url"].ToString());
        var name = form["name"].ToString().Trim();
        var language = Languages.Parse(form["lang"].ToString()) ?? LanguageOfPage(http.Request);
        if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            return SignInForm(http, returnUrl, name, Msg.Of("auth.form_expired", "The form has expired: please sign in again.", "Форма устарела: войдите ещё раз.").Render(language), StatusCodes.Status400BadRequest);
        }

        try
        {
            users.VerifyPassword(name, form["password"].ToString(), ApiServer.Context(http) with { Language = language });
        }
        catch (SalesKpiException ex)
        {
            return SignInForm(http, returnUrl, name, ex.Render(language), StatusCodes.Status401Unauthorized);
        }

        await ApiAuth.SignInWithCookie(http, name).ConfigureAwait(false);
        return TypedResults.Redirect(returnUrl);
    }

    private static async Task<IResult> SignOut(HttpContext http, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            return TypedResults.BadRequest();
        }

        await ApiAuth.SignOutCookie(http).ConfigureAwait(false);
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Redirect("/signin?lang=" + (Languages.Parse(form["lang"].ToString()) == Language.Ru ? "ru" : "en"));
    }

    private static string Local(string? url) => ApiAuth.LocalPath(url) ?? "/";

    // A page never fails on its language: an unknown ?lang= falls back to the browser's, then English.
    private static Language LanguageOfPage(HttpRequest request) =>
        request.Query.TryGetValue("lang", out var asked) && Languages.Parse(asked.ToString()) is { } chosen ? chosen : ApiServer.BrowserLanguage(request);
}
