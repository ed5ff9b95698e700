using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;

namespace SalesKpi.Dashboard;

/// <summary>
/// Serves the dashboard's scripts, styles and libraries from the resources embedded in this assembly at
/// <c>/assets/…</c>: nothing is loaded from another host, so the dashboard works on a closed network, and the
/// files cannot be changed on disk after the build. An unknown path is 404.
/// </summary>
public static class DashboardAssets
{
    /// <summary>The URL prefix of every asset.</summary>
    public const string Prefix = "/assets";

    private static readonly Assembly Self = typeof(DashboardAssets).Assembly;
    private static readonly FileExtensionContentTypeProvider Types = new();

    /// <summary>Maps <c>GET /assets/{path}</c>.</summary>
    public static RouteHandlerBuilder Map(IEndpointRouteBuilder app) =>
        app.MapGet(Prefix + "/{**path}", (HttpContext http, string path) =>
        {
            // Resource names are fixed at build time; a request only selects among them, never a file path.
            var stream = Self.GetManifestResourceStream("assets/" + path);
            if (stream is null)
            {
                return Results.NotFound();
            }

            http.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Stream(stream, Types.TryGetContentType(path, out var type) ? type + (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal) ? "; charset=utf-8" : "") : "application/octet-stream");
        }).ExcludeFromDescription();

    /// <summary>The names of the embedded assets, e.g. <c>app.css</c>, <c>lib/echarts/echarts.min.js</c>.</summary>
    public static IEnumerable<string> Names => Self.GetManifestResourceNames().Where(n => n.StartsWith("assets/", StringComparison.Ordinal)).Select(n => n["assets/".Length..]);
}
