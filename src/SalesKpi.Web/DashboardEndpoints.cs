using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Dashboard;
using SalesKpi.Dashboard.Pages;

namespace SalesKpi.Web;

/// <summary>
/// The dashboard's pages (docs/dashboard.md): each parses its URL, calls the application services with the
/// request's context and renders a page component. A view that cannot be computed (a bad period) is a page that
/// says why, with status 400, never a stack trace.
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(WebApplication app)
    {
        DashboardAssets.Map(app);
        var pages = app.MapGroup(string.Empty).ExcludeFromDescription().Allow(ApiRole.Rep);
        pages.MapGet("/", (HttpContext http, ScorecardService scorecards, ReportService reports, string? period, [FromQuery(Name = "as_of")] string? asOf, string? dim, string? value) =>
            Page(http, "/", (ctx, frame) => new RazorComponentResult<ScorecardPage>(new
            {
                Frame = frame,
                View = ScorecardView.Load(scorecards, reports, ctx, Blank(period), Blank(asOf), Blank(dim), Blank(value)),
            })));
        pages.MapGet("/kpi/{id}", (HttpContext http, ReportService reports, ExplainService explains, TargetsService targets, string id, string? period, [FromQuery(Name = "as_of")] string? asOf, string? grain, string? by, string[]? slice, int? page, string? sort) =>
            Page(http, "/kpi/" + id, (ctx, frame) => new RazorComponentResult<KpiPage>(new
            {
                Frame = frame,
                View = KpiView.Load(reports, explains, targets, ctx, id, Blank(period), Blank(asOf), Blank(grain), Blank(by), Slices(slice), page ?? 1, Blank(sort)),
            })));
        pages.MapGet("/funnel", (HttpContext http, FunnelService funnels, string? period, [FromQuery(Name = "as_of")] string? asOf, string? by) =>
            Page(http, "/funnel", (ctx, frame) => new RazorComponentResult<FunnelPage>(new { Frame = frame, View = FunnelView.Load(funnels, ctx, Blank(period), Blank(asOf), Blank(by)) })));
        pages.MapGet("/kpi/{id}/records.csv", (HttpContext http, ExplainService explains, string id, string? period, [FromQuery(Name = "as_of")] string? asOf, string[]? slice) =>
        {
            var ctx = ApiServer.Context(http) with { Language = LanguageOfPage(http.Request) };
            var answer = explains.Run(new ExplainQuery(id, Blank(period), Blank(asOf), Slices(slice), 0), ctx);
            var name = string.Join("-", new[] { answer.Kpi.Id, answer.Period.Label }.Concat(answer.Slice.Select(kv => kv.Value)))
                .Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
            return TypedResults.File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(ExplainOutput.Csv(answer, ctx.Language))).ToArray(), "text/csv; charset=utf-8", new string(name) + ".csv");
        });
    }

    private static List<string> Slices(string[]? slice) => [.. (slice ?? []).Where(s => !string.IsNullOrWhiteSpace(s))];

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static IResult Page(HttpContext http, string path, Func<RequestContext, PageFrame, IResult> render)
    {
        var language = LanguageOfPage(http.Request);
        var ctx = ApiServer.Context(http) with { };
        ctx = ctx with { Language = language };
        var query = http.Request.Query.Where(q => q.Key != "lang" && !string.IsNullOrWhiteSpace(q.Value.ToString()))
            .ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var frame = new PageFrame(language, path, query, ctx.User == Metrics.KpiSystem.ConfigStore.DefaultAuthor ? null : ctx.User);
        try
        {
            return render(ctx, frame);
        }
        catch (SalesKpiException ex)
        {
            return new RazorComponentResult<ProblemPage>(new { Frame = frame, Message = ex.Render(language) }) { StatusCode = StatusCodes.Status400BadRequest };
        }
    }

    // A page never fails on its language: an unknown ?lang= falls back to the browser's, then English.
    private static Language LanguageOfPage(HttpRequest request)
    {
        if (request.Query.TryGetValue("lang", out var asked) && Languages.Parse(asked.ToString()) is { } chosen)
        {
            return chosen;
        }

        foreach (var tag in request.GetTypedHeaders().AcceptLanguage.OrderByDescending(t => t.Quality ?? 1))
        {
            if (Languages.Parse(tag.Value.Value) is { } language)
            {
                return language;
            }
        }

        return Language.En;
    }
}
