using System.Net;
using System.Text.RegularExpressions;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Dashboard;

namespace SalesKpi.Tests.Web;

/// <summary>The dashboard's server-rendered pages over a demo workspace: the numbers the services give, in the reader's language.</summary>
public partial class DashboardTests(DemoServer server) : IClassFixture<DemoServer>
{
    private HttpClient Client => server.Client;

    private RequestContext Ctx(Language language) => new(language, DemoServer.Clock, "test", server.Db);

    [SkippableTheory]
    [InlineData(Language.En)]
    [InlineData(Language.Ru)]
    public async Task Scorecard_page_shows_each_active_kpi_with_the_value_and_status_of_the_scorecard_service(Language language)
    {
        var lang = language == Language.Ru ? "ru" : "en";
        var expected = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null), Ctx(language));

        var html = await server.Get($"/?period=2026-Q3&lang={lang}", HttpStatusCode.OK);

        var totals = expected.Scorecard.Rows.Where(r => r.Result.IsTotal).ToList();
        totals.Count.ShouldBeGreaterThan(10);
        TileIds(html).ShouldBe(totals.Select(r => r.Result.Kpi.Id));
        foreach (var row in totals)
        {
            var tile = Tile(html, row.Result.Kpi.Id);
            tile.ShouldContain(row.Result.Kpi.NameIn(language));
            ValueOf(tile).ShouldBe(KpiDisplay.Short(row.Result.Kpi, row.Result.Value, expected.Currency, language), row.Result.Kpi.Id);
            tile.ShouldContain(SalesKpi.Core.Config.TargetRules.Label(row.Status).Render(language));
        }

        html.ShouldContain($"<html lang=\"{lang}\"");
        html.ShouldContain(language == Language.Ru ? "Показатели" : "Scorecard");
    }

    [SkippableFact]
    public async Task A_filtered_scorecard_shows_the_rows_of_that_slice_only()
    {
        var expected = new ScorecardService().Run(new ScorecardQuery("2026-Q3", null, null, "channel"), Ctx(Language.En));
        var slice = expected.Scorecard.Rows.First(r => !r.Result.IsTotal).Result.Slice["channel"];
        var rows = expected.Scorecard.Rows.Where(r => r.Result.Slice.TryGetValue("channel", out var v) && v == slice).ToList();

        var html = await server.Get("/?period=2026-Q3&dim=channel&value=" + Uri.EscapeDataString(slice), HttpStatusCode.OK);

        TileIds(html).ShouldBe(rows.Select(r => r.Result.Kpi.Id));
        foreach (var row in rows)
        {
            ValueOf(Tile(html, row.Result.Kpi.Id)).ShouldBe(KpiDisplay.Short(row.Result.Kpi, row.Result.Value, expected.Currency, Language.En));
        }

        html.ShouldContain("<option value=\"" + WebUtility.HtmlEncode(slice) + "\" selected");
    }

    [SkippableFact]
    public async Task A_bad_period_gives_a_page_that_says_what_to_fix_in_the_readers_language()
    {
        var reason = Should.Throw<SalesKpiException>(() => Period.Parse("2025-13")).Text;

        var ru = await server.Get("/?period=2025-13&lang=ru", HttpStatusCode.BadRequest);
        var en = await server.Get("/?period=2025-13", HttpStatusCode.BadRequest);

        WebUtility.HtmlDecode(ru).ShouldContain(reason.Render(Language.Ru));
        WebUtility.HtmlDecode(en).ShouldContain(reason.Render(Language.En));
        en.ShouldContain("role=\"alert\"");
    }

    [SkippableFact]
    public async Task Pages_take_their_language_from_the_browser_when_the_link_names_none()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/?period=2026-Q3");
        request.Headers.AcceptLanguage.ParseAdd("ru-RU,ru;q=0.9");
        using var response = await Client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        html.ShouldContain("<html lang=\"ru\"");
        html.ShouldContain("href=\"/?lang=en&amp;period=2026-Q3\"");
    }

    [SkippableFact]
    public async Task Sparklines_carry_the_twelve_monthly_values_of_the_report_service()
    {
        var report = new ReportService().Run(new ReportQuery("2025-10-01..2026-09-30", null, "month", [], ["leads"]), Ctx(Language.En)).Report;
        var months = report.Results.Where(r => r.IsTotal && r.Period.Kind == Grain.Month).OrderBy(r => r.Period.Start).ToList();
        months.Count.ShouldBe(12);

        var tile = Tile(await server.Get("/?period=2026-Q3", HttpStatusCode.OK), "leads", decode: false);

        var chart = WebUtility.HtmlDecode(DataChart().Match(tile).Groups[1].Value);
        chart.ShouldContain("\"data\":[" + string.Join(",", months.Select(m => m.Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]");
        chart.ShouldContain("\"2025-10\"");
    }

    [SkippableFact]
    public async Task Russian_text_is_written_as_text_not_as_character_references()
    {
        var html = await server.Get("/?period=2026-Q3&lang=ru", HttpStatusCode.OK);

        html.ShouldContain("Показатели");
        html.ShouldNotContain("&#x41F;");
    }

    [SkippableFact]
    public async Task Assets_are_served_from_the_assembly_and_nothing_else_is()
    {
        DashboardAssets.Names.ShouldContain("lib/echarts/echarts.min.js");
        DashboardAssets.Names.ShouldContain("app.css");

        using var js = await Client.GetAsync(new Uri("/assets/lib/echarts/echarts.min.js", UriKind.Relative));
        using var css = await Client.GetAsync(new Uri("/assets/app.css", UriKind.Relative));
        using var missing = await Client.GetAsync(new Uri("/assets/../../demo.duckdb", UriKind.Relative));
        using var other = await Client.GetAsync(new Uri("/assets/nothing.js", UriKind.Relative));

        js.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await js.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(500_000);
        css.Content.Headers.ContentType!.MediaType.ShouldBe("text/css");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        other.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task No_page_loads_anything_from_another_host()
    {
        var html = await server.Get("/?period=2026-Q3", HttpStatusCode.OK);

        SourceAttributes().Matches(html).Select(m => m.Groups[1].Value).ShouldAllBe(u => u.StartsWith('/') || u.StartsWith('#'));
    }


    private static List<string> TileIds(string html) => [.. TileStart().Matches(html).Select(m => m.Groups[1].Value)];

    private static string Tile(string html, string id, bool decode = true)
    {
        var start = html.IndexOf($"aria-labelledby=\"kpi-{id}\"", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, id);
        var end = html.IndexOf("</article>", start, StringComparison.Ordinal);
        return decode ? WebUtility.HtmlDecode(html[start..end]) : html[start..end];
    }

    private static string ValueOf(string tile) => TileValue().Match(tile).Groups[1].Value;

    [GeneratedRegex("<article class=\"tile[^\"]*\" aria-labelledby=\"kpi-([a-z0-9_]+)\"")]
    private static partial Regex TileStart();

    [GeneratedRegex("<p class=\"value\"[^>]*>([^<]*)</p>")]
    private static partial Regex TileValue();

    [GeneratedRegex("data-chart=\"([^\"]*)\"")]
    private static partial Regex DataChart();

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"")]
    private static partial Regex SourceAttributes();
}

