using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;

using static SalesKpi.Tests.Web.FormSession;

namespace SalesKpi.Tests.Web;

/// <summary>
/// The dashboard's KPI-system page over a demo workspace: goals, targets with realism and suggestions, versions
/// with their diff and the review, each as the API gives it; and its forms, which only a head may post.
/// </summary>
public partial class SystemPageTests(DemoServer server) : IClassFixture<DemoServer>
{
    private const string Period = "2026-Q4";

    private RequestContext Ctx => new(Language.En, DemoServer.Clock, "test", server.Db);

    [SkippableTheory]
    [InlineData(Language.En)]
    [InlineData(Language.Ru)]
    public async Task Each_target_of_the_period_shows_the_value_tolerance_current_value_status_and_chance_the_api_gives(Language language)
    {
        var lang = language == Language.Ru ? "ru" : "en";
        using var targets = await Api($"/api/v1/targets?period={Period}&check=true");
        using var check = await Api($"/api/v1/check?period={Period}&lang={lang}");
        var config = ConfigStore();
        var currency = targets.RootElement.GetProperty("currency").GetString()!;

        var html = WebUtility.HtmlDecode(await server.Get($"/system?period={Period}&lang={lang}", HttpStatusCode.OK));

        var listed = targets.RootElement.GetProperty("targets").EnumerateArray().ToList();
        listed.Count.ShouldBeGreaterThan(5);
        var rows = TargetRows().Matches(Between(html, "<table class=\"targets\">", "</table>")).ToList();
        rows.Select(r => r.Groups[1].Value).Order(StringComparer.Ordinal).ShouldBe(listed.Select(t => t.GetProperty("kpi").GetString()!).Order(StringComparer.Ordinal));
        foreach (var t in listed)
        {
            var kpi = t.GetProperty("kpi").GetString()!;
            var def = config.Find(kpi)!.Def;
            var row = rows.Single(r => r.Groups[1].Value == kpi).Value;
            var judged = check.RootElement.GetProperty("judged").EnumerateArray().Single(j => j.GetProperty("kpi").GetString() == kpi && IsTotal(j));
            Cell(row, "num target-value").ShouldBe(KpiDisplay.Value(def, t.GetProperty("value").GetDecimal(), currency, language), kpi);
            row.ShouldContain("±" + KpiDisplay.Number(t.GetProperty("tolerance_percent").GetDecimal(), language) + " %");
            Cell(row, "num current").ShouldStartWith(KpiDisplay.Value(def, judged.GetProperty("value").GetDecimal(), currency, language), Case.Sensitive, kpi);
            Cell(row, "status").ShouldContain(judged.GetProperty("status_label").GetString()!);
            Cell(row, "realism").ShouldContain(KpiDisplay.Percent(t.GetProperty("probability").GetDecimal(), language));
        }

        html.ShouldContain(language == Language.Ru ? "Система KPI" : "KPI system");
    }

    [SkippableFact]
    public async Task Goals_show_their_kpis_with_weights_and_the_attainment_of_the_scorecard()
    {
        using var scorecard = await Api($"/api/v1/scorecard?period={Period}&lang=en");
        var config = ConfigStore();
        config.Goals.Length.ShouldBeGreaterThan(0);

        var html = WebUtility.HtmlDecode(await server.Get($"/system?period={Period}", HttpStatusCode.OK));

        foreach (var goal in scorecard.RootElement.GetProperty("goals").EnumerateArray())
        {
            var id = goal.GetProperty("id").GetString()!;
            var body = Between(html, "<tbody data-goal=\"" + id + "\">", "</tbody>");
            var attainment = goal.GetProperty("attainment");
            body.ShouldContain(attainment.ValueKind == JsonValueKind.Null ? "no KPI with a target" : KpiDisplay.Percent(attainment.GetDecimal(), Language.En));
            var linked = config.Goals.Single(g => g.Id == id).Kpis;
            GoalKpis().Matches(body).Select(m => m.Groups[1].Value).ShouldBe(linked.Select(k => k.Kpi));
            var total = linked.Sum(k => k.Weight);
            foreach (var k in linked)
            {
                var weight = Between(body, "data-kpi=\"" + k.Kpi + "\"", "</tr>");
                weight.ShouldContain(KpiDisplay.Number(k.Weight, Language.En) + " (" + KpiDisplay.Percent(k.Weight / total, Language.En) + ")");
            }
        }

        html.ShouldContain("class=\"chart goal-chart\"");
        html.ShouldContain("data-chart=");
    }

