using System.Net;
using System.Text.RegularExpressions;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>
/// Dashboard pages keep the service results they render in the server's versioned cache: a repeated view is a hit with
/// the same page, and a change (here a target set through the API) makes the next view compute afresh.
/// </summary>
public partial class DashboardCacheTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableTheory]
    [InlineData("/?period=2026-Q3&lang=ru")]
    [InlineData("/kpi/leads?period=2026-Q2&by=segment")]
    [InlineData("/kpi/win_rate?period=2026-Q3&by=channel&page=2")]
    [InlineData("/funnel?period=2026&by=channel")]
    public async Task A_repeated_page_is_a_hit_with_the_same_page_as_when_it_was_computed(string url)
    {
        var (first, computed) = await Get(url);
        var (second, cached) = await Get(url);

        first.ShouldBe("miss");
        second.ShouldBe("hit");
        cached.ShouldBe(computed);
        computed.ShouldContain("<table");
    }

    [SkippableFact]
    public async Task Setting_a_target_makes_the_next_scorecard_page_compute_afresh_with_it()
    {
        const string url = "/?period=2026-Q3";
        await Get(url);
        var (warm, before) = await Get(url);
        warm.ShouldBe("hit");
        before.ShouldNotContain("4,321");

        using (var set = await server.Client.PostAsync(new Uri("/api/v1/targets?kpi=leads&period=2026-Q3&value=4321&reason=page%20cache%20test", UriKind.Relative), null))
        {
            set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        }

        var (after, body) = await Get(url);
        after.ShouldBe("miss");
        body.ShouldContain("4,321");
    }

    // The page with its per-request antiforgery token blanked, and whether the view came from the cache.
    private async Task<(string Cache, string Page)> Get(string url)
    {
        using var response = await server.Client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body.Length > 2000 ? body[..2000] : body);
        var cache = response.Headers.TryGetValues(ResultCache.Header, out var v) ? string.Join(",", v) : "-";
        return (cache, Token().Replace(body, "value=\"-\""));
    }

    [GeneratedRegex("(?<=name=\"__RequestVerificationToken\" )value=\"[^\"]*\"")]
    private static partial Regex Token();
}
