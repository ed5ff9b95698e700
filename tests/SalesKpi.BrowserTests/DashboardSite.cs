using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Playwright;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Web;

namespace SalesKpi.BrowserTests;

/// <summary>
/// A demo workspace with its KPI system, a real server on a free loopback port over it (fixed clock), and one
/// headless Chromium: shared by the tests of a class.
/// </summary>
public sealed class DashboardSite : IAsyncLifetime
{
    /// <summary>The server's "now": inside the demo's data, so the default views have numbers.</summary>
    public static readonly TimeProvider Clock = new FixedClock(DateTimeOffset.Parse("2026-11-15T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private readonly string dir = Directory.CreateTempSubdirectory("saleskpi-browser-").FullName;
    private WebApplication? app;
    private IPlaywright? playwright;
    private readonly Dictionary<string, string> tokens = new(StringComparer.Ordinal);

    /// <summary>The password of <c>maria</c>, a manager, for the sign-in form.</summary>
    public const string Password = "maria-password-1";

    public string Db => Path.Combine(dir, "demo.duckdb");

    public string BaseUrl { get; private set; } = string.Empty;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (BrowserFactAttribute.Chromium is not { } chromium)
        {
            return;
        }

        var ctx = new RequestContext(Language.En, Clock, "test", Db);
        var demo = new DemoService();
        var data = Path.Combine(dir, "demo-data");
        demo.Generate(new DemoRequest(data, 3000, 42, Dirty: false), ctx);
        using (var job = new ImportService().Prepare(new ImportRequest([data], null, Strict: false, DryRun: false), ctx))
        {
            job.Run(null, CancellationToken.None);
        }

        demo.SetUpKpiSystem(ctx);
        var users = new UsersService();
        users.Add(new AddUserRequest("maria", "manager", null, Password), ctx);
        users.Add(new AddUserRequest("hanna", "head", null, null), ctx);
        users.Add(new AddUserRequest("john", "rep", RepOwner, null), ctx);
        foreach (var name in new[] { "maria", "hanna", "john" })
        {
            tokens[name] = users.CreateToken(name, null, ctx).Secret;
        }
        app = ApiServer.Build(new ServerOptions(Db, ["http://127.0.0.1:0"], Clock));
        await app.StartAsync();
        BaseUrl = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("no server");

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"] });
    }

    /// <summary>The CRM owner the rep <c>john</c> is: he sees only this owner's leads and deals.</summary>
    public const string RepOwner = "John Smith";

    /// <summary>
    /// A new page of <paramref name="width"/> × 900 pixels, signed in (by API token) as <paramref name="user"/>:
    /// <c>maria</c> (manager, the default), <c>hanna</c> (head: may change targets and import) or <c>john</c>
    /// (rep of <see cref="RepOwner"/>); nobody when <paramref name="signedIn"/> is false.
    /// </summary>
    public async Task<IPage> NewPage(int width = 1400, bool signedIn = true, string user = "maria")
    {
        var options = new BrowserNewContextOptions { ViewportSize = new() { Width = width, Height = 900 } };
        if (signedIn)
        {
            options.ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + tokens[user] };
        }

        return await (await Browser.NewContextAsync(options)).NewPageAsync();
    }

    /// <summary>
    /// Saves a full-page screenshot as <paramref name="name"/>.png in <c>SALESKPI_SCREENSHOTS</c> when it is set
    /// (the pictures in docs/screenshots are made so), else in the test's temporary folder.
    /// </summary>
    public Task Screenshot(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("SALESKPI_SCREENSHOTS") is { Length: > 0 } s ? s : dir;
        Directory.CreateDirectory(folder);
        return page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    /// <summary>Runs axe on <paramref name="page"/> and fails listing every serious or critical violation (rule, help, first nodes).</summary>
    public static async Task ShouldHaveNoSeriousAccessibilityViolations(IPage page)
    {
        var result = await page.RunAxe();
        result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => v.Id + ": " + v.Help + " (" + string.Join(", ", v.Nodes.Take(3).Select(n => n.Html)) + ")")
            .ShouldBeEmpty();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Directory.Delete(dir, recursive: true);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
