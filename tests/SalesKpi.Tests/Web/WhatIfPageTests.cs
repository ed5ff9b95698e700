using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Web;

/// <summary>The dashboard's what-if page: the simulate service's numbers for the levers in the URL.</summary>
public partial class WhatIfPageTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableFact]
    public async Task Whatif_page_shows_the_medians_intervals_and_ranking_of_the_simulate_api_for_the_same_levers_and_seed()
    {
        var json = await server.Get("/api/v1/simulate?set=" + Uri.EscapeDataString("win_rate=+5%") + "&set=" + Uri.EscapeDataString("leads=+10%") + "&runs=500&seed=7", HttpStatusCode.OK, "application/json");
        var html = WebUtility.HtmlDecode(await server.Get("/whatif?win_rate=5&leads=10&runs=500&seed=7&lang=en", HttpStatusCode.OK));

        using var doc = JsonDocument.Parse(json);
        var api = doc.RootElement;
        var currency = api.GetProperty("currency").GetString();
        var en = CultureInfo.GetCultureInfo("en-US");
        string Money(JsonElement e) => Math.Round(e.GetDecimal(), 0, MidpointRounding.AwayFromZero).ToString("N0", en) + " " + currency;
        string Num(JsonElement e) => e.GetDecimal().ToString("N1", en);
        foreach (var (row, money) in new[] { ("baseline_revenue", true), ("scenario_revenue", true), ("revenue_gain", true), ("baseline_won", false), ("scenario_won", false) })
        {
            var range = api.GetProperty(row);
            string F(string name) => money ? Money(range.GetProperty(name)) : Num(range.GetProperty(name));
            var cells = Row().Match(html[html.IndexOf("data-row=\"" + row + "\"", StringComparison.Ordinal)..]);
            cells.Success.ShouldBeTrue(row);
            cells.Groups[1].Value.ShouldBe(F("median"), row);
            cells.Groups[2].Value.ShouldBe(F("low") + " – " + F("high"), row);
        }

        var levers = LeverRows().Matches(html).Select(m => m.Groups[1].Value).ToList();
        levers.ShouldBe(api.GetProperty("ranking").EnumerateArray().Select(r => r.GetProperty("lever").GetString()!));
        html.ShouldContain("500 Monte Carlo runs, seed 7. Changes: Leads +10 %, Win rate +5 %.");
        html.ShouldContain("&set=" + Uri.EscapeDataString("leads=+10%") + "&set=" + Uri.EscapeDataString("win_rate=+5%") + "&runs=500&seed=7");
        html.ShouldContain("data-chart=");
    }

    [SkippableFact]
    public async Task A_five_percent_win_rate_lifts_the_scenario_median_by_five_percent_of_the_baseline()
    {
        // Won deals are a product of the levers, and baseline and scenario share every draw: +5 % on the win rate
        // multiplies each run's won deals by 1.05, so the medians keep that ratio (up to the win rate's cap at 1).
        var answer = new AnalysisService().Simulate(new AnalysisWindow(null, null), ["win_rate=+5%"], 400, 3, new RequestContext(Language.En, DemoServer.Clock, "test", server.Db));
        var html = WebUtility.HtmlDecode(await server.Get("/whatif?win_rate=5&runs=400&seed=3", HttpStatusCode.OK));

        ((double)answer.Report.ScenarioWon.Median).ShouldBe((double)answer.Report.BaselineWon.Median * 1.05, 0.01);
        var scenario = Row().Match(html[html.IndexOf("data-row=\"scenario_won\"", StringComparison.Ordinal)..]).Groups[1].Value;
        scenario.ShouldBe(((decimal)((double)answer.Report.BaselineWon.Median * 1.05)).ToString("N1", CultureInfo.GetCultureInfo("en-US")));
    }

    [SkippableFact]
    public async Task A_rep_gets_the_403_page_on_whatif_and_no_whatif_entry()
    {
        using var client = server.App.GetTestServer().CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.TokenFor("rick", UserRole.Rep));

        using var page = await client.GetAsync(new Uri("/whatif", UriKind.Relative));
        var scorecard = await client.GetStringAsync(new Uri("/?period=2026-Q3", UriKind.Relative));

        page.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        scorecard.ShouldNotContain("href=\"/whatif");
    }

    [SkippableTheory]
    [InlineData("/whatif?win_rate=lots&lang=ru", "win_rate=lots: укажите изменение в процентах")]
    [InlineData("/whatif?runs=5", "runs must be between 100 and 20000")]
    public async Task A_bad_lever_or_run_count_is_a_400_page_saying_what_to_fix(string url, string text)
    {
        var html = WebUtility.HtmlDecode(await server.Get(url, HttpStatusCode.BadRequest));

        html.ShouldContain(text);
    }

    [GeneratedRegex("<td class=\"num median\">([^<]*)</td>.*?<td class=\"r90\">([^<]*)</td>", RegexOptions.Singleline)]
    private static partial Regex Row();

    [GeneratedRegex("<tr data-lever=\"([a-z_]+)\">")]
    private static partial Regex LeverRows();
}
