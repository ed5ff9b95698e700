using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>The diagnosis and leaderboard pages over a demo workspace: the numbers of the diagnose, velocity and report APIs, and who may see them.</summary>
public partial class DiagnosisLeaderboardPageTests(DemoServer server) : IClassFixture<DemoServer>
{
    private static readonly string Kpis = string.Join(",", Dashboard.Pages.LeaderboardView.Kpis);

    [SkippableTheory]
    [InlineData(Language.En)]
    [InlineData(Language.Ru)]
    public async Task Diagnosis_page_shows_each_significant_change_of_the_diagnose_api_with_its_exact_drill_down(Language language)
    {
        var lang = language == Language.Ru ? "ru" : "en";
        var api = Json(await server.Get("/api/v1/diagnose?period=2026-Q3", HttpStatusCode.OK, "application/json"));
        var findings = api.GetProperty("findings").EnumerateArray().ToList();
        findings.ShouldNotBeEmpty();

        var html = WebUtility.HtmlDecode(await server.Get($"/diagnosis?period=2026-Q3&lang={lang}", HttpStatusCode.OK));

        var rows = FindingRow().Matches(html).ToList();
        rows.Select(r => r.Groups[1].Value).ShouldBe(findings.Select(f => f.GetProperty("kpi").GetString()));
        var culture = Languages.DisplayCulture(language);
        foreach (var (row, f) in rows.Zip(findings))
        {
            var id = f.GetProperty("kpi").GetString()!;
            var before = f.GetProperty("before").GetDecimal();
            var after = f.GetProperty("after").GetDecimal();
            var (b, a) = id == "stage"
                ? (KpiDisplay.Percent(before, language), KpiDisplay.Percent(after, language))
                : (KpiDisplay.Short(KpiCatalog.Get(id), before, Currency, language), KpiDisplay.Short(KpiCatalog.Get(id), after, Currency, language));
            row.Groups[2].Value.ShouldBe(b, id);
            row.Groups[3].Value.ShouldBe(a, id);
            var p = f.GetProperty("p_value").GetDouble();
            row.Groups[4].Value.ShouldBe(p < 0.0001 ? "p < " + 0.0001.ToString("0.0000", culture) : "p = " + p.ToString("0.0000", culture), id);
            var driver = f.TryGetProperty("driver", out var d) ? d.GetProperty("dimension").GetString() + "=" + d.GetProperty("value").GetString() : null;
            row.Groups[5].Value.ShouldBe(driver is null ? KpiDisplay.None : driver.Replace("=", " = ", StringComparison.Ordinal), id);
            var link = row.Groups[6].Value;
            if (id == "stage")
            {
                link.ShouldBe($"/funnel?lang={lang}&period=2026-Q3");
            }
            else
            {
                link.ShouldBe($"/kpi/{id}?lang={lang}&period=2026-Q3" + (driver is null ? "" : "&slice=" + Uri.EscapeDataString(driver)));
            }
        }

        var tested = findings.Count(f => f.GetProperty("kpi").GetString() != "stage") + api.GetProperty("unchanged").GetArrayLength();
        html.ShouldContain(language == Language.Ru ? $"Проверено KPI: {tested};" : $"{tested} KPIs tested;");
        html.ShouldContain(language == Language.Ru ? "Что изменилось в 2026-Q3 по сравнению с 2026-Q2" : "What changed in 2026-Q3 against 2026-Q2");
    }

    [SkippableFact]
    public async Task A_drill_down_link_of_the_diagnosis_opens_the_kpi_page_of_the_drivers_slice()
    {
        var html = WebUtility.HtmlDecode(await server.Get("/diagnosis?period=2026-Q3", HttpStatusCode.OK));
        var link = FindingRow().Matches(html).Select(m => m.Groups[6].Value).First(l => l.Contains("slice=", StringComparison.Ordinal));

        var kpiPage = WebUtility.HtmlDecode(await server.Get(link, HttpStatusCode.OK));

        var slice = Uri.UnescapeDataString(link[(link.IndexOf("slice=", StringComparison.Ordinal) + 6)..]);
        kpiPage.ShouldContain(slice.Split('=')[1]);
        kpiPage.ShouldContain("/records.csv?");
    }