/// <summary>The KPI page: definition, trend, breakdown and the records behind the value, paged and downloadable.</summary>
public partial class KpiPageTests(DemoServer server) : IClassFixture<DemoServer>
{
    private RequestContext Ctx => new(Language.En, DemoServer.Clock, "test", server.Db);

    [SkippableFact]
    public async Task Kpi_page_shows_the_value_numerator_and_denominator_of_explain_and_one_row_per_breakdown_slice()
    {
        var explain = new ExplainService().Run(new ExplainQuery("win_rate", "2026-Q3", null, [], 25), Ctx);
        var byOwner = new ReportService().Run(new ReportQuery("2026-Q3", null, null, ["owner"], ["win_rate"]), Ctx).Report.Results.Where(r => !r.IsTotal).ToList();
        var r = explain.Explanation.Result!;

        var html = WebUtility.HtmlDecode(await server.Get("/kpi/win_rate?period=2026-Q3&by=owner", HttpStatusCode.OK));

        html.ShouldContain(explain.Explanation.Definition.Render(Language.En));
        html.ShouldContain("<strong>" + KpiDisplay.Value(explain.Kpi, r.Value, explain.Currency, Language.En) + "</strong>");
        html.ShouldContain(KpiDisplay.Number(r.Numerator!.Value, Language.En) + " ÷ " + KpiDisplay.Number(r.Denominator!.Value, Language.En));
        byOwner.Count.ShouldBeGreaterThan(2);
        foreach (var slice in byOwner)
        {
            html.ShouldContain("<th scope=\"row\">" + slice.Slice["owner"] + "</th>");
        }
    }

