using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Dashboard.Brief;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>
/// A test that prints a PDF and reads it back: needs a Chromium (<c>SALESKPI_CHROMIUM</c>, else chromium on the PATH)
/// and poppler's <c>pdftotext</c>. Skipped with the reason when either is missing, unless <c>SALESKPI_REQUIRE_BROWSER=1</c>
/// (set by .ci/run, which installs both), where a missing tool fails the test instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PdfFactAttribute : FactAttribute
{
    public PdfFactAttribute()
    {
        if ((Chromium is null || PdfToText is null) && Environment.GetEnvironmentVariable("SALESKPI_REQUIRE_BROWSER") != "1")
        {
            Skip = "needs Chromium (SALESKPI_CHROMIUM or chromium on the PATH) and pdftotext (apt-get install poppler-utils); SALESKPI_REQUIRE_BROWSER=1 fails instead";
        }
    }

    public static string? Chromium => BriefPdf.Locate(Environment.GetEnvironmentVariable(BriefPdf.ChromiumVariable), Environment.GetEnvironmentVariable("PATH"));

    public static string? PdfToText => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "pdftotext"))
        .FirstOrDefault(File.Exists);

    /// <summary>The text of a PDF with -layout (a table row stays one line), spaces of every kind made one plain space per run.</summary>
    public static IReadOnlyList<string> Lines(string pdf)
    {
        var start = new ProcessStartInfo(PdfToText ?? "pdftotext") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-layout", "-enc", "UTF-8", pdf, "-" })
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.ShouldBe(0);
        return [.. text.Split('\n').Select(Plain)];
    }

    public static string Plain(string s) => Regex.Replace(s.Replace('\u00A0', ' ').Replace('\u202F', ' '), @"\s+", " ").Trim();
}

/// <summary>The same skip rule as <see cref="PdfFactAttribute"/>, for a theory.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PdfTheoryAttribute : TheoryAttribute
{
    public PdfTheoryAttribute() => Skip = new PdfFactAttribute().Skip;
}

public sealed class BriefTests(DemoServer server) : IClassFixture<DemoServer>
{
    private const string Period = "2026-Q3";

    private RequestContext Ctx(Language language, DataScope? scope = null) => new(language, DemoServer.Clock, "test", server.Db) { Scope = scope };

    [Fact]
    public void The_brief_html_is_one_file_with_no_script_and_no_external_reference()
    {
        var brief = new BriefService().Run(new BriefQuery(Period, null, null), Ctx(Language.En));
        var html = BriefHtml.Render(brief, Language.En, DemoServer.Clock.GetUtcNow());

        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldNotContain("<script", Case.Insensitive);
        html.ShouldNotContain("<link", Case.Insensitive);
        html.ShouldNotContain("@import", Case.Insensitive);
        html.ShouldNotContain("url(", Case.Insensitive);
        html.ShouldNotContain("<img", Case.Insensitive);
        Regex.IsMatch(html, @"(src|href|xlink:href)\s*=", RegexOptions.IgnoreCase).ShouldBeFalse();
        Regex.IsMatch(html, @"https?://", RegexOptions.IgnoreCase).ShouldBeFalse();

        // Every section is there, and its charts are drawn inline.
        foreach (var id in new[] { "scorecard", "trend", "funnel", "changes", "velocity", "levers", "stalled", "review", "appendix" })
        {
            html.ShouldContain("<section id=\"" + id + "\">");
        }

        Regex.Count(html, "<svg ").ShouldBeGreaterThanOrEqualTo(brief.Trends.Count + 2);
        brief.Trends.Count.ShouldBeGreaterThan(10);
    }

    [Fact]
    public void The_russian_brief_uses_russian_words_and_russian_number_format()
    {
        var brief = new BriefService().Run(new BriefQuery(Period, null, null), Ctx(Language.Ru));
        var html = WebUtility.HtmlDecode(BriefHtml.Render(brief, Language.Ru, DemoServer.Clock.GetUtcNow()));
        var size = brief.Rows.Single(r => r.Result.IsTotal && r.Kpi.Id == "average_deal_size").Result.Value!.Value;

        html.ShouldContain("<html lang=\"ru\">");
        html.ShouldContain("Управленческая сводка 2026-Q3");
        html.ShouldContain("Показатели против целей");
        html.ShouldContain("Приложение: определения и данные");
        html.ShouldNotContain("Scorecard against targets");
        size.ShouldBeGreaterThan(999m, "the check of the group separator needs a four-digit amount");
        var shown = size.ToString("N2", CultureInfo.GetCultureInfo("ru-RU")) + " RUB";
        shown.ShouldContain(",");
        html.ShouldContain(">" + shown + "<");
    }

