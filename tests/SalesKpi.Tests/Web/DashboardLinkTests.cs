using System.Net;

namespace SalesKpi.Tests.Web;

/// <summary>Links between pages carry what the pages share (period, as-of, language, the slice a tile was shown for) and nothing of one page's own settings.</summary>
public class DashboardLinkTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableFact]
    public async Task A_tile_of_a_filtered_scorecard_opens_its_kpi_page_in_the_same_slice()
    {
        var html = System.Net.WebUtility.HtmlDecode(await server.Get("/?period=2026-Q3&dim=channel&value=referral", HttpStatusCode.OK));
        html.ShouldContain("href=\"/kpi/win_rate?lang=en&period=2026-Q3&slice=channel%3Dreferral\"");
    }

    [SkippableFact]
    public async Task The_navigation_keeps_the_period_and_language_but_not_a_pages_own_settings()
    {
        var html = System.Net.WebUtility.HtmlDecode(await server.Get("/kpi/win_rate?period=2026-Q3&by=channel&sort=n&lang=ru", HttpStatusCode.OK));
        html.ShouldContain("href=\"/leaderboard?lang=ru&period=2026-Q3\"");
        html.ShouldContain("href=\"/funnel?lang=ru&period=2026-Q3\"");
        html.ShouldNotContain("/leaderboard?by=");

        // Followed, the link is a page, not the 400 that sort=n would have made of the leaderboard.
        await server.Get("/leaderboard?lang=ru&period=2026-Q3", HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task An_error_page_leads_to_the_pages_default_view_without_the_bad_settings()
    {
        var html = System.Net.WebUtility.HtmlDecode(await server.Get("/funnel?period=2026-Q3&by=color", HttpStatusCode.BadRequest));
        html.ShouldContain("href=\"/funnel?lang=en\"");
        html.ShouldNotContain("by=color\"");
    }

    [SkippableFact]
    public async Task Dimensions_are_named_in_the_readers_language()
    {
        var ru = System.Net.WebUtility.HtmlDecode(await server.Get("/funnel?period=2026-Q3&by=channel&lang=ru", HttpStatusCode.OK));
        ru.ShouldContain("Рядом по измерению «канал»");
        ru.ShouldContain(">ответственный</option>");
        var en = System.Net.WebUtility.HtmlDecode(await server.Get("/kpi/win_rate?period=2026-Q3&by=service_line", HttpStatusCode.OK));
        en.ShouldContain("2026-Q3 by service line");
    }
}