    [SkippableFact]
    public async Task Record_pages_follow_each_other_without_gaps_or_repeats_and_the_csv_holds_them_all()
    {
        var all = new ExplainService().Run(new ExplainQuery("win_rate", "2025", null, [], 0), Ctx);
        var ids = all.Explanation.Sources[0].Rows.Select(x => (string)x["deal_id"]!).ToList();
        ids.Count.ShouldBeGreaterThan(25);

        var page1 = await server.Get("/kpi/win_rate?period=2025", HttpStatusCode.OK);
        var page2 = await server.Get("/kpi/win_rate?period=2025&page=2", HttpStatusCode.OK);
        var csv = await server.Get("/kpi/win_rate/records.csv?period=2025", HttpStatusCode.OK, "text/csv");

        DealIds().Matches(page1).Select(m => m.Value).ShouldBe(ids.Take(25));
        DealIds().Matches(page2).Select(m => m.Value).ShouldBe(ids.Skip(25).Take(25));
        page1.ShouldContain("page=2");
        var lines = csv.TrimStart('\uFEFF').TrimEnd('\n').Split('\n');
        lines[0].ShouldBe("source,source_title,deal_id,status,closed_at");
        lines.Skip(1).Select(l => l.Split(',')[2]).ShouldBe(ids);
    }

    [SkippableFact]
    public async Task The_explain_api_pages_with_offset()
    {
        var all = new ExplainService().Run(new ExplainQuery("leads", "2026-Q3", null, [], 0), Ctx).Explanation.Sources[0].Rows.Select(x => x["lead_id"]).ToList();

        var json = System.Text.Json.JsonDocument.Parse(await server.Get("/api/v1/explain/leads?period=2026-Q3&limit=10&offset=30", HttpStatusCode.OK, "application/json")).RootElement;

        var source = json.GetProperty("sources")[0];
        source.GetProperty("rows").EnumerateArray().Select(e => (object?)e.GetProperty("lead_id").GetString()).ToList().ShouldBe(all.Skip(30).Take(10));
        source.GetProperty("offset").GetInt32().ShouldBe(30);
        source.GetProperty("more").GetBoolean().ShouldBe(all.Count > 40);
    }

    [SkippableFact]
    public async Task An_unknown_kpi_is_a_page_that_says_so()
    {
        var html = WebUtility.HtmlDecode(await server.Get("/kpi/no_such_kpi?period=2026-Q3", HttpStatusCode.BadRequest));

        html.ShouldContain("no_such_kpi");
        html.ShouldContain("role=\"alert\"");
    }


    [GeneratedRegex("(?<=<td>)[DU]\\d{6,7}(?=</td>)")]
    private static partial Regex DealIds();
}

/// <summary>Explain of a slice the KPI does not have.</summary>
public class ExplainSliceTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableFact]
    public async Task Explaining_a_kpi_by_a_dimension_it_does_not_have_is_a_problem_naming_its_dimensions()
    {
        using var response = await server.Client.GetAsync(new Uri("/api/v1/explain/retention_rate?period=2026-Q3&slice=owner=John%20Smith", UriKind.Relative));
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("code").GetString().ShouldBe("explain.not_sliced_by");
        problem.GetProperty("detail").GetString().ShouldBe("retention_rate has no slice by owner: its dimensions are segment, region, channel.");
    }
}