    [SkippableFact]
    public async Task Velocity_waterfall_and_table_carry_the_velocity_apis_numbers_and_add_up()
    {
        var api = Json(await server.Get("/api/v1/velocity?period=2026-Q3", HttpStatusCode.OK, "application/json"));
        var before = api.GetProperty("before").GetDecimal();
        var after = api.GetProperty("after").GetDecimal();
        var parts = api.GetProperty("factors").EnumerateArray().Select(f => (Factor: f.GetProperty("factor").GetString()!, Contribution: f.GetProperty("contribution").GetDecimal())).ToList();
        parts.Count.ShouldBe(4);

        var raw = await server.Get("/diagnosis?period=2026-Q3", HttpStatusCode.OK);

        var html = WebUtility.HtmlDecode(raw);
        var culture = CultureInfo.GetCultureInfo("en-US");
        foreach (var (factor, contribution) in parts)
        {
            ContributionCell(html, factor).ShouldBe(contribution.ToString("+#,##0.00;-#,##0.00;0.00", culture) + " " + Currency, factor);
        }

        // The waterfall: a transparent base under each change at the running total, from the old velocity to the new.
        var chart = JsonDocument.Parse(WebUtility.HtmlDecode(Regex.Match(raw, "class=\"chart waterfall-chart\"[^>]*data-chart=\"([^\"]*)\"").Groups[1].Value)).RootElement;
        var series = chart.GetProperty("series");
        var bases = series[0].GetProperty("data").EnumerateArray().Select(e => e.GetDecimal()).ToList();
        var bars = series[1].GetProperty("data").EnumerateArray().Select(e => e.GetProperty("value").GetDecimal()).ToList();
        series[0].GetProperty("itemStyle").GetProperty("color").GetString().ShouldBe("transparent");
        bars[0].ShouldBe(Math.Round(before, 2));
        bars[^1].ShouldBe(Math.Round(after, 2));
        var running = before;
        for (var i = 0; i < parts.Count; i++)
        {
            var c = parts[i].Contribution;
            bars[i + 1].ShouldBe(Math.Round(Math.Abs(c), 2), 0.011m);
            bases[i + 1].ShouldBe(Math.Round(Math.Min(running, running + c), 2), 0.011m);
            running += c;
        }

        running.ShouldBe(after, 0.01m);
    }

