using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Tests.Web;

/// <summary>The read-only API over a demo workspace: the CLI's documents, per-request language, problem details.</summary>
public class ApiTests(DemoServer server) : IClassFixture<DemoServer>
{
    private HttpClient Client => server.Client;

    [SkippableFact]
    public async Task Report_json_from_the_api_equals_the_clis_report_json_for_the_same_arguments()
    {
        var cli = InProcessCli.Run(server.Dir, null, DemoServer.Clock, "report", "--period", "2026-Q2", "--grain", "month", "--by", "channel", "--kpi", "leads,win_rate", "--as-of", "2026-09-30", "--db", server.Db, "--format", "json");
        cli.Exit.ShouldBe(0, cli.Err);

        using var response = await Client.GetAsync(new Uri("/api/v1/report?period=2026-Q2&grain=month&by=channel&kpi=leads,win_rate&as_of=2026-09-30", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        body.ShouldBe(cli.Out.TrimEnd('\r', '\n'));
        JsonDocument.Parse(body).RootElement.GetProperty("results").GetArrayLength().ShouldBeGreaterThan(6);
    }

    [SkippableFact]
    public async Task Default_period_and_now_come_from_the_servers_clock()
    {
        var cli = InProcessCli.Run(server.Dir, null, DemoServer.Clock, "report", "--kpi", "leads", "--db", server.Db, "--format", "json");
        cli.Exit.ShouldBe(0, cli.Err);

        var body = await Client.GetStringAsync(new Uri("/api/v1/report?kpi=leads", UriKind.Relative));

        body.ShouldBe(cli.Out.TrimEnd('\r', '\n'));
        JsonDocument.Parse(body).RootElement.GetProperty("as_of").GetString().ShouldBe("2026-11-15T09:00:00Z");
    }

    [SkippableFact]
    public async Task A_bad_period_is_a_problem_in_russian_with_lang_ru_and_in_english_otherwise_with_its_code()
    {
        var expected = Should.Throw<SalesKpiException>(() => Period.Parse("2025-13")).Text;

        var ru = await Problem("/api/v1/report?period=2025-13&lang=ru", null, HttpStatusCode.BadRequest);
        var en = await Problem("/api/v1/report?period=2025-13", null, HttpStatusCode.BadRequest);
        var acceptRu = await Problem("/api/v1/report?period=2025-13", "ru-RU,ru;q=0.9,en;q=0.8", HttpStatusCode.BadRequest);
        var langWins = await Problem("/api/v1/report?period=2025-13&lang=en", "ru-RU", HttpStatusCode.BadRequest);

        ru.GetProperty("detail").GetString().ShouldBe(expected.Render(Language.Ru));
        ru.GetProperty("code").GetString().ShouldBe("period.unparsable");
        en.GetProperty("detail").GetString().ShouldBe(expected.Render(Language.En));
        en.GetProperty("code").GetString().ShouldBe("period.unparsable");
        en.GetProperty("status").GetInt32().ShouldBe(400);
        acceptRu.GetProperty("detail").GetString().ShouldBe(expected.Render(Language.Ru));
        langWins.GetProperty("detail").GetString().ShouldBe(expected.Render(Language.En));
    }

    [SkippableFact]
    public async Task Concurrent_requests_in_russian_and_english_each_get_their_language()
    {
        var ctx = new RequestContext(Language.En, DemoServer.Clock, "test", server.Db);
        var definition = new ExplainService().Run(new ExplainQuery("win_rate", "2026-Q2", "2026-09-30", [], 5), ctx).Explanation.Definition;

        var calls = Enumerable.Range(0, 12).Select(async i =>
        {
            var language = i % 2 == 0 ? Language.Ru : Language.En;
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/explain/win_rate?period=2026-Q2&as_of=2026-09-30&limit=5", UriKind.Relative));
            request.Headers.AcceptLanguage.ParseAdd(language == Language.Ru ? "ru" : "en");
            using var response = await Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            var root = JsonDocument.Parse(body).RootElement;
            return (language, definition: root.GetProperty("definition").GetString(), name: root.GetProperty("name").GetString());
        }).ToList();
        var answers = await Task.WhenAll(calls);

        foreach (var (language, text, name) in answers)
        {
            text.ShouldBe(definition.Render(language));
            name.ShouldBe(KpiCatalog.WinRate.NameIn(language));
        }

        definition.Render(Language.Ru).ShouldNotBe(definition.Render(Language.En));
    }

    [SkippableFact]
    public async Task Explain_lists_the_records_behind_the_value_up_to_the_limit()
    {
        var ctx = new RequestContext(Language.En, DemoServer.Clock, "test", server.Db);
        var expected = new ExplainService().Run(new ExplainQuery("win_rate", "2026-Q2", "2026-09-30", ["channel=referral"], 3), ctx);

        var root = JsonDocument.Parse(await Client.GetStringAsync(new Uri("/api/v1/explain/win_rate?period=2026-Q2&as_of=2026-09-30&slice=channel=referral&limit=3", UriKind.Relative))).RootElement;

        root.GetProperty("slice").GetProperty("channel").GetString().ShouldBe("referral");
        root.GetProperty("n").GetInt64().ShouldBe(expected.Explanation.Result!.N);
        var source = root.GetProperty("sources")[0];
        expected.Explanation.Sources[0].Rows.Count.ShouldBe(4, "3 listed plus the probe row that says more follow");
        source.GetProperty("more").GetBoolean().ShouldBeTrue();
        source.GetProperty("offset").GetInt32().ShouldBe(0);
        source.GetProperty("rows").GetArrayLength().ShouldBe(Math.Min(3, expected.Explanation.Sources[0].Rows.Count));
    }

    [SkippableFact]
    public async Task Funnel_diagnose_and_scorecard_answer_the_clis_json()
    {
        foreach (var (path, args) in new[]
        {
            ("/api/v1/funnel?period=2026-Q2&as_of=2026-09-30", new[] { "funnel", "--period", "2026-Q2", "--as-of", "2026-09-30" }),
            ("/api/v1/diagnose?period=2026-Q2&as_of=2026-09-30&compare=year", ["diagnose", "--period", "2026-Q2", "--as-of", "2026-09-30", "--compare", "year"]),
            ("/api/v1/scorecard?period=2026-Q2&as_of=2026-09-30", ["scorecard", "--period", "2026-Q2", "--as-of", "2026-09-30"]),
            ("/api/v1/survival?period=2026-Q2&as_of=2026-09-30", ["survival", "--period", "2026-Q2", "--as-of", "2026-09-30"]),
        })
        {
            // The workspace through the variable, as a server operator would: diagnose's drill commands then carry no --db.
            var cli = InProcessCli.Run(server.Dir, new Dictionary<string, string> { ["SALESKPI_DB"] = server.Db }, DemoServer.Clock, [.. args, "--format", "json"]);
            cli.Exit.ShouldBe(0, cli.Err);
            var body = await Client.GetStringAsync(new Uri(path, UriKind.Relative));
            body.ShouldBe(cli.Out.TrimEnd('\r', '\n'), path);
        }
    }

    [SkippableFact]
    public async Task A_snapshot_taken_in_english_is_served_in_the_requests_language()
    {
        var env = new Dictionary<string, string> { ["SALESKPI_DB"] = server.Db };
        var taken = InProcessCli.Run(server.Dir, env, DemoServer.Clock, "snapshot", "--period", "2026-Q2", "--as-of", "2026-09-30", "--lang", "en");
        taken.Exit.ShouldBe(0, taken.Err);
        var live = InProcessCli.Run(server.Dir, env, DemoServer.Clock, "scorecard", "--period", "2026-Q2", "--as-of", "2026-09-30", "--format", "json", "--lang", "ru");

        var body = await Client.GetStringAsync(new Uri("/api/v1/snapshots/1?lang=ru", UriKind.Relative));

        body.ShouldBe(live.Out.TrimEnd('\r', '\n'));
        using var missing = await Client.GetAsync(new Uri("/api/v1/snapshots/999", UriKind.Relative));
        ((int)missing.StatusCode).ShouldBe(404);
        JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().ShouldBe("snapshot.not_found");
    }

    [SkippableFact]
    public async Task Status_catalogue_targets_and_versions_describe_the_workspace()
    {
        var status = JsonDocument.Parse(await Client.GetStringAsync(new Uri("/api/v1/status", UriKind.Relative))).RootElement;
        status.GetProperty("time_zone").GetString().ShouldBe(DemoService.Zone);
        status.GetProperty("imports").GetArrayLength().ShouldBe(1);

        var kpis = JsonDocument.Parse(await Client.GetStringAsync(new Uri("/api/v1/kpis?lang=ru", UriKind.Relative))).RootElement.GetProperty("kpis");
        kpis.GetArrayLength().ShouldBe(KpiCatalog.All.Length);
        kpis[0].GetProperty("name").GetString().ShouldBe(KpiCatalog.All[0].NameRu);

        var ctx = new RequestContext(Language.En, DemoServer.Clock, "test", server.Db);
        var targets = JsonDocument.Parse(await Client.GetStringAsync(new Uri("/api/v1/targets", UriKind.Relative))).RootElement.GetProperty("targets");
        targets.GetArrayLength().ShouldBe(new TargetsService().List(null, null, false, ctx).Targets.Count);
        targets.GetArrayLength().ShouldBeGreaterThan(0);

        var versions = JsonDocument.Parse(await Client.GetStringAsync(new Uri("/api/v1/versions", UriKind.Relative))).RootElement.GetProperty("versions");
        versions.GetArrayLength().ShouldBe(new ConfigService().Log(ctx).Versions.Count);
    }

    [SkippableFact]
    public async Task An_unknown_route_is_a_404_problem_and_a_missing_kpi_too()
    {
        var route = await Problem("/api/v1/nothing-here?lang=ru", null, HttpStatusCode.NotFound);
        route.GetProperty("code").GetString().ShouldBe("api.not_found");
        route.GetProperty("detail").GetString()!.ShouldContain("/api/v1/nothing-here");

        var kpi = await Problem("/api/v1/explain/no_such_kpi", null, HttpStatusCode.NotFound);
        kpi.GetProperty("code").GetString().ShouldBe("kpi.unknown");

        using var post = await Client.PostAsync(new Uri("/api/v1/report", UriKind.Relative), null);
        post.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        post.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().ShouldBe("api.method_not_allowed");
    }

    [SkippableFact]
    public async Task A_query_value_of_the_wrong_type_is_a_400_problem()
    {
        var problem = await Problem("/api/v1/explain/win_rate?limit=many", null, HttpStatusCode.BadRequest);
        problem.GetProperty("code").GetString().ShouldBe("api.bad_parameter");
        problem.GetProperty("detail").GetString()!.ShouldContain("limit");
    }

    [SkippableFact]
    public async Task An_unexpected_failure_is_a_500_problem_without_its_stack_trace()
    {
        var app = server.Start(new FailingClock());
        try
        {
            using var client = server.Authorized(app.GetTestClient());
            using var response = await client.GetAsync(new Uri("/api/v1/report?lang=ru", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();

            response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var root = JsonDocument.Parse(body).RootElement;
            root.GetProperty("code").GetString().ShouldBe("api.internal");
            body.ShouldNotContain(FailingClock.Secret);
            body.ShouldNotContain("FailingClock");
            body.ShouldNotContain(" at ");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Health_readiness_openapi_and_reference_answer()
    {
        (await Client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        // The reference lives at /scalar/ (its bare path redirects there); the page loads the OpenAPI document.
        using var reference = await Client.GetAsync(new Uri("/scalar/", UriKind.Relative));
        reference.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reference.Content.ReadAsStringAsync()).ShouldContain("openapi");

        var openApi = JsonDocument.Parse(await Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
        var paths = openApi.GetProperty("paths");
        paths.TryGetProperty("/api/v1/report", out var report).ShouldBeTrue();
        report.GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ShouldBe(["period", "grain", "by", "kpi", "as_of"], ignoreOrder: true);
        paths.TryGetProperty("/api/v1/explain/{kpi}", out _).ShouldBeTrue();
    }

    private async Task<JsonElement> Problem(string path, string? acceptLanguage, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private sealed class FailingClock : TimeProvider
    {
        public const string Secret = "clock broke: internal detail";

        public override DateTimeOffset GetUtcNow() => throw new InvalidOperationException(Secret);
    }
}
