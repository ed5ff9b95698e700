using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SalesKpi.Application;
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
    }

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