    [SkippableFact]
    public async Task The_version_log_and_a_diff_chosen_in_the_url_are_the_apis()
    {
        using var versions = await Api("/api/v1/versions");
        using var diff = await Api("/api/v1/versions/diff?from=1&to=2");

        var html = WebUtility.HtmlDecode(await server.Get($"/system?period={Period}&from=1&to=2", HttpStatusCode.OK));

        var log = Between(html, "<table class=\"versions\">", "</table>");
        foreach (var v in versions.RootElement.GetProperty("versions").EnumerateArray())
        {
            var row = Between(log, "<tr data-version=\"" + v.GetProperty("version").GetInt32().ToString(CultureInfo.InvariantCulture) + "\">", "</tr>");
            row.ShouldContain(v.GetProperty("author").GetString()!);
            row.ShouldContain(v.GetProperty("reason").GetString()!);
        }

        var lines = diff.RootElement.GetProperty("lines").EnumerateArray().ToList();
        lines.Count(l => l.GetProperty("op").GetString() == "+").ShouldBeGreaterThan(0);
        var shown = DiffRows().Matches(Between(html, "<table class=\"diff\">", "</table>")).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        shown.ShouldBe(lines.Select(l => (l.GetProperty("op").GetString()!, l.GetProperty("text").GetString()!)));
        html.ShouldContain("<option value=\"1\" selected");
    }

