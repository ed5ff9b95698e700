using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SalesKpi.Tests.Metrics;

namespace SalesKpi.Tests.Cli;

/// <summary>The KPI-system commands as a user runs them: files, versions, targets, scorecard, check, snapshots, review.</summary>
public sealed class KpiSystemCliTests : IDisposable
{
    private const string AsOf = "2025-12-31";
    private readonly TempDir dir = new();

    public KpiSystemCliTests()
    {
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        // 2025-Q3: 3 leads; deals closed 1 won of 4 (win rate 25 %). 2025-Q2: 1 won of 2.
        dir.Write("data/leads.csv", "lead_id,created_at,channel\nL1,2025-07-01,ads\nL2,2025-08-02,ads\nL3,2025-09-03,referral\n");
        dir.Write("data/deals.csv", "deal_id,created_at,status,closed_at,amount,owner\nD1,2025-07-01,won,2025-08-01,100,Ann\nD2,2025-07-01,lost,2025-08-01,,Ann\nD3,2025-07-01,lost,2025-08-01,,Bob\nD4,2025-07-01,lost,2025-09-01,,Bob\nD5,2025-04-01,won,2025-05-01,100,Ann\nD6,2025-04-01,lost,2025-05-01,,Bob\n");
        InProcessCli.Run(dir.Path, "import", "data").Exit.ShouldBe(0);
    }

    public void Dispose() => dir.Dispose();

    private CliRunner.Result Run(params string[] args) => InProcessCli.Run(dir.Path, args);

    private string ConfigFile => dir.File("saleskpi.kpi-system.yaml");

    [Fact]
    public void Init_writes_the_commented_kpi_system_beside_the_workspace_and_applies_it_as_version_1()
    {
        File.ReadAllText(ConfigFile).ShouldContain("# SalesKpi — KPI system");
        var log = Run("config", "log");
        log.Exit.ShouldBe(0, log.Err);
        log.Out.ShouldContain("init");
        Run("config", "validate").Out.ShouldContain("is valid: 4 goals, 20 active KPIs (2 custom)");
    }

    [Fact]
    public void An_invalid_file_lists_every_error_and_changes_nothing()
    {
        dir.Write("bad.yaml", "goals:\n  - id: Bad Id\n    title: x\n    kpis: [win_rat]\nparameters:\n  response_sla_hours: fast\n");
        var v = Run("config", "validate", "bad.yaml");
        v.Exit.ShouldBe(1);
        v.Err.ShouldContain("bad.yaml:2:9: KS105");
        v.Err.ShouldContain("bad.yaml:4:12: KS110 unknown KPI 'win_rat'");
        v.Err.ShouldContain("bad.yaml:6:23: KS120");
        v.Out.ShouldContain("3 error(s)");

        var apply = Run("config", "apply", "bad.yaml", "--reason", "try");
        apply.Exit.ShouldBe(1);
        apply.Err.ShouldContain("nothing was changed");
        Run("config", "show").Out.ShouldContain("response_sla_hours: \"1\"");
    }

    [Fact]
    public void A_yaml_syntax_error_in_the_init_file_is_located_and_explained_in_both_languages()
    {
        dir.Write("bad.yaml", File.ReadAllText(ConfigFile).Replace("weight: 2 }", "weight: 2", StringComparison.Ordinal));
        foreach (var args in new[] { new[] { "config", "validate", "bad.yaml" }, ["config", "apply", "bad.yaml", "--reason", "try"] })
        {
            var en = Run(args);
            en.Exit.ShouldBe(1);
            en.Err.ShouldNotContain("Unexpected error");
            en.Err.ShouldContain("bad.yaml:20:9: KS100 this '{' is not closed: add the matching '}'");

            var ru = Run([.. args, "--lang", "ru"]);
            ru.Exit.ShouldBe(1);
            ru.Err.ShouldNotContain("Непредвиденная ошибка");
            ru.Err.ShouldContain("bad.yaml:20:9: KS100 эта «{» не закрыта");
        }

        Run("config", "log").Out.ShouldNotContain("try");
    }

