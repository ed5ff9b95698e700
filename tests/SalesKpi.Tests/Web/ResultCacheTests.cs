using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>The server's result cache: what makes two reads the same answer, and what makes a cached answer old.</summary>
public class ResultCacheTests(DemoServer server) : IClassFixture<DemoServer>
{
    private const string Report = "/api/v1/report?period=2026-Q3&grain=month&by=channel&kpi=leads,lead_to_sql_rate";

    private HttpClient Client => server.Client;

    [SkippableFact]
    public async Task A_repeated_report_is_a_hit_with_the_same_bytes_and_content_type()
    {
        const string path = "/api/v1/report?period=2026-Q2&grain=month&by=channel";

        var (first, firstBody, firstType) = await Get(Client, path);
        var (second, secondBody, secondType) = await Get(Client, path);

        first.ShouldBe("miss");
        second.ShouldBe("hit");
        secondBody.ShouldBe(firstBody);
        secondType.ShouldBe(firstType);
        JsonDocument.Parse(secondBody).RootElement.ValueKind.ShouldBe(JsonValueKind.Object);
    }

    [SkippableFact]
    public async Task The_order_of_query_parameters_does_not_make_another_answer()
    {
        var (first, body, _) = await Get(Client, "/api/v1/funnel?period=2026-Q1&by=channel");
        var (second, reordered, _) = await Get(Client, "/api/v1/funnel?by=channel&period=2026-Q1");

        first.ShouldBe("miss");
        second.ShouldBe("hit");
        reordered.ShouldBe(body);
    }

    [SkippableFact]
    public async Task Setting_a_target_makes_the_next_read_a_miss_with_the_new_value()
    {
        const string path = "/api/v1/targets?period=2027-Q3&kpi=leads";
        await Get(Client, path);
        var (warm, before, _) = await Get(Client, path);
        warm.ShouldBe("hit");
        before.ShouldNotContain("4321");

        using (var set = await Client.PostAsync(new Uri("/api/v1/targets?kpi=leads&period=2027-Q3&value=4321&reason=cache%20test", UriKind.Relative), null))
        {
            set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        }

        var (after, body, _) = await Get(Client, path);
        after.ShouldBe("miss");
        JsonDocument.Parse(body).RootElement.GetProperty("targets").EnumerateArray()
            .ShouldContain(t => t.GetProperty("kpi").GetString() == "leads" && t.GetProperty("value").GetDecimal() == 4321m);
    }

    [SkippableFact]
    public async Task A_rep_never_gets_the_answer_cached_for_an_admin_nor_the_admin_the_reps()
    {
        using var rep = server.App.GetTestClient();
        rep.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.TokenFor("cache-rep", UserRole.Rep));

        var (adminFirst, adminBody, _) = await Get(Client, Report);
        var (repFirst, repBody, _) = await Get(rep, Report);
        var (repSecond, repAgain, _) = await Get(rep, Report);
        var (adminSecond, adminAgain, _) = await Get(Client, Report);