    [Fact]
    public void A_reps_brief_covers_only_the_reps_own_leads()
    {
        const string owner = "John Smith";
        var company = new ReportService().Run(new ReportQuery(Period, null, null, ["owner"], ["leads"]), Ctx(Language.En)).Report.Results;
        var owners = company.Where(r => !r.IsTotal).ToList();
        owners.ShouldContain(r => r.Slice["owner"] == owner, "the demo has this owner: " + string.Join(", ", owners.Select(r => r.Slice["owner"])));
        var own = owners.Single(r => r.Slice["owner"] == owner).Value;
        var total = company.Single(r => r.IsTotal).Value;

        var brief = new BriefService().Run(new BriefQuery(Period, null, null), Ctx(Language.En, new DataScope(owner, false)));

        brief.ScopeOwner.ShouldBe(owner);
        brief.Rows.Single(r => r.Result.IsTotal && r.Kpi.Id == "leads").Result.Value.ShouldBe(own);
        own!.Value.ShouldBeLessThan(total!.Value);
        brief.Funnel!.Funnel.Steps.First(s => s.Name == "leads").Count.ShouldBe((long)own!.Value);
        brief.Stalled.ShouldAllBe(s => s.Owner == owner);
        BriefHtml.Render(brief, Language.En, DemoServer.Clock.GetUtcNow()).ShouldContain("data of " + owner + " only");
    }

    [Fact]
    public void The_brief_of_one_kpi_holds_only_that_kpi()
    {
        var brief = new BriefService().Run(new BriefQuery(Period, null, null, "win_rate"), Ctx(Language.En));

        brief.Rows.ShouldAllBe(r => r.Kpi.Id == "win_rate");
        brief.Rows.ShouldNotBeEmpty();
        brief.Trends.Select(t => t.Kpi.Id).ShouldBe(["win_rate"]);
        brief.Definitions.Select(d => d.Kpi.Id).ShouldBe(["win_rate"]);
        Should.Throw<SalesKpiException>(() => new BriefService().Run(new BriefQuery(Period, null, null, "no_such_kpi"), Ctx(Language.En)))
            .Text.Code.ShouldBe("brief.kpi_not_active");
    }

    [Fact]
    public void The_cli_writes_the_html_brief_of_the_period_and_says_where()
    {
        using var dir = new TempDir();
        var run = InProcessCli.Run(dir.Path, null, DemoServer.Clock, "brief", "--db", server.Db, "--period", Period);

        run.Exit.ShouldBe(0, run.Err);
        var file = Path.Combine(dir.Path, "brief-2026-Q3.html");
        File.Exists(file).ShouldBeTrue();
        FirstLine(run.Out).ShouldBe("Brief 2026-Q3 written to " + file);
        File.ReadAllText(file).ShouldContain("<title>Management brief 2026-Q3</title>");

        var ru = InProcessCli.Run(dir.Path, null, DemoServer.Clock, "brief", "--db", server.Db, "--period", Period, "--lang", "ru", "--out", "сводка.html");
        ru.Exit.ShouldBe(0, ru.Err);
        FirstLine(ru.Out).ShouldBe("Сводка 2026-Q3 записана в " + Path.Combine(dir.Path, "сводка.html"));
        File.ReadAllText(Path.Combine(dir.Path, "сводка.html")).ShouldContain("<title>Управленческая сводка 2026-Q3</title>");
    }

    [Theory]
    [InlineData("en", "A PDF needs a headless Chromium, and none was found: SALESKPI_CHROMIUM is not set and there is no chromium on the PATH. Install it (Debian/Ubuntu: apt-get install chromium fonts-dejavu-core)")]
    [InlineData("ru", "Для PDF нужен Chromium в режиме headless, но он не найден: SALESKPI_CHROMIUM не задана и chromium нет в PATH. Установите его (Debian/Ubuntu: apt-get install chromium fonts-dejavu-core)")]
    public void A_pdf_without_chromium_fails_at_once_saying_what_to_install(string lang, string message)
    {
        using var dir = new TempDir();
        var env = new Dictionary<string, string> { ["PATH"] = dir.Path };
        var run = InProcessCli.Run(dir.Path, env, DemoServer.Clock, "brief", "--db", server.Db, "--period", Period, "--format", "pdf", "--lang", lang);

        run.Exit.ShouldBe(1);
        run.Err.ShouldContain(message);
        Directory.GetFiles(dir.Path).ShouldBeEmpty();

        env[BriefPdf.ChromiumVariable] = Path.Combine(dir.Path, "no-chromium-here");
        var named = InProcessCli.Run(dir.Path, env, DemoServer.Clock, "brief", "--db", server.Db, "--period", Period, "--format", "pdf");
        named.Exit.ShouldBe(1);
        named.Err.ShouldContain("SALESKPI_CHROMIUM = " + env[BriefPdf.ChromiumVariable] + " does not exist");
    }