    [Fact]
    public void A_typed_target_out_of_range_is_reported_against_the_input_with_advice_matching_it()
    {
        var en = Run("targets", "set", "win_rate", "2025-Q4", "30");
        en.Exit.ShouldBe(1);
        en.Err.ShouldContain("targets set: KS140 value 30 is out of range for win_rate, a proportion from 0 to 1: write 0.3 or 30%.");
        en.Err.ShouldNotContain("version ");

        var ru = Run("targets", "set", "win_rate", "2025-Q4", "30", "--lang", "ru");
        ru.Err.ShouldContain("targets set: KS140 значение 30 вне диапазона для win_rate — доли от 0 до 1: пишите 0.3 или 30%.");

        Run("targets", "set", "win_rate", "2025-Q4", "30%").Exit.ShouldBe(0);
        Run("targets", "list").Out.ShouldContain("30");
    }

    [Fact]
    public void Apply_stores_a_version_with_author_reason_and_a_readable_diff()
    {
        File.WriteAllText(ConfigFile, File.ReadAllText(ConfigFile).Replace("response_sla_hours: 1", "response_sla_hours: 0.5", StringComparison.Ordinal));
        var apply = Run("config", "apply", "--reason", "faster SLA", "--author", "ann", "--effective", "2025-07-01");
        apply.Exit.ShouldBe(0, apply.Err);
        apply.Out.ShouldContain("Version 2 stored, effective from 2025-07-01: faster SLA");
        apply.Out.ShouldContain("- " + "  response_sla_hours: \"1\"");
        apply.Out.ShouldContain("+ " + "  response_sla_hours: \"0.5\"");

        Run("config", "apply", "--reason", "again").Out.ShouldContain("No change");
        Run("scorecard", "--period", "2025-Q3").Err.ShouldBeEmpty();
        File.WriteAllText(ConfigFile, File.ReadAllText(ConfigFile).Replace("quality_threshold: 60", "quality_threshold: 70", StringComparison.Ordinal));
        Run("scorecard", "--period", "2025-Q3").Err.ShouldContain("changes not applied yet; results use version 2");
        var log = Run("config", "log").Out;
        log.ShouldContain("faster SLA");
        log.ShouldContain("ann");
        Run("config", "diff", "1", "2").Out.ShouldContain("+   response_sla_hours: \"0.5\"");
        Run("params").Out.ShouldContain("0.5");
        Run("config", "apply").Err.ShouldContain("--reason");
    }

    [Fact]
    public void A_file_without_targets_keeps_the_stored_targets_of_kpis_still_active()
    {
        Run("targets", "set", "win_rate", "2025-Q3", "0.3").Exit.ShouldBe(0);
        Run("targets", "set", "nps", "2025-Q3", "20").Exit.ShouldBe(0);
        dir.Write("narrow.yaml", "kpis:\n  active: [win_rate, leads]\n");
        var apply = Run("config", "apply", "narrow.yaml", "--reason", "focus");
        apply.Exit.ShouldBe(0, apply.Err);
        apply.Out.ShouldContain("1 target(s) of nps dropped");
        var shown = Run("config", "show").Out;
        shown.ShouldContain("{ kpi: win_rate, period: \"2025-Q3\", value: 0.3, tolerance: 5 }");
        shown.ShouldNotContain("kpi: nps");
        Run("config", "show", "--config-version", "3").Out.ShouldContain("kpi: nps");
    }

