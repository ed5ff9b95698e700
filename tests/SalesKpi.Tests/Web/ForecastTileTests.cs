using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SalesKpi.Tests.Web;

public partial class ForecastTileTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableFact]
    public async Task The_scorecard_pages_forecast_tile_shows_the_expected_revenue_of_forecast_json()
    {
        var html = await server.Get("/?period=2026-Q4", HttpStatusCode.OK);
        var cli = InProcessCli.Run(Path.GetTempPath(), null, DemoServer.Clock, "forecast", "--db", server.Db, "--period", "2026-Q4", "--format", "json");
        cli.Exit.ShouldBe(0, cli.Err);

        using var json = JsonDocument.Parse(cli.Out);
        var expected = json.RootElement.GetProperty("total").GetProperty("expected_revenue").GetDecimal();
        expected.ShouldBeGreaterThan(0m);
        var shown = decimal.Parse(Expected().Match(html).Groups[1].Value, CultureInfo.InvariantCulture);
        shown.ShouldBe(expected);
    }

    [GeneratedRegex("data-expected-revenue=\"([^\"]+)\"")]
    private static partial Regex Expected();
}
