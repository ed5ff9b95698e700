namespace SalesKpi.BrowserTests;

/// <summary>The KPI page in a real browser: the trend draws, the page is accessible, a breakdown row drills down.</summary>
public sealed class KpiPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task Kpi_page_draws_its_trend_and_drills_down_from_a_breakdown_row_to_that_slices_records()
    {
        foreach (var lang in new[] { "en", "ru" })
        {
            var page = await site.NewPage();
            await page.GotoAsync($"{site.BaseUrl}/kpi/win_rate?period=2026-Q3&by=owner&lang={lang}");
            await page.WaitForSelectorAsync(".chart svg");
            await site.Screenshot(page, "kpi-" + lang);

            var owner = await page.Locator("table.sortable tbody tr th").First.InnerTextAsync();
            await page.Locator("table.sortable tbody tr").First.Locator("a").ClickAsync();
            await page.WaitForSelectorAsync(".chart svg");

            page.Url.ShouldContain("slice=owner%3D");
            (await page.Locator(".figure .muted").InnerTextAsync()).ShouldContain("owner = " + owner);
            await page.Context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task Kpi_page_has_no_serious_or_critical_accessibility_violations()
    {
        var page = await site.NewPage();
        await page.GotoAsync($"{site.BaseUrl}/kpi/lead_to_sql_rate?period=2026-Q3&lang=en");
        await page.WaitForSelectorAsync(".chart svg");

        await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
        await page.Context.CloseAsync();
    }
}