    [Fact]
    public void Targets_are_set_listed_and_imported_all_or_nothing()
    {
        var set = Run("targets", "set", "win_rate", "2025-Q3", "30%", "--tolerance", "10");
        set.Exit.ShouldBe(0, set.Err);
        set.Out.ShouldContain("Version 2 stored");
        Run("targets", "list", "--no-check").Out.ShouldContain("30.0 %");
        Run("targets", "set", "win_rate", "2025-W30", "0.3").Err.ShouldContain("not a month, quarter or year");
        Run("targets", "set", "win_rate", "2025-Q3", "130%").Err.ShouldContain("targets set: KS140 value 1.3 is out of range for win_rate, a proportion from 0 to 1: write 0.25 or 25%.");

        dir.Write("targets.csv", "kpi,period,value,tolerance,owner\nwin_rate,2025-Q3,0.5,,Ann\nleads,2025-13,-10,,\nwin_rat,2025-Q3,1,200,\n");
        var bad = Run("targets", "import", "targets.csv");
        bad.Exit.ShouldBe(1);
        bad.Err.ShouldContain("targets.csv:3:2: KS113 '2025-13' is not a period");
        bad.Err.ShouldContain("targets.csv:3:3: KS140 a target for leads cannot be negative");
        bad.Err.ShouldContain("targets.csv:4:1: KS110 unknown KPI 'win_rat'");
        bad.Err.ShouldContain("targets.csv:4:4: KS140 tolerance is a percentage from 0 to 100, not 200");
        Run("config", "log").Out.ShouldNotContain("targets import");

        dir.Write("targets.csv", "kpi,period,value,tolerance,owner\nwin_rate,2025-Q3,0.5,,Ann\nleads,2025-Q3,3,20,\n");
        var good = Run("targets", "import", "targets.csv");
        good.Exit.ShouldBe(0, good.Err);
        var list = Run("targets", "list", "--period", "2025-Q3", "--no-check").Out;
        list.ShouldContain("owner=Ann");
        list.ShouldContain("20 %");

        Run("targets", "remove", "win_rate", "2025-Q3", "--slice", "owner=Ann").Exit.ShouldBe(0);
        Run("targets", "list", "--period", "2025-Q3", "--no-check").Out.ShouldNotContain("owner=Ann");
        Run("targets", "remove", "win_rate", "2025-Q3", "--slice", "owner=Ann").Err.ShouldContain("no target for win_rate in 2025-Q3");
    }

