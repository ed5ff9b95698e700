namespace SalesKpi.BrowserTests;

/// <summary>Signing in to the dashboard in a real browser.</summary>
public sealed class SignInPageTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task A_shared_link_asks_for_sign_in_and_then_opens_the_linked_view()
    {
        foreach (var lang in new[] { "en", "ru" })
        {
            var page = await site.NewPage(signedIn: false);
            await page.GotoAsync($"{site.BaseUrl}/kpi/win_rate?period=2026-Q3&lang={lang}");

            page.Url.ShouldContain($"/signin?lang={lang}&return_url=");
            await site.Screenshot(page, "signin-" + lang);
            await DashboardSite.ShouldHaveNoSeriousAccessibilityViolations(page);

            await page.FillAsync("input[name=name]", "maria");
            await page.FillAsync("input[name=password]", DashboardSite.Password);
            await page.ClickAsync("form.signin button[type=submit]");
            await page.WaitForSelectorAsync(".chart svg");

            page.Url.ShouldEndWith($"/kpi/win_rate?period=2026-Q3&lang={lang}");
            (await page.Locator(".user").InnerTextAsync()).ShouldBe(lang == "ru" ? "maria · менеджер" : "maria · manager");

            await page.ClickAsync("form.signout button");
            page.Url.ShouldContain("/signin");
            await page.Context.CloseAsync();
        }
    }
}
