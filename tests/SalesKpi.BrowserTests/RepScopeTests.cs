namespace SalesKpi.BrowserTests;

/// <summary>A rep in a real browser sees only the records of their own CRM owner name, and exactly those.</summary>
public sealed class RepScopeTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task A_rep_sees_only_their_own_records_and_all_of_them()
    {
        var rep = await site.NewPage(user: "john");
        await rep.GotoAsync($"{site.BaseUrl}/kpi/leads?period=2026-Q3&lang=en");
        await rep.WaitForSelectorAsync(".chart svg");

        var shown = await rep.Locator("table.records").First.Locator("tbody tr td:nth-child(1)").AllInnerTextsAsync();
        shown.ShouldNotBeEmpty();

        // All the rep's records are exactly what a manager sees in that owner's slice: nothing missing, nothing more.
        var mine = await Csv(rep, "/kpi/leads/records.csv?period=2026-Q3&lang=en");
        var manager = await site.NewPage();
        var slice = await Csv(manager, "/kpi/leads/records.csv?period=2026-Q3&lang=en&slice=" + Uri.EscapeDataString("owner=" + DashboardSite.RepOwner));
        var company = await Csv(manager, "/kpi/leads/records.csv?period=2026-Q3&lang=en");
        mine.ShouldBe(slice);
        company.Length.ShouldBeGreaterThan(mine.Length);
        shown.ShouldAllBe(id => mine.Any(row => row.Contains(id, StringComparison.Ordinal)));
        await rep.Context.CloseAsync();
        await manager.Context.CloseAsync();
    }

    private async Task<string[]> Csv(Microsoft.Playwright.IPage page, string path)
    {
        var response = await page.APIRequest.GetAsync(site.BaseUrl + path);
        response.Status.ShouldBe(200);
        return (await response.TextAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