    [Fact]
    public async Task The_dashboard_offers_the_pdf_on_its_pages_and_says_what_to_install_without_chromium()
    {
        var scorecard = WebUtility.HtmlDecode(await server.Get("/?period=2026-Q3&lang=en", HttpStatusCode.OK));
        scorecard.ShouldContain("href=\"/brief.pdf?lang=en&period=2026-Q3\"");
        var kpi = WebUtility.HtmlDecode(await server.Get("/kpi/win_rate?period=2026-Q3&lang=ru", HttpStatusCode.OK));
        kpi.ShouldContain("href=\"/brief.pdf?kpi=win_rate&lang=ru&period=2026-Q3\"");
        kpi.ShouldContain("Скачать PDF (сводка по этому KPI)");
        var funnel = WebUtility.HtmlDecode(await server.Get("/funnel?period=2026-Q3&by=channel&lang=en", HttpStatusCode.OK));
        funnel.ShouldContain("href=\"/brief.pdf?by=channel&lang=en&period=2026-Q3\"");

        // The fixture's server was started without a browser.
        var page = WebUtility.HtmlDecode(await server.Get("/brief.pdf?period=2026-Q3&lang=en", HttpStatusCode.BadRequest));
        page.ShouldContain("A PDF needs a headless Chromium, and none was found");
    }

    [PdfFact]
    public async Task The_dashboards_pdf_of_a_kpi_view_is_that_kpis_brief_printed_in_the_pages_language()
    {
        var app = ApiServer.Build(new ServerOptions(server.Db, [], DemoServer.Clock) { Wait = TimeSpan.FromSeconds(5), Chromium = PdfFactAttribute.Chromium }, b => b.WebHost.UseTestServer());
        await app.StartAsync();
        try
        {
            using var client = server.Authorized(app.GetTestClient());
            using var response = await client.GetAsync(new Uri("/brief.pdf?period=2026-Q3&kpi=win_rate&lang=ru", UriKind.Relative));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
            response.Content.Headers.ContentDisposition!.FileName.ShouldBe("brief-2026-Q3-win_rate.pdf");
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var dir = new TempDir();
            var file = Path.Combine(dir.Path, "b.pdf");
            await File.WriteAllBytesAsync(file, bytes);

            var text = string.Join("\n", PdfFactAttribute.Lines(file));
            text.ShouldContain("Управленческая сводка 2026-Q3");
            text.ShouldContain("Коэффициент закрытия сделок");
            text.ShouldNotContain("Стоимость лида (CPL)");
            text.ShouldNotContain("Качество лидов");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [PdfTheory]
    [InlineData("en")]
    [InlineData("ru")]
    public void The_pdf_shows_every_scorecard_kpi_with_the_value_scorecard_json_gives(string lang)
    {
        using var dir = new TempDir();
        var env = new Dictionary<string, string> { [BriefPdf.ChromiumVariable] = PdfFactAttribute.Chromium! };
        var json = InProcessCli.Run(dir.Path, env, DemoServer.Clock, "scorecard", "--db", server.Db, "--period", Period, "--format", "json", "--lang", lang);
        json.Exit.ShouldBe(0, json.Err);
        var run = InProcessCli.Run(dir.Path, env, DemoServer.Clock, "brief", "--db", server.Db, "--period", Period, "--format", "pdf", "--lang", lang, "--out", "b.pdf");
        run.Exit.ShouldBe(0, run.Err);
        var lines = PdfFactAttribute.Lines(Path.Combine(dir.Path, "b.pdf"));

        var language = lang == "ru" ? Language.Ru : Language.En;
        var answer = new ScorecardService().Run(new ScorecardQuery(Period, null, null), Ctx(language));
        var defs = answer.Scorecard.Rows.ToDictionary(r => r.Kpi.Id, r => r.Kpi.Def);
        var currency = answer.Currency;
        using var doc = JsonDocument.Parse(json.Out);
        var kpis = doc.RootElement.GetProperty("kpis").EnumerateArray().ToList();
        kpis.Count.ShouldBeGreaterThan(10);
        foreach (var k in kpis)
        {
            var name = PdfFactAttribute.Plain(k.GetProperty("name").GetString()!);
            var value = k.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : (decimal?)null;
            var shown = PdfFactAttribute.Plain(KpiDisplay.Value(defs[k.GetProperty("kpi").GetString()!], value, currency, language));

            // The KPI's row of the scorecard table: its name followed, on the same line, by its value.
            lines.ShouldContain(l => l.StartsWith(name + " " + shown, StringComparison.Ordinal), $"{name} {shown}");
        }
    }

    private static string FirstLine(string s) => PdfFactAttribute.Plain(s.Split('\n')[0]);
}
