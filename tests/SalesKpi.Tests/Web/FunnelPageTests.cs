using System.Net;
using System.Text.RegularExpressions;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Web;

/// <summary>The dashboard's funnel page over a demo workspace: the steps and conversions the funnel service gives.</summary>
public partial class FunnelPageTests(DemoServer server) : IClassFixture<DemoServer>
{
    private RequestContext Ctx(Language language) => new(language, DemoServer.Clock, "test", server.Db);

    [SkippableTheory]
    [InlineData(Language.En)]
    [InlineData(Language.Ru)]
    public async Task Funnel_page_shows_every_steps_count_and_conversion_of_the_funnel_service(Language language)
    {
        var lang = language == Language.Ru ? "ru" : "en";
        var expected = new FunnelService().Run(new FunnelQuery("2026-Q3", null, null), Ctx(language)).Funnel;

        var html = await server.Get($"/funnel?period=2026-Q3&lang={lang}", HttpStatusCode.OK);

        var rows = (from table in StepTables().Matches(html)
                    from row in StepRow().Matches(table.Groups[2].Value)
                    select (Section: table.Groups[1].Value, Step: row.Groups[1].Value, Count: WebUtility.HtmlDecode(row.Groups[2].Value), Conv: WebUtility.HtmlDecode(row.Groups[3].Value))).ToList();
        rows.Select(r => (r.Section, r.Step)).ShouldBe(expected.Steps.Select(s => (s.Section, s.Name)));
        var culture = Languages.DisplayCulture(language);
        foreach (var (row, step) in rows.Zip(expected.Steps))
        {
            row.Count.ShouldBe(step.Count.ToString("N0", culture), step.Name);
            row.Conv.ShouldBe(step.StepConversion is { } c ? KpiDisplay.Percent(c, language) : KpiDisplay.None, step.Name);
        }

        // One conversion by hand: SQL ÷ leads of the same page.
        var leads = expected.Steps.Single(s => s is { Section: "leads", Name: "leads" }).Count;
        var sql = expected.Steps.Single(s => s is { Section: "leads", Name: "sql" }).Count;
        leads.ShouldBeGreaterThan(100);
        rows.Single(r => r.Step == "sql").Conv.ShouldBe(KpiDisplay.Percent((decimal)sql / leads, language));
        html.ShouldContain("data-chart=");
        html.ShouldContain(language == Language.Ru ? "Воронка" : "Funnel");
    }

    [SkippableFact]
    public async Task Each_stage_lists_its_most_frequent_lost_reasons_within_its_lost_deals()
    {
        var expected = new FunnelService().Run(new FunnelQuery("2026-Q3", null, null), Ctx(Language.En)).Funnel;
        var stages = expected.Steps.Where(s => s.Section == "deals" && expected.Stages.Contains(s.Name)).ToList();
        stages.Where(s => s.Lost > 0).ShouldAllBe(s => s.LostReasons.Length > 0);
        foreach (var s in stages)
        {
            s.LostReasons.Length.ShouldBeLessThanOrEqualTo(3);
            s.LostReasons.Sum(r => r.Deals).ShouldBeLessThanOrEqualTo(s.Lost, s.Name);
            s.LostReasons.Select(r => r.Deals).ShouldBeInOrder(SortDirection.Descending);
        }

        var html = WebUtility.HtmlDecode(await server.Get("/funnel?period=2026-Q3", HttpStatusCode.OK));

        var top = stages.First(s => s.Lost > 0).LostReasons[0];
        html.ShouldContain(top.Reason + " (" + top.Deals.ToString("N0", Languages.DisplayCulture(Language.En)) + ")");
    }

    [SkippableFact]
    public async Task Funnel_by_channel_shows_each_channel_side_by_side()
    {
        var expected = new FunnelService().Run(new FunnelQuery("2026-Q3", null, "channel"), Ctx(Language.En)).Funnel;
        expected.Slices.Count.ShouldBeGreaterThan(1);

        var html = await server.Get("/funnel?period=2026-Q3&by=channel", HttpStatusCode.OK);

        var leadColumns = SliceHeaders().Matches(Between(html, "<table class=\"slices\" data-section=\"leads\"", "</table>"))
            .Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        leadColumns.ShouldBe(expected.Slices.Where(kv => kv.Value.Any(s => s.Section == "leads")).Select(kv => kv.Key));
        html.ShouldContain("<option value=\"channel\" selected");
    }

    [SkippableFact]
    public async Task A_bad_period_on_the_funnel_page_is_a_400_page_in_the_readers_language()
    {
        var reason = Should.Throw<SalesKpiException>(() => Period.Parse("2025-13")).Text;

        var ru = await server.Get("/funnel?period=2025-13&lang=ru", HttpStatusCode.BadRequest);
        var en = await server.Get("/funnel?period=2025-13&lang=en", HttpStatusCode.BadRequest);

        WebUtility.HtmlDecode(ru).ShouldContain(reason.Render(Language.Ru));
        WebUtility.HtmlDecode(en).ShouldContain(reason.Render(Language.En));
        en.ShouldContain("role=\"alert\"");
    }


    private static string Between(string html, string start, string end)
    {
        var i = html.IndexOf(start, StringComparison.Ordinal);
        i.ShouldBeGreaterThan(0, start);
        return html[i..html.IndexOf(end, i, StringComparison.Ordinal)];
    }

    [GeneratedRegex("<table class=\"steps\" data-section=\"([a-z]+)\">(.*?)</table>", RegexOptions.Singleline)]
    private static partial Regex StepTables();

    [GeneratedRegex("<tr data-step=\"([^\"]+)\"><th scope=\"row\">[^<]*</th><td class=\"num count\">([^<]*)</td><td class=\"num conv\">([^<]*)</td>")]
    private static partial Regex StepRow();

    [GeneratedRegex("<th scope=\"col\" class=\"num\" data-slice=\"[^\"]*\">([^<]*)</th>")]
    private static partial Regex SliceHeaders();
}
