namespace SalesKpi.BrowserTests;

/// <summary>The diagnosis and leaderboard pages in a real browser: the velocity waterfall draws, the tables are there, the pages are accessible, a rep does not get the leaderboard.</summary>
public sealed class DiagnosisLeaderboardPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task Diagnosis_page_draws_the_velocity_waterfall_in_both_languages_without_serious_accessibility_violations()
    {
        foreach (var lang in new[] { "en", "ru" })
        {
            var page = await site.NewPage();
            await page.GotoAsync($"{site.BaseUrl}/diagnosis?period=2026-Q3&lang={lang}");
            await page.WaitForSelectorAsync(".waterfall-chart svg");

            // Previous velocity, four factors, current velocity: six bars on top of six transparent bases.
            (await page.Locator("table.velocity tbody tr").CountAsync()).ShouldBe(6);
            (await page.Locator(".waterfall-chart svg path").CountAsync()).ShouldBeGreaterThanOrEqualTo(6);
            await site.Screenshot(page, "diagnosis-" + lang);
            await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
            await page.Context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task Leaderboard_sorts_by_a_column_heading_and_is_accessible_in_both_languages()
    {
        foreach (var lang in new[] { "en", "ru" })
        {
            var page = await site.NewPage();
            await page.GotoAsync($"{site.BaseUrl}/leaderboard?period=2025&lang={lang}");
            (await page.Locator("table.leaderboard tbody tr").CountAsync()).ShouldBeGreaterThan(2);
            await page.ClickAsync("th[data-kpi=win_rate] a");
            await page.WaitForURLAsync("**sort=win_rate**");
            (await page.Locator("th[data-kpi=win_rate]").GetAttributeAsync("aria-sort")).ShouldBe("descending");
            await site.Screenshot(page, "leaderboard-" + lang);
            await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
            await page.Context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task A_rep_has_no_leaderboard_in_the_navigation_and_gets_a_403_page_there()
    {
        var page = await site.NewPage(user: "john");
        await page.GotoAsync($"{site.BaseUrl}/diagnosis?period=2026-Q3&lang=en");
        (await page.Locator("header nav a[href^='/leaderboard']").CountAsync()).ShouldBe(0);
        (await page.Locator("header nav a[href^='/diagnosis']").CountAsync()).ShouldBe(1);

        var response = await page.GotoAsync($"{site.BaseUrl}/leaderboard?lang=en");

        response!.Status.ShouldBe(403);
        await page.Context.CloseAsync();
    }
}
