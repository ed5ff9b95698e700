using Microsoft.Playwright;

namespace SalesKpi.BrowserTests;

/// <summary>The import and what-if pages in a real browser: an upload shows its report, the what-if charts draw, both are accessible.</summary>
public sealed class ImportWhatIfPageTests(DashboardSite site) : IClassFixture<DashboardSite>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("saleskpi-upload-").FullName;

    [BrowserFact]
    public async Task An_upload_shows_its_report()
    {
        foreach (var (lang, n) in new[] { ("en", 1), ("ru", 2) })
        {
            // One bad row (a date that is none) among two good ones, ids unique per language so both runs store theirs.
            var csv = Path.Combine(dir, "leads.csv");
            await File.WriteAllTextAsync(csv, $"lead_id,created_at,channel\nB{n}01,2026-10-01 10:00,events\nB{n}02,not-a-date,events\nB{n}03,2026-10-02 11:30,events\n");
            var page = await site.NewPage(user: "hanna");
            await page.GotoAsync($"{site.BaseUrl}/import?lang={lang}");
            await page.SetInputFilesAsync("input[type=file]", csv);
            await page.SelectOptionAsync("select[name=profile]", string.Empty);
            await page.ClickAsync("form.upload button[type=submit]");
            await page.WaitForSelectorAsync(".import-report[data-dry-run=true]");

            (await page.Locator("table.files td.read").InnerTextAsync()).ShouldBe("3");
            (await page.Locator("table.files td.stored").InnerTextAsync()).ShouldBe("2");
            (await page.Locator("table.files td.rejected").InnerTextAsync()).ShouldBe("1");
            (await page.Locator("table.reasons tbody tr").CountAsync()).ShouldBe(1);
            if (lang == "en")
            {
                await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
            }

            await site.Screenshot(page, "import-" + lang);

            await page.ClickAsync("button.primary");
            await page.WaitForSelectorAsync(".import-report[data-dry-run=false]");
            (await page.Locator("table.files td.stored").InnerTextAsync()).ShouldBe("2");
            (await page.Locator("table.files td.rejected").InnerTextAsync()).ShouldBe("1");
            // The fixture signs in with a bearer header, which a browser download does not send: the link is fetched
            // with the page's own request context (same headers) and must answer as a file download.
            var href = await page.Locator("a.rejects").GetAttributeAsync("href");
            var response = await page.APIRequest.GetAsync(site.BaseUrl + href);
            response.Status.ShouldBe(200);
            response.Headers["content-disposition"].ShouldStartWith("attachment");
            var rejects = await response.TextAsync();
            rejects.ShouldContain($"B{n}02,not-a-date,events");
            rejects.ShouldNotContain($"B{n}01");
            await page.Context.CloseAsync();
        }
    }

    [BrowserFact]
    public async Task Whatif_page_draws_the_outcome_histogram_and_the_lever_ranking_in_both_languages()
    {
        foreach (var lang in new[] { "en", "ru" })
        {
            var page = await site.NewPage();
            await page.GotoAsync($"{site.BaseUrl}/whatif?lang={lang}");
            await page.FillAsync("input[name=win_rate]", "5");
            await page.FillAsync("input[name=leads]", "10");
            await page.ClickAsync("form.levers button[type=submit]");
            await page.WaitForURLAsync(u => u.Contains("win_rate=5", StringComparison.Ordinal));
            await page.WaitForSelectorAsync(".chart svg");

            (await page.Locator(".chart svg").CountAsync()).ShouldBe(2);
            (await page.Locator("table.ranking tbody tr").CountAsync()).ShouldBe(7);
            if (lang == "en")
            {
                await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);
            }

            await site.Screenshot(page, "whatif-" + lang);
            await page.Context.CloseAsync();
        }
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
