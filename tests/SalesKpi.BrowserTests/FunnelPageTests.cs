namespace SalesKpi.BrowserTests;

/// <summary>The funnel page in a real browser: the step charts draw, the page is accessible, the slices switch.</summary>
public sealed class FunnelPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task Funnel_page_draws_a_bar_per_step_in_both_languages()
    {
        foreach (var lang in new[] { "en", "ru" })
        {
            var page = await site.NewPage();
            await page.GotoAsync($"{site.BaseUrl}/funnel?period=2026-Q3&lang={lang}");
            await page.WaitForSelectorAsync(".funnel-chart svg");

            (await page.Locator(".funnel-chart").CountAsync()).ShouldBe(2);
            var steps = await page.Locator("table.steps tbody tr").CountAsync();
            steps.ShouldBeGreaterThan(4);
            await site.Screenshot(page, "funnel-" + lang);
            await page.Context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task Funnel_page_by_channel_has_no_serious_or_critical_accessibility_violations()
    {
        var page = await site.NewPage();
        await page.GotoAsync($"{site.BaseUrl}/funnel?period=2026-Q3&lang=en");
        await page.WaitForSelectorAsync(".funnel-chart svg");
        await page.SelectOptionAsync("select[name=by]", "channel");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForSelectorAsync("table.slices");
        page.Url.ShouldContain("by=channel");
        await site.Screenshot(page, "funnel-by-channel-en");

        await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
        await page.Context.CloseAsync();
    }
}