        adminFirst.ShouldBe("miss");
        repFirst.ShouldBe("miss", "the rep's scope is another key than the admin's");
        repBody.ShouldNotBe(adminBody, "the rep owns no demo lead, the admin sees them all");
        repSecond.ShouldBe("hit");
        repAgain.ShouldBe(repBody);
        adminSecond.ShouldBe("hit");
        adminAgain.ShouldBe(adminBody);
    }

    [SkippableFact]
    public async Task The_language_is_part_of_the_key()
    {
        var (english, enBody, _) = await Get(Client, "/api/v1/kpis");
        var (russian, ruBody, _) = await Get(Client, "/api/v1/kpis", "ru");
        var (russianAgain, ruAgain, _) = await Get(Client, "/api/v1/kpis", "ru");

        english.ShouldBe("miss");
        russian.ShouldBe("miss");
        ruBody.ShouldNotBe(enBody);
        russianAgain.ShouldBe("hit");
        ruAgain.ShouldBe(ruBody);
    }

    [SkippableFact]
    public async Task An_answer_is_not_served_after_the_minute_it_was_computed_in()
    {
        var clock = new SteppedClock(DemoServer.Clock.GetUtcNow());
        var app = server.Start(clock);
        try
        {
            using var client = server.Authorized(app.GetTestClient());
            const string path = "/api/v1/scorecard?period=2026-Q3";
            var (first, _, _) = await Get(client, path);
            clock.Now = clock.Now.AddSeconds(59);
            var (sameMinute, _, _) = await Get(client, path);
            clock.Now = clock.Now.AddSeconds(1);
            var (nextMinute, _, _) = await Get(client, path);

            first.ShouldBe("miss");
            sameMinute.ShouldBe("hit");
            nextMinute.ShouldBe("miss", "without as_of the answer is computed at now; default periods follow today");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task With_an_explicit_as_of_an_answer_lasts_its_quarter_hour_and_one_for_a_future_as_of_is_not_kept()
    {
        var clock = new SteppedClock(DateTimeOffset.Parse("2026-11-15T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var app = server.Start(clock);
        try
        {
            using var client = server.Authorized(app.GetTestClient());
            const string past = "/api/v1/funnel?period=2026-Q3&as_of=2026-10-31";
            const string future = "/api/v1/funnel?period=2026-Q4&as_of=2026-12-31";
            var (first, _, _) = await Get(client, past);
            clock.Now = clock.Now.AddMinutes(14);
            var (sameQuarter, _, _) = await Get(client, past);
            await Get(client, future);
            var (futureAgain, _, _) = await Get(client, future);
            clock.Now = clock.Now.AddMinutes(1);
            var (nextQuarter, _, _) = await Get(client, past);

            first.ShouldBe("miss");
            sameQuarter.ShouldBe("hit");
            futureAgain.ShouldBe("miss", "an as_of after now counts up to now, which moves");
            nextQuarter.ShouldBe("miss");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Beyond_its_bound_the_least_recently_used_answer_goes_first()
    {
        var app = ApiServer.Build(new ServerOptions(server.Db, [], DemoServer.Clock) { Wait = TimeSpan.FromSeconds(5) }, b =>
        {
            b.WebHost.UseTestServer();
            b.Services.AddSingleton(sp => new ResultCache(sp.GetRequiredService<WriteGate>(), DemoServer.Clock, maxEntries: 2));
        });
        await app.StartAsync();
        try
        {
            using var client = server.Authorized(app.GetTestClient());
            await Get(client, "/api/v1/funnel?period=2026-Q1");
            await Get(client, "/api/v1/funnel?period=2026-Q2");
            (await Get(client, "/api/v1/funnel?period=2026-Q1")).Cache.ShouldBe("hit");
            await Get(client, "/api/v1/funnel?period=2026-Q3");

            app.Services.GetRequiredService<ResultCache>().Count.ShouldBe(2);
            (await Get(client, "/api/v1/funnel?period=2026-Q1")).Cache.ShouldBe("hit", "used last before Q3 came");
            (await Get(client, "/api/v1/funnel?period=2026-Q2")).Cache.ShouldBe("miss", "the least recently used of three");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task An_error_is_not_cached()
    {
        var (first, _, _) = await Get(Client, "/api/v1/report?period=2026-Q9", expect: HttpStatusCode.BadRequest);
        var (second, _, _) = await Get(Client, "/api/v1/report?period=2026-Q9", expect: HttpStatusCode.BadRequest);

        first.ShouldBe("miss");
        second.ShouldBe("miss");
    }

    private static async Task<(string Cache, string Body, string? ContentType)> Get(HttpClient client, string path, string? language = null, HttpStatusCode expect = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (language is not null)
        {
            request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expect, body);
        var cache = response.Headers.TryGetValues(ResultCache.Header, out var values) ? string.Join(",", values) : "(none)";
        return (cache, body, response.Content.Headers.ContentType?.ToString());
    }

    private sealed class SteppedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