    [SkippableFact]
    public async Task Every_review_finding_is_a_sentence_naming_its_kpi()
    {
        using var review = await Api("/api/v1/review");
        var r = review.RootElement;
        var expected = r.GetProperty("kpis").GetArrayLength() + r.GetProperty("unlinked_kpis").GetArrayLength() + r.GetProperty("empty_goals").GetArrayLength() + r.GetProperty("changes").GetArrayLength();
        expected.ShouldBeGreaterThan(0);

        var html = WebUtility.HtmlDecode(await server.Get($"/system?period={Period}", HttpStatusCode.OK));

        var items = Findings().Matches(html).Select(m => (Kpi: m.Groups[1].Value, Text: m.Groups[2].Value)).ToList();
        items.Count.ShouldBe(expected);
        var config = ConfigStore();
        foreach (var k in r.GetProperty("kpis").EnumerateArray())
        {
            var id = k.GetProperty("kpi").GetString()!;
            items.ShouldContain(i => i.Kpi == id && i.Text.StartsWith(config.Find(id)!.Def.NameIn(Language.En), StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task The_suggestion_asked_for_in_the_url_is_the_suggest_apis_value_and_chance()
    {
        using var targets = await Api($"/api/v1/targets?period={Period}");
        var kpi = targets.RootElement.GetProperty("targets").EnumerateArray().First().GetProperty("kpi").GetString()!;
        using var suggest = await Api($"/api/v1/targets/suggest?kpi={kpi}&period={Period}");
        var s = suggest.RootElement.GetProperty("suggestions")[0];
        var def = ConfigStore().Find(kpi)!.Def;

        var html = WebUtility.HtmlDecode(await server.Get($"/system?period={Period}&suggest={kpi}", HttpStatusCode.OK));

        var row = TargetRows().Matches(Between(html, "<table class=\"targets\">", "</table>")).Single(m => m.Groups[1].Value == kpi).Value;
        Cell(row, "suggested").ShouldBe(KpiDisplay.Value(def, s.GetProperty("value").GetDecimal(), suggest.RootElement.GetProperty("currency").GetString()!, Language.En) + " (" + KpiDisplay.Percent(s.GetProperty("probability").GetDecimal(), Language.En) + ")");
        html.ShouldContain("id=\"suggest-h\"");
        html.ShouldContain("action=\"/system/suggest?lang=en\"");
    }

    [SkippableFact]
    public async Task A_head_changes_a_target_with_a_reason_and_lands_on_the_page_naming_the_new_version()
    {
        using var client = Bearer(server.TokenFor("helga", UserRole.Head));
        using var before = await Api($"/api/v1/targets?period={Period}");
        var target = before.RootElement.GetProperty("targets").EnumerateArray().First(IsTotal);
        var kpi = target.GetProperty("kpi").GetString()!;
        var value = target.GetProperty("value").GetDecimal() + 7m;
        var count = (await Api("/api/v1/versions")).RootElement.GetProperty("versions").GetArrayLength();

        using var response = await client.PostAsync(new Uri("/system/targets?lang=en", UriKind.Relative), Form(("kpi", kpi), ("period", Period), ("value", value.ToString(CultureInfo.InvariantCulture)), ("tolerance", "4"), ("reason", "board asked for more")));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        var version = count + 1;
        response.Headers.Location!.OriginalString.ShouldBe($"/system?lang=en&period={Period}&saved={version}#versions-h");
        using var versions = await Api("/api/v1/versions");
        var last = versions.RootElement.GetProperty("versions").EnumerateArray().Last();
        last.GetProperty("version").GetInt32().ShouldBe(version);
        last.GetProperty("author").GetString().ShouldBe("helga");
        last.GetProperty("reason").GetString().ShouldBe("board asked for more");
        using var after = await Api($"/api/v1/targets?period={Period}&kpi={kpi}");
        after.RootElement.GetProperty("targets")[0].GetProperty("value").GetDecimal().ShouldBe(value);
        after.RootElement.GetProperty("targets")[0].GetProperty("tolerance_percent").GetDecimal().ShouldBe(4m);
        using var audit = await Api("/api/v1/audit?limit=1");
        audit.RootElement.GetRawText().ShouldContain("helga");

        var page = WebUtility.HtmlDecode(await server.Get($"/system?lang=en&period={Period}&saved={version}", HttpStatusCode.OK));
        page.ShouldContain($"Saved as version {version}</strong>: board asked for more");
        Between(page, "<tr data-version=\"" + version.ToString(CultureInfo.InvariantCulture) + "\">", "</tr>").ShouldContain("helga");
    }

    [SkippableFact]
    public async Task A_head_applies_the_suggestions_of_a_kpi_as_a_new_version_holding_the_suggested_values()
    {
        using var client = Bearer(server.TokenFor("hugo", UserRole.Head));
        using var targets = await Api($"/api/v1/targets?period={Period}");
        var kpi = targets.RootElement.GetProperty("targets").EnumerateArray().Last(IsTotal).GetProperty("kpi").GetString()!;
        using var suggest = await Api($"/api/v1/targets/suggest?kpi={kpi}&period={Period}");
        var suggested = suggest.RootElement.GetProperty("suggestions")[0].GetProperty("value").GetDecimal();
        var count = (await Api("/api/v1/versions")).RootElement.GetProperty("versions").GetArrayLength();

        using var response = await client.PostAsync(new Uri("/system/suggest?lang=en", UriKind.Relative), Form(("kpi", kpi), ("period", Period), ("tolerance", "3"), ("reason", "as history suggests")));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        response.Headers.Location!.OriginalString.ShouldBe($"/system?lang=en&period={Period}&saved={count + 1}#versions-h");
        using var after = await Api($"/api/v1/targets?period={Period}&kpi={kpi}");
        after.RootElement.GetProperty("targets")[0].GetProperty("value").GetDecimal().ShouldBe(suggested);
        after.RootElement.GetProperty("targets")[0].GetProperty("tolerance_percent").GetDecimal().ShouldBe(3m);
        using var versions = await Api("/api/v1/versions");
        var last = versions.RootElement.GetProperty("versions").EnumerateArray().Last();
        (last.GetProperty("author").GetString(), last.GetProperty("reason").GetString()).ShouldBe(("hugo", "as history suggests"));
    }

    [SkippableFact]
    public async Task A_change_without_a_reason_is_refused_with_a_page_that_says_so_and_stores_nothing()
    {
        using var client = Bearer(server.TokenFor("henrik", UserRole.Head));
        using var before = await Api($"/api/v1/targets?period={Period}");
        var kpi = before.RootElement.GetProperty("targets")[0].GetProperty("kpi").GetString()!;
        var count = (await Api("/api/v1/versions")).RootElement.GetProperty("versions").GetArrayLength();

        using var response = await client.PostAsync(new Uri("/system/targets?lang=ru", UriKind.Relative), Form(("kpi", kpi), ("period", Period), ("value", "1"), ("reason", "  ")));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()).ShouldContain("Укажите причину изменения системы KPI");
        (await Api("/api/v1/versions")).RootElement.GetProperty("versions").GetArrayLength().ShouldBe(count);
    }

    [SkippableFact]
    public async Task A_manager_sees_the_targets_but_no_form_and_a_post_as_manager_is_forbidden()
    {
        using var client = Bearer(server.TokenFor("mona", UserRole.Manager));
        var count = (await Api("/api/v1/versions")).RootElement.GetProperty("versions").GetArrayLength();

        var html = await client.GetStringAsync(new Uri($"/system?period={Period}", UriKind.Relative));
        using var posted = await client.PostAsync(new Uri("/system/targets", UriKind.Relative), Form(("kpi", "win_rate"), ("period", Period), ("value", "0.5"), ("reason", "try")));
        using var applied = await client.PostAsync(new Uri("/system/suggest", UriKind.Relative), Form(("kpi", "win_rate"), ("period", Period), ("reason", "try")));

        html.ShouldContain("<table class=\"targets\">");
        html.ShouldNotContain("<form class=\"change\"");
        html.ShouldNotContain("/system/suggest");
        Between(html, "<nav", "</nav>").ShouldContain("href=\"/system?");
        posted.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        applied.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Api("/api/v1/versions")).RootElement.GetProperty("versions").GetArrayLength().ShouldBe(count);
    }

    [SkippableFact]
    public async Task A_rep_gets_the_forbidden_page_and_no_navigation_entry()
    {
        using var client = Bearer(server.TokenFor("ravi", UserRole.Rep));

        using var page = await client.GetAsync(new Uri($"/system?period={Period}", UriKind.Relative));
        var home = await client.GetStringAsync(new Uri("/?period=2026-Q3", UriKind.Relative));

        page.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await page.Content.ReadAsStringAsync()).ShouldContain("manager");
        home.ShouldNotContain("href=\"/system");
    }

    [SkippableFact]
    public async Task A_post_with_the_session_cookie_but_no_forms_token_is_refused_and_changes_nothing()
    {
        new UsersService().Add(new AddUserRequest("hedda", "head", null, "hedda-password-1"), Ctx);
        using var client = server.App.GetTestServer().CreateClient();
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        var signin = await Send(client, jar, HttpMethod.Get, "/signin", null);
        await Send(client, jar, HttpMethod.Post, "/signin", new() { ["name"] = "hedda", ["password"] = "hedda-password-1", ["__RequestVerificationToken"] = Token(signin.Body) });
        jar.ShouldContainKey("saleskpi_session");
        var count = (await Api("/api/v1/versions")).RootElement.GetProperty("versions").GetArrayLength();
        var kpi = (await Api($"/api/v1/targets?period={Period}")).RootElement.GetProperty("targets")[0].GetProperty("kpi").GetString()!;

        var forged = await Send(client, jar, HttpMethod.Post, "/system/targets", new() { ["kpi"] = kpi, ["period"] = Period, ["value"] = "1", ["reason"] = "forged" });
        var page = await Send(client, jar, HttpMethod.Get, $"/system?period={Period}", null);
        var real = await Send(client, jar, HttpMethod.Post, "/system/targets", new() { ["kpi"] = kpi, ["period"] = Period, ["value"] = "1", ["reason"] = "from the page", ["__RequestVerificationToken"] = Token(page.Body) });

        forged.Status.ShouldBe(HttpStatusCode.BadRequest);
        page.Body.ShouldContain("<form class=\"change\"");
        real.Status.ShouldBe(HttpStatusCode.Redirect, real.Body);
        using var versions = await Api("/api/v1/versions");
        var list = versions.RootElement.GetProperty("versions").EnumerateArray().ToList();
        list.Count.ShouldBe(count + 1);
        list[^1].GetProperty("reason").GetString().ShouldBe("from the page");
    }

    [SkippableTheory]
    [InlineData("/system?period=2025-13")]
    [InlineData("/system?from=one")]
    [InlineData("/system?from=99")]
    [InlineData("/system?suggest=no_such_kpi")]
    public async Task Bad_input_on_the_system_page_is_a_400_page(string url)
    {
        var html = await server.Get(url, HttpStatusCode.BadRequest);

        html.ShouldContain("role=\"alert\"");
    }

    private KpiSystemConfig ConfigStore() => new TargetsService().List(null, null, check: false, Ctx).Config;

    private static bool IsTotal(JsonElement e) => !e.GetProperty("slice").EnumerateObject().Any();

    private async Task<JsonDocument> Api(string url) => JsonDocument.Parse(await server.Get(url, HttpStatusCode.OK, "application/json"));

    private HttpClient Bearer(string token)
    {
        var client = server.App.GetTestServer().CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) => new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static string Cell(string row, string css)
    {
        var m = Regex.Match(row, "<td class=\"" + Regex.Escape(css) + "\">(.*?)</td>", RegexOptions.Singleline);
        m.Success.ShouldBeTrue(css);
        return Regex.Replace(m.Groups[1].Value, "<[^>]+>", string.Empty).Trim();
    }

    private static string Between(string html, string start, string end)
    {
        var i = html.IndexOf(start, StringComparison.Ordinal);
        i.ShouldBeGreaterThan(0, start);
        return html[i..html.IndexOf(end, i, StringComparison.Ordinal)];
    }

    [GeneratedRegex("<tr data-kpi=\"([^\"]+)\" data-slice=\"\">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex TargetRows();

    [GeneratedRegex("<tr class=\"goal-kpi\" data-kpi=\"([^\"]+)\">")]
    private static partial Regex GoalKpis();

    [GeneratedRegex("<tr class=\"[a-z]+\" data-op=\"(.)\">\\s*<td>[^<]*</td>\\s*<td><code>(.*?)</code></td>", RegexOptions.Singleline)]
    private static partial Regex DiffRows();

    [GeneratedRegex("<li data-kpi=\"([^\"]*)\">(.*?)</li>", RegexOptions.Singleline)]
    private static partial Regex Findings();

}
