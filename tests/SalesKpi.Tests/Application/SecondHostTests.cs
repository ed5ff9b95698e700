using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Application;

/// <summary>
/// A tiny second host: the application services called directly, with no CLI in between, give the very
/// documents the CLI prints, so a web host built on them serves identical JSON.
/// </summary>
public sealed class SecondHostTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Services_called_directly_give_the_clis_report_scorecard_and_funnel_json_for_the_demo_workspace()
    {
        var demo = CliRunner.Run(dir.Path, "demo", "--leads", "2000", "--db", "d.duckdb", "--lang", "en");
        demo.Exit.ShouldBe(0, demo.Err);

        // A closed quarter judged well after it ended: the CLI process and this host read the same system clock,
        // and nothing in these documents depends on "now" once the period is over.
        string[] window = ["--period", "2026-Q2", "--as-of", "2026-09-30", "--db", "d.duckdb", "--lang", "en", "--format", "json"];
        var ctx = new RequestContext(Language.En, TimeProvider.System, "second-host", dir.File("d.duckdb"));

        var cliReport = CliRunner.Run(dir.Path, ["report", .. window]);
        cliReport.Exit.ShouldBe(0, cliReport.Err);
        var report = new ReportService().Run(new ReportQuery("2026-Q2", "2026-09-30", null, [], []), ctx);
        cliReport.Out.ShouldBe(ReportOutput.Json(report.Report, Language.En) + Environment.NewLine);
        report.Report.Results.Count.ShouldBe(18);

        var cliScorecard = CliRunner.Run(dir.Path, ["scorecard", .. window]);
        cliScorecard.Exit.ShouldBe(0, cliScorecard.Err);
        var scorecard = new ScorecardService().Run(new ScorecardQuery("2026-Q2", "2026-09-30", null), ctx);
        cliScorecard.Out.ShouldBe(ScorecardOutput.Json(scorecard.Scorecard, Language.En) + Environment.NewLine);
        scorecard.Scorecard.Rows.ShouldNotBeEmpty();

        var cliFunnel = CliRunner.Run(dir.Path, ["funnel", .. window]);
        cliFunnel.Exit.ShouldBe(0, cliFunnel.Err);
        var funnel = new FunnelService().Run(new FunnelQuery("2026-Q2", "2026-09-30", null), ctx);
        cliFunnel.Out.ShouldBe(FunnelOutput.Json(funnel.Funnel) + Environment.NewLine);
        funnel.Funnel.Steps.First().Count.ShouldBeGreaterThan(0);
    }
}
