using System.Text.Json;
namespace SalesKpi.BrowserTests;

/// <summary>The KPI-system page in a real browser: goals chart, targets, versions and review; a head's edit of a target stores a version.</summary>
public sealed class SystemPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task System_page_draws_the_goal_chart_and_lists_targets_versions_and_findings_in_both_languages()
    {
        foreach (var lang in new[] { "en", "ru" })
        {
            var page = await site.NewPage(user: "hanna");
            await page.GotoAsync($"{site.BaseUrl}/system?period=2026-Q4&suggest=win_rate&lang={lang}");
            await page.WaitForSelectorAsync(".goal-chart svg");

            (await page.Locator("table.targets tbody > tr").CountAsync()).ShouldBeGreaterThan(5);
            (await page.Locator("table.versions tbody tr").CountAsync()).ShouldBeGreaterThanOrEqualTo(2);
            (await page.Locator("table.diff tbody tr").CountAsync()).ShouldBeGreaterThan(0);
            (await page.Locator("table.suggestions tbody tr").CountAsync()).ShouldBe(1);
            await site.Screenshot(page, "system-" + lang);
            await page.Context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task An_edit_of_a_target_creates_a_version()
    {
        var page = await site.NewPage(user: "hanna");
        await page.GotoAsync($"{site.BaseUrl}/system?period=2026-Q4&lang=en");
        var row = page.Locator("table.targets tr[data-kpi=leads][data-slice='']");
        await row.Locator("details summary").ClickAsync();
        await row.Locator("input[name=value]").FillAsync("1234");
        await row.Locator("input[name=reason]").FillAsync("more leads from the new campaign");
        await row.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("saved=\\d+"));

        (await page.Locator(".confirm").InnerTextAsync()).ShouldContain("more leads from the new campaign");
        var newest = page.Locator("table.versions tbody tr").First;
        (await newest.InnerTextAsync()).ShouldContain("hanna");
        (await newest.InnerTextAsync()).ShouldContain("more leads from the new campaign");
        (await page.Locator("table.targets tr[data-kpi=leads][data-slice=''] td.target-value").InnerTextAsync()).ShouldContain("1,234");
        var number = (await newest.Locator("th").InnerTextAsync()).Trim();
        (await page.Locator(".confirm").InnerTextAsync()).ShouldContain("Saved as version " + number);

        var api = await page.Context.APIRequest.GetAsync($"{site.BaseUrl}/api/v1/versions");
        using var versions = JsonDocument.Parse(await api.TextAsync());
        var last = versions.RootElement.GetProperty("versions").EnumerateArray().Last();
        last.GetProperty("version").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(number);
        last.GetProperty("author").GetString().ShouldBe("hanna");
        last.GetProperty("reason").GetString().ShouldBe("more leads from the new campaign");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task System_page_has_no_serious_or_critical_accessibility_violations()
    {
        var page = await site.NewPage(user: "hanna");
        await page.GotoAsync($"{site.BaseUrl}/system?period=2026-Q4&suggest=win_rate&lang=en");
        await page.WaitForSelectorAsync(".goal-chart svg");
        await page.Locator("table.targets details summary").First.ClickAsync();

        await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
        await page.Context.CloseAsync();
    }
}