    [Fact]
    public void Scorecard_json_follows_the_documented_contract()
    {
        Run("targets", "set", "win_rate", "2025-Q3", "0.3", "--tolerance", "10").Exit.ShouldBe(0);
        var r = Run("scorecard", "--period", "2025-Q3", "--as-of", AsOf, "--format", "json");
        r.Exit.ShouldBe(0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        root.GetProperty("period").GetString().ShouldBe("2025-Q3");
        root.GetProperty("config_version").GetInt32().ShouldBe(2);
        root.GetProperty("elapsed").GetDecimal().ShouldBe(1m);
        root.GetProperty("summary").GetProperty("off_track").GetInt32().ShouldBe(1);
        root.GetProperty("summary").GetProperty("worst").GetString().ShouldBe("off_track");
        var win = root.GetProperty("kpis").EnumerateArray().Single(k => k.GetProperty("kpi").GetString() == "win_rate");
        win.GetProperty("value").GetDecimal().ShouldBe(0.25m);
        win.GetProperty("target").GetDecimal().ShouldBe(0.3m);
        win.GetProperty("status").GetString().ShouldBe("off_track"); // 0.25 < 0.3 − 0.03
        win.GetProperty("unit").GetString().ShouldBe("ratio");
        var prev = win.GetProperty("vs_previous");
        prev.GetProperty("period").GetString().ShouldBe("2025-Q2");
        prev.GetProperty("value").GetDecimal().ShouldBe(0.5m);
        prev.GetProperty("delta").GetDecimal().ShouldBe(-0.25m);
        // A handful of closed deals per quarter: below the proportion test's minimum, so not tested, with the reason.
        prev.GetProperty("significant").ValueKind.ShouldBe(JsonValueKind.Null);
        prev.GetProperty("not_tested").GetString().ShouldNotBeNull().ShouldStartWith("too few to test");
        root.GetProperty("goals").GetArrayLength().ShouldBe(4);

        var csv = Run("scorecard", "--period", "2025-Q3", "--as-of", AsOf, "--format", "csv").Out.Split('\n');
        csv[0].ShouldStartWith("period,kpi,slice,value,n,projected,target,tolerance,status");
        csv.ShouldContain(l => l.StartsWith("2025-Q3,win_rate,,0.25,4,,0.3,10,off_track,0.5,-0.25,", StringComparison.Ordinal));
        Run("scorecard", "--period", "2025-Q3", "--as-of", AsOf, "--by", "owner").Out.ShouldContain("owner=Bob");
    }

    [Fact]
    public void Custom_kpis_can_be_reported_and_explained_like_catalogue_ones()
    {
        dir.Write("custom.yaml", """
            kpis:
              custom:
                - { id: ann_win_rate, title: { en: "Ann's win rate", ru: "Коэффициент Анны" }, kpi: win_rate, filter: { owner: Ann } }
                - { id: wins_per_lead, title: Wins per lead, ratio: { numerator: win_rate, denominator: leads }, unit: multiple, direction: higher }
            """);
        Run("config", "apply", "custom.yaml", "--reason", "custom").Exit.ShouldBe(0);
        var r = Run("report", "--period", "2025-Q3", "--kpi", "win_rate,ann_win_rate,wins_per_lead", "--as-of", AsOf, "--format", "json");
        r.Exit.ShouldBe(0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        results.Select(x => x.GetProperty("kpi").GetString()).ShouldBe(["win_rate", "ann_win_rate", "wins_per_lead"]);
        results[1].GetProperty("value").GetDecimal().ShouldBe(0.5m); // D1 won, D2 lost
        results[2].GetProperty("value").GetDecimal().ShouldBe(0.25m / 3, 1e-9m);

        var e = Run("explain", "ann_win_rate", "--period", "2025-Q3", "--as-of", AsOf);
        e.Exit.ShouldBe(0, e.Err);
        e.Out.ShouldContain("ann_win_rate is win_rate for owner=Ann");
        e.Out.ShouldContain("1 ÷ 2");
        Run("explain", "wins_per_lead", "--period", "2025-Q3").Err.ShouldContain("explain each of them");
    }

    [Theory]
    [InlineData("0.25", 0)]
    [InlineData("0.27", 1)]
    [InlineData("0.5", 2)]
    public void Check_exits_0_on_track_1_at_risk_2_off_track(string target, int exit)
    {
        Run("targets", "set", "win_rate", "2025-Q3", target, "--tolerance", "10").Exit.ShouldBe(0);
        var r = Run("check", "--period", "2025-Q3", "--as-of", AsOf);
        r.Exit.ShouldBe(exit, r.Out + r.Err);
        r.Out.ShouldContain("win_rate");
    }

    [Fact]
    public void Check_judges_slice_targets_too()
    {
        // Ann: 1 won of 2 in 2025-Q3 (50 %); Bob: 0 of 2.
        Run("targets", "set", "win_rate", "2025-Q3", "0.25").Exit.ShouldBe(0);
        Run("targets", "set", "win_rate", "2025-Q3", "0.4", "--slice", "owner=Ann").Exit.ShouldBe(0);
        Run("check", "--period", "2025-Q3", "--as-of", AsOf).Exit.ShouldBe(0);
        Run("targets", "set", "win_rate", "2025-Q3", "0.2", "--slice", "owner=Bob").Exit.ShouldBe(0);
        var r = Run("check", "--period", "2025-Q3", "--as-of", AsOf);
        r.Exit.ShouldBe(2, r.Out);
        r.Out.ShouldContain("owner=Bob");
    }

    [Fact]
    public void Check_exits_3_on_error()
    {
        Run("check", "--period", "someday").Exit.ShouldBe(3);
        InProcessCli.Run(dir.Path, "check", "--db", dir.File("missing.duckdb")).Exit.ShouldBe(3);
    }

    [Fact]
    public async Task Check_posts_the_results_to_a_webhook_retrying_a_failed_attempt()
    {
        Run("targets", "set", "win_rate", "2025-Q3", "0.25").Exit.ShouldBe(0);
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        var bodies = new List<string>();
        var serve = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                var ctx = await listener.GetContextAsync();
                using (var reader = new StreamReader(ctx.Request.InputStream))
                {
                    bodies.Add(await reader.ReadToEndAsync());
                }

                ctx.Response.StatusCode = i == 0 ? 503 : 200;
                ctx.Response.Close();
            }
        });