    [SkippableFact]
    public async Task Diagnosis_against_the_year_before_compares_with_the_same_quarter_of_last_year()
    {
        var api = Json(await server.Get("/api/v1/diagnose?period=2026-Q3&compare=year", HttpStatusCode.OK, "application/json"));
        api.GetProperty("compared_with").GetString().ShouldBe("2025-Q3");

        var html = WebUtility.HtmlDecode(await server.Get("/diagnosis?period=2026-Q3&compare=year", HttpStatusCode.OK));

        html.ShouldContain("What changed in 2026-Q3 against 2025-Q3");
        html.ShouldContain("Sales velocity: 2025-Q3 → 2026-Q3");
        FindingRow().Matches(html).Select(r => r.Groups[1].Value).ShouldBe(api.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("kpi").GetString()));
        html.ShouldContain("<option value=\"year\" selected");
    }

    [SkippableTheory]
    [InlineData("/diagnosis?period=2025-13")]
    [InlineData("/diagnosis?compare=decade")]
    [InlineData("/leaderboard?period=2025-13")]
    [InlineData("/leaderboard?sort=rank")]
    public async Task A_bad_input_is_a_400_page_that_says_what_to_fix(string url)
    {
        var html = await server.Get(url, HttpStatusCode.BadRequest);

        html.ShouldContain("role=\"alert\"");
        html.ShouldNotContain("Exception");
    }

    [SkippableFact]
    public async Task Leaderboard_shows_each_owners_value_n_and_interval_of_the_report_api_and_marks_only_intervals_that_exclude_the_team()
    {
        var api = Json(await server.Get($"/api/v1/report?period=2025&by=owner&kpi={Kpis}", HttpStatusCode.OK, "application/json"));
        var results = api.GetProperty("results").EnumerateArray().ToList();
        var team = results.Where(r => !r.GetProperty("slice").EnumerateObject().Any()).ToDictionary(r => r.GetProperty("kpi").GetString()!);
        var owners = results.Where(r => r.GetProperty("slice").TryGetProperty("owner", out _)).ToList();
        owners.ShouldNotBeEmpty();

        var html = WebUtility.HtmlDecode(await server.Get("/leaderboard?period=2025", HttpStatusCode.OK));

        var marks = new List<int>();
        foreach (var r in owners)
        {
            var id = r.GetProperty("kpi").GetString()!;
            var owner = r.GetProperty("slice").GetProperty("owner").GetString()!;
            var kpi = KpiCatalog.Get(id);
            var cell = Cell(html, owner, id);
            decimal? value = r.GetProperty("value").ValueKind == JsonValueKind.Number ? r.GetProperty("value").GetDecimal() : null;
            cell.Value.ShouldBe(KpiDisplay.Short(kpi, value, Currency, Language.En), owner + " " + id);
            cell.N.ShouldStartWith("n = " + r.GetProperty("n").GetInt64().ToString("N0", CultureInfo.GetCultureInfo("en-US")), Case.Sensitive, owner + " " + id);

            // By hand: above when the whole interval is above the team's value, below when wholly below, else unmarked.
            var expected = 0;
            if (value is not null && r.TryGetProperty("ci95", out var ci) && team[id].GetProperty("value").ValueKind == JsonValueKind.Number)
            {
                var t = team[id].GetProperty("value").GetDecimal();
                expected = ci[0].GetDecimal() > t ? 1 : ci[1].GetDecimal() < t ? -1 : 0;
                cell.N.ShouldContain(KpiDisplay.Short(kpi, ci[0].GetDecimal(), Currency, Language.En) + " – " + KpiDisplay.Short(kpi, ci[1].GetDecimal(), Currency, Language.En));
            }

            cell.Mark.ShouldBe(expected, owner + " " + id);
            marks.Add(expected);
        }

        marks.Count(m => m != 0).ShouldBeGreaterThan(0, string.Join(",", marks));
        marks.ShouldContain(0);
        marks.ShouldContain(m => m != 0);
        html.ShouldContain("<tr class=\"team\"");
        html.ShouldContain("excludes the team's value");
    }

    [SkippableTheory]
    [InlineData("win_rate", true)]
    [InlineData("sales_cycle_length", false)]
    public async Task Leaderboard_sorts_by_the_column_in_the_url_the_better_end_first(string kpi, bool higherIsBetter)
    {
        var api = Json(await server.Get($"/api/v1/report?period=2026&by=owner&kpi={kpi}", HttpStatusCode.OK, "application/json"));
        var values = api.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("slice").TryGetProperty("owner", out _))
            .Select(r => (Owner: r.GetProperty("slice").GetProperty("owner").GetString()!, Value: r.GetProperty("value").ValueKind == JsonValueKind.Number ? r.GetProperty("value").GetDecimal() : (decimal?)null))
            .Where(x => x.Value is not null).ToList();
        var expected = (higherIsBetter ? values.OrderByDescending(x => x.Value) : values.OrderBy(x => x.Value)).ThenBy(x => x.Owner, StringComparer.Ordinal).Select(x => x.Owner).ToList();

        var html = WebUtility.HtmlDecode(await server.Get($"/leaderboard?period=2026&sort={kpi}", HttpStatusCode.OK));

        OwnerRows().Matches(html).Select(m => m.Groups[1].Value).Where(expected.Contains).ShouldBe(expected);
        html.ShouldContain($"data-kpi=\"{kpi}\" aria-sort=\"{(higherIsBetter ? "descending" : "ascending")}\"");
    }

    [SkippableFact]
    public async Task Leaderboard_is_for_managers_and_above_and_a_rep_neither_sees_it_nor_its_navigation_entry()
    {
        using var rep = Bearer(server.TokenFor("rita", UserRole.Rep));
        using var manager = Bearer(server.TokenFor("mark", UserRole.Manager));

        var (repBoard, repBoardBody) = await Fetch(rep, "/leaderboard?period=2026");
        var (repDiagnosis, repDiagnosisBody) = await Fetch(rep, "/diagnosis?period=2026-Q3");
        var (managerBoard, managerBody) = await Fetch(manager, "/leaderboard?period=2026");

        repBoard.ShouldBe(HttpStatusCode.Forbidden);
        WebUtility.HtmlDecode(repBoardBody).ShouldContain("This page needs the role manager or above");
        repDiagnosis.ShouldBe(HttpStatusCode.OK);
        repDiagnosisBody.ShouldNotContain("href=\"/leaderboard");
        repDiagnosisBody.ShouldContain("href=\"/diagnosis");
        managerBoard.ShouldBe(HttpStatusCode.OK);
        managerBody.ShouldContain("href=\"/leaderboard");
    }

    [SkippableFact]
    public async Task Records_xlsx_read_back_has_the_csvs_header_and_rows_with_typed_cells_and_a_frozen_header()
    {
        var csv = await server.Get("/kpi/win_rate/records.csv?period=2025", HttpStatusCode.OK, "text/csv");
        using var response = await server.Client.GetAsync(new Uri("/kpi/win_rate/records.xlsx?period=2025", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        var lines = csv.TrimStart('\uFEFF').TrimEnd('\n').Split('\n').Select(l => l.Split(',')).ToList();
        var sheet = ReadBack(bytes);
        sheet.Count.ShouldBe(lines.Count);
        lines.Count.ShouldBeGreaterThan(20);
        for (var i = 0; i < lines.Count; i++)
        {
            sheet[i].ShouldBe(lines[i], "row " + i);
        }

        Xml(bytes, "xl/worksheets/sheet1.xml").ShouldContain("state=\"frozen\"");
    }

    [SkippableFact]
    public void Records_xlsx_neutralises_text_like_the_csv_and_keeps_numbers_and_times_typed()
    {
        var ctx = new RequestContext(Language.En, DemoServer.Clock, "test", server.Db);
        var real = new ExplainService().Run(new ExplainQuery("win_rate", "2025", null, [], 0), ctx);
        var closed = new DateTime(2025, 3, 4, 12, 30, 0, DateTimeKind.Utc);
        var source = new SalesKpi.Metrics.Engine.ExplainedSource(real.Explanation.Sources[0].Title, ["deal_id", "note", "amount", "closed_at"],
            [new Dictionary<string, object?> { ["deal_id"] = "=HYPERLINK(\"http://x\")", ["note"] = "-5 off", ["amount"] = -12.5m, ["closed_at"] = closed }]);
        var answer = real with { Explanation = real.Explanation with { Sources = [source] } };

        var csv = ExplainOutput.Csv(answer, Language.En).TrimEnd('\n').Split('\n');
        var rows = MiniExcelLibs.MiniExcel.Query(new MemoryStream(ExplainOutput.Xlsx(answer, Language.En)), useHeaderRow: false)
            .Cast<IDictionary<string, object?>>().Select(r => r.Values.ToList()).ToList();

        csv[1].ShouldContain("\"'=HYPERLINK(\"\"http://x\"\")\",'-5 off,-12.5,");
        rows[1][2].ShouldBe("'=HYPERLINK(\"http://x\")");
        rows[1][3].ShouldBe("'-5 off");
        Convert.ToDecimal(rows[1][4], CultureInfo.InvariantCulture).ShouldBe(-12.5m);
        rows[1][5].ShouldBeOfType<DateTime>().ShouldBe(TimeZoneInfo.ConvertTimeFromUtc(closed, real.Zone));
    }

    private string? currency;

    private string Currency => currency ??= Json(server.Get("/api/v1/velocity?period=2026-Q3", HttpStatusCode.OK, "application/json").GetAwaiter().GetResult()).GetProperty("currency").GetString()!;

    private static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement;

    private HttpClient Bearer(string token)
    {
        var client = server.App.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(HttpStatusCode Status, string Body)> Fetch(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    // The sheet as the CSV would write it: numbers invariant, times as yyyy-MM-dd HH:mm:ss, text as is.
    private static List<string[]> ReadBack(byte[] bytes) =>
        [.. MiniExcelLibs.MiniExcel.Query(new MemoryStream(bytes), useHeaderRow: false).Cast<IDictionary<string, object?>>()
            .Select(r => r.Values.Select(v => v switch
            {
                null => string.Empty,
                DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString()!,
            }).ToArray())];

    private static string Xml(byte[] xlsx, string entry)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(xlsx));
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    private static string ContributionCell(string html, string factor) =>
        Regex.Match(html, $"<tr data-factor=\"{factor}\">.*?<td class=\"num contribution\">([^<]*)</td>").Groups[1].Value;

    private static (string Value, string N, int Mark) Cell(string html, string owner, string kpi)
    {
        var row = Regex.Match(html, "<tr data-owner=\"" + Regex.Escape(owner) + "\">(.*?)</tr>", RegexOptions.Singleline);
        row.Success.ShouldBeTrue(owner);
        var cell = Regex.Match(row.Groups[1].Value, $"<td class=\"[^\"]*\" data-kpi=\"{kpi}\" data-mark=\"(-?\\d)\"><span class=\"value\">([^<]*)</span>\\s*<br\\s*/?>\\s*<small class=\"n\">([^<]*)</small>");
        cell.Success.ShouldBeTrue(owner + " " + kpi);
        return (cell.Groups[2].Value, cell.Groups[3].Value, int.Parse(cell.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("<tr data-kpi=\"([a-z_]+)\">.*?<td class=\"num before\">([^<]*)</td>\\s*<td class=\"num after\">([^<]*)</td>.*?<td class=\"num pvalue\">(.*?)<br\\s*/?>.*?<td class=\"driver\">([^<]*)</td>\\s*<td><a class=\"drill\" href=\"([^\"]*)\"", RegexOptions.Singleline)]
    private static partial Regex FindingRow();

    [GeneratedRegex("<tr data-owner=\"([^\"]+)\">")]
    private static partial Regex OwnerRows();
}
