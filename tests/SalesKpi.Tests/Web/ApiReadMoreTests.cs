using System.Net;
using System.Text;
using System.Text.Json;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Web;

/// <summary>The read endpoints added with the write API: each answers what its CLI command's service computes.</summary>
public class ApiReadMoreTests(DemoServer server) : IClassFixture<DemoServer>
{
    private HttpClient Client => server.Client;

    private RequestContext Ctx => new(Language.En, DemoServer.Clock, "test", server.Db);

    [SkippableFact]
    public async Task Velocity_gives_the_services_before_after_and_factors()
    {
        var expected = new AnalysisService().Velocity(new AnalysisWindow("2026-Q2", "2026-09-30"), yearBefore: false, Ctx).Report.Change!;

        var root = await Get("/api/v1/velocity?period=2026-Q2&as_of=2026-09-30");

        root.GetProperty("baseline").GetString().ShouldBe("2026-Q1");
        root.GetProperty("before").GetDecimal().ShouldBe(Math.Round(expected.Before, 10));
        root.GetProperty("after").GetDecimal().ShouldBe(Math.Round(expected.After, 10));
        root.GetProperty("factors").EnumerateArray().Select(f => f.GetProperty("factor").GetString()).ShouldBe(expected.Parts.Select(p => p.Factor));
    }

    [SkippableFact]
    public async Task Simulate_with_the_same_seed_repeats_and_reads_repeated_set_parameters()
    {
        var a = await Get("/api/v1/simulate?period=2026-Q2&as_of=2026-09-30&set=leads=%2B10%25&set=win_rate=%2B2pp&runs=200&seed=7");
        var b = await Get("/api/v1/simulate?period=2026-Q2&as_of=2026-09-30&set=leads=%2B10%25&set=win_rate=%2B2pp&runs=200&seed=7");

        a.GetProperty("changes").GetArrayLength().ShouldBe(2);
        a.GetProperty("next").GetString().ShouldBe("2026-Q3");
        a.GetRawText().ShouldBe(b.GetRawText());
        var expected = new AnalysisService().Simulate(new AnalysisWindow("2026-Q2", "2026-09-30"), ["leads=+10%", "win_rate=+2pp"], 200, 7, Ctx).Report;
        a.GetProperty("revenue_gain").GetProperty("median").GetDecimal().ShouldBe(Math.Round(expected.RevenueGain.Median, 10));
    }

    [SkippableFact]
    public async Task Calibrate_check_review_and_history_answer_their_services_numbers()
    {
        var calibration = new AnalysisService().Calibrate(new AnalysisWindow("2026", "2026-09-30"), Ctx).Report;
        var check = new ScorecardService().Check(new ScorecardQuery("2026-Q2", "2026-09-30", null, null), Ctx);
        var review = new KpiSystemHistoryService().Review(2, "quarter", "2026-09-30", Ctx).Review;

        (await Get("/api/v1/calibrate?period=2026&as_of=2026-09-30")).GetProperty("leads").GetInt64().ShouldBe(calibration.Leads);
        var judged = await Get("/api/v1/check?period=2026-Q2&as_of=2026-09-30");
        judged.GetProperty("exit_code").GetInt32().ShouldBe(check.ExitCode);
        judged.GetProperty("judged").GetArrayLength().ShouldBe(check.Judged.Count);
        (await Get("/api/v1/review?periods=2&as_of=2026-09-30")).GetProperty("periods").EnumerateArray().Select(p => p.GetString()).ShouldBe(review.Periods.Select(p => p.Label));
        (await Get("/api/v1/history/win_rate")).GetProperty("kpi").GetString().ShouldBe("win_rate");
    }

    [SkippableFact]
    public async Task Params_versions_diff_and_suggestions_are_read_without_changing_anything()
    {
        var versions = new ConfigService().Log(Ctx).Versions.Count;
        var expected = new ParamsService().Run("show", null, null, Ctx);

        var parameters = await Get("/api/v1/params");
        parameters.GetProperty("parameters").GetArrayLength().ShouldBe(expected.Current.Count);
        var shown = await Get("/api/v1/versions/1");
        shown.GetProperty("document").GetString().ShouldBe(new ConfigService().Show(1, Ctx).Document);
        (await Get("/api/v1/versions/current")).GetProperty("version").ValueKind.ShouldBe(JsonValueKind.Null);
        (await Get("/api/v1/versions/diff?from=1")).GetProperty("from").GetInt32().ShouldBe(1);
        var suggested = await Get("/api/v1/targets/suggest?kpi=leads&period=2027-Q1&probability=0.7");
        suggested.GetProperty("period").GetString().ShouldBe("2027-Q1");
        suggested.TryGetProperty("changed", out _).ShouldBeFalse();

        using var valid = await Client.PostAsync(new Uri("/api/v1/versions/validate", UriKind.Relative), new StringContent(new ConfigService().Show(null, Ctx).Document, Encoding.UTF8, "application/yaml"));
        JsonDocument.Parse(await valid.Content.ReadAsStringAsync()).RootElement.GetProperty("valid").GetBoolean().ShouldBeTrue();
        new ConfigService().Log(Ctx).Versions.Count.ShouldBe(versions);
    }

    [SkippableFact]
    public async Task Bad_values_are_400_problems_that_say_what_to_use()
    {
        foreach (var (path, code) in new[]
        {
            ("/api/v1/velocity?compare=decade", "api.bad_compare"),
            ("/api/v1/simulate?runs=5", "api.bad_runs"),
            ("/api/v1/review?grain=week", "api.bad_grain"),
            ("/api/v1/targets/suggest?kpi=leads&probability=2", "api.bad_probability"),
            ("/api/v1/audit?limit=0", "audit.bad_limit"),
        })
        {
            using var response = await Client.GetAsync(new Uri(path + "&lang=ru", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, path + " " + body);
            var root = JsonDocument.Parse(body).RootElement;
            root.GetProperty("code").GetString().ShouldBe(code);
            root.GetProperty("title").GetString().ShouldBe("Неверный запрос");
        }
    }

    [SkippableFact]
    public async Task A_method_an_endpoint_does_not_take_is_a_405_that_points_to_the_openapi_document()
    {
        using var response = await Client.PutAsync(new Uri("/api/v1/report", UriKind.Relative), null);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        root.GetProperty("detail").GetString()!.ShouldContain("/openapi/v1.json");
        root.GetProperty("detail").GetString()!.ShouldNotContain("only reads");
    }

    private async Task<JsonElement> Get(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, path + " " + body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