        var r = Run("check", "--period", "2025-Q3", "--as-of", AsOf, "--notify", $"http://127.0.0.1:{port}/hook/");
        await serve.WaitAsync(TimeSpan.FromSeconds(30));
        r.Exit.ShouldBe(0, r.Err);
        r.Out.ShouldContain("Results sent");
        bodies.Count.ShouldBe(2);
        using var doc = JsonDocument.Parse(bodies[1]);
        doc.RootElement.GetProperty("summary").GetProperty("on_track").GetInt32().ShouldBe(1);

        var down = Run("check", "--period", "2025-Q3", "--as-of", AsOf, "--notify", $"http://127.0.0.1:{FreePort()}/", "--retries", "1");
        down.Exit.ShouldBe(3);
        down.Err.ShouldContain("notification");
    }

    [Fact]
    public void Snapshots_keep_the_reported_values_and_history_shows_them()
    {
        Run("targets", "set", "leads", "2025-Q3", "3").Exit.ShouldBe(0);
        Run("snapshot", "--period", "2025-Q3", "--as-of", AsOf).Out.ShouldContain("Snapshot 1 stored");
        Run("snapshot", "--period", "2025-Q2", "--as-of", AsOf).Exit.ShouldBe(0);
        dir.Write("more/leads.csv", "lead_id,created_at\nL9,2025-09-20\n");
        Run("import", "more").Exit.ShouldBe(0);
        var h = Run("history", "leads");
        h.Exit.ShouldBe(0, h.Err);
        h.Out.ShouldContain("2025-Q2");
        h.Out.ShouldContain("on track"); // 3 leads as reported, though 4 are there now
        h.Out.ShouldContain("▁█"); // 0 leads in Q2, 3 in Q3
        Run("history", "win_rate", "--by", "owner").Out.ShouldContain("No stored values");
    }

    [Fact]
    public void The_demo_workspace_runs_the_whole_kpi_system()
    {
        var demo = Run("demo", "--leads", "4000");
        demo.Exit.ShouldBe(0, demo.Err);
        demo.Out.ShouldContain("targets suggested from history");
        var db = new[] { "--db", "saleskpi-demo.duckdb" };
        var sc = Run([.. new[] { "scorecard", "--format", "json" }, .. db]);
        sc.Exit.ShouldBe(0, sc.Err);
        using var doc = JsonDocument.Parse(sc.Out);
        doc.RootElement.GetProperty("config_version").GetInt32().ShouldBe(2);
        doc.RootElement.GetProperty("kpis").EnumerateArray().Count(k => k.GetProperty("target").ValueKind == JsonValueKind.Number).ShouldBeGreaterThan(10);
        doc.RootElement.GetProperty("goals").EnumerateArray().ShouldContain(g => g.GetProperty("attainment").ValueKind == JsonValueKind.Number);
        Run([.. new[] { "check" }, .. db]).Exit.ShouldBeInRange(0, 2);
        var review = Run([.. new[] { "review" }, .. db]);
        review.Exit.ShouldBe(0, review.Err);
        review.Out.ShouldContain("Active KPIs linked to no goal");
        var suggest = Run([.. new[] { "targets", "suggest", "win_rate", "--by", "owner", "--apply" }, .. db]);
        suggest.Exit.ShouldBe(0, suggest.Err);
        suggest.Out.ShouldContain("Version 3 stored");
        suggest.Out.ShouldContain("Иванов Иван");
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
