using System.Net;
using System.Text.Json;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Web;

/// <summary>Hostile values in every query parameter of every read endpoint the OpenAPI document lists.</summary>
public class InjectionTests(DemoServer server) : IClassFixture<DemoServer>
{
    private static readonly string[] Payloads =
    [
        "' OR '1'='1",
        "leads'; DROP TABLE leads; --",
        "1) UNION SELECT * FROM users --",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "\u0000",
    ];

    [SkippableFact]
    public async Task Every_query_parameter_answers_hostile_values_with_a_problem_or_an_empty_match_and_changes_nothing()
    {
        var ctx = new RequestContext(Language.En, DemoServer.Clock, "test", server.Db);
        var before = JsonSerializer.Serialize(new StatusService().Run(0, ctx).Entities);
        var document = JsonDocument.Parse(await server.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
        var calls = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var get) || !get.TryGetProperty("parameters", out var parameters))
            {
                continue;
            }

            var route = path.Name.Replace("{kpi}", "win_rate", StringComparison.Ordinal).Replace("{id}", "1", StringComparison.Ordinal)
                .Replace("{version}", "1", StringComparison.Ordinal).Replace("{upload}", "x", StringComparison.Ordinal);
            foreach (var parameter in parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query"))
            {
                var name = parameter.GetProperty("name").GetString()!;
                foreach (var payload in Payloads)
                {
                    using var response = await server.Client.GetAsync(new Uri($"{route}?{name}={Uri.EscapeDataString(payload)}", UriKind.Relative));
                    var body = await response.Content.ReadAsStringAsync();
                    var what = $"GET {route}?{name}={payload}";
                    ((int)response.StatusCode).ShouldBeOneOf([200, 400, 404], what + ": " + body);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", what);
                        JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldNotBeNullOrEmpty(what);
                    }

                    else
                    {
                        // Echoed input is only ever data inside JSON, never markup a browser would run.
                        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json", what);
                    }

                    calls++;
                }
            }
        }

        calls.ShouldBeGreaterThan(200);
        JsonSerializer.Serialize(new StatusService().Run(0, ctx).Entities).ShouldBe(before);
    }
}
