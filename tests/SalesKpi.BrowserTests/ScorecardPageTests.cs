using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.BrowserTests;

/// <summary>The scorecard page in a real browser: it draws, it is accessible, and it shows the service's numbers.</summary>
public sealed class ScorecardPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task Scorecard_draws_a_sparkline_per_tile_and_shows_the_services_values_in_both_languages()
    {
        foreach (var language in new[] { Language.En, Language.Ru })
        {
            var lang = language == Language.Ru ? "ru" : "en";
            var expected = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null), new RequestContext(language, DashboardSite.Clock, "test", site.Db));
            var page = await site.NewPage();

            await page.GotoAsync($"{site.BaseUrl}/?period=2026-Q3&lang={lang}");
            await page.WaitForSelectorAsync(".spark svg");

            var tiles = page.Locator("article.tile");
            (await tiles.CountAsync()).ShouldBe(expected.Scorecard.Rows.Count(r => r.Result.IsTotal));
            var leads = expected.Scorecard.Rows.First(r => r.Result.IsTotal && r.Result.Kpi.Id == "leads");
            (await page.Locator("[aria-labelledby=kpi-leads] .value").InnerTextAsync())
                .ShouldBe(KpiDisplay.Short(leads.Result.Kpi, leads.Result.Value, expected.Currency, language));
            (await page.Locator(".spark svg").CountAsync()).ShouldBe(await page.Locator(".spark").CountAsync());
            await site.Screenshot(page, "scorecard-" + lang);
            await page.Context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task Scorecard_has_no_serious_or_critical_accessibility_violations()
    {
        var page = await site.NewPage();
        await page.GotoAsync($"{site.BaseUrl}/?period=2026-Q3&lang=ru");
        await page.WaitForSelectorAsync(".spark svg");

        await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Choosing_a_filter_keeps_the_view_in_the_link()
    {
        var page = await site.NewPage();
        await page.GotoAsync($"{site.BaseUrl}/?period=2026-Q3&lang=en");

        await page.SelectOptionAsync("select[name=dim]", "channel");
        await page.ClickAsync("form.filters button[type=submit]");
        var first = await page.Locator("select[name=value] option").Nth(1).GetAttributeAsync("value");
        await page.SelectOptionAsync("select[name=value]", first!);
        await page.ClickAsync("form.filters button[type=submit]");

        page.Url.ShouldContain("dim=channel");
        page.Url.ShouldContain("value=" + Uri.EscapeDataString(first!).Replace("%20", "+", StringComparison.Ordinal));
        (await page.Locator(".context strong").InnerTextAsync()).ShouldBe("channel = " + first);
        await page.Context.CloseAsync();
    }
}
