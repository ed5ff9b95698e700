using System.Globalization;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Demo;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Application;

/// <summary>
/// A demo workspace with several owners, and beside it a workspace built by importing only one owner's rows (filtered
/// CSV files, by the rules of docs/server.md): what a scoped call computes on the first must equal what an unscoped
/// call computes on the second.
/// </summary>
public sealed class ScopeFixture : IDisposable
{
    private static readonly DateTimeOffset NowUtc = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);

    public ScopeFixture()
    {
        var demo = Dir.File("demo");
        DemoGenerator.Write(demo, new DemoOptions { Leads = 1500, Seed = 11, Now = NowUtc.UtcDateTime });
        Full = Dir.File("full.duckdb");
        Workspace.Create(Full, new WorkspaceSettings("UTC", "RUB"), Clock).Dispose();
        Import(Full, Directory.GetFiles(demo, "*.csv"));

        string othersLead;
        using (var ws = Workspace.Open(Full, WorkspaceAccess.ReadOnly, null))
        {
            var owners = ws.Query("SELECT owner FROM leads WHERE owner IS NOT NULL GROUP BY owner ORDER BY count(*) DESC, owner", r => r.GetString(0)).ToList();
            Owner = owners[0];
            Other = owners[1];
            othersLead = (string)ws.Scalar($"SELECT min(lead_id) FROM leads WHERE owner = '{Other}' AND channel IS NOT NULL AND created_at < TIMESTAMP '2025-10-01'")!;
        }

        // A deal of the owner on a lead of another owner: the owner sees the deal but not its lead, so not its channel.
        var extra = Dir.File("extra");
        Directory.CreateDirectory(extra);
        File.WriteAllText(Path.Combine(extra, "deals.csv"), $"deal_id,created_at,status,closed_at,amount,lead_id,owner\nDX1,2025-10-05,won,2025-11-20,1000,{othersLead},{Owner}\n");
        Import(Full, Directory.GetFiles(extra, "*.csv"));

        using (var ws = Workspace.Open(Full, WorkspaceAccess.ReadOnly, null))
        {
            OwnerLeads = ws.Count($"SELECT count(*) FROM leads WHERE owner = '{Owner}'");
            var filtered = Dir.File("filtered");
            Directory.CreateDirectory(filtered);
            var deals = $"SELECT deal_id FROM deals WHERE owner = '{Owner}'";
            var customers = $"SELECT customer_id FROM deals WHERE owner = '{Owner}' AND customer_id IS NOT NULL";
            var rules = new Dictionary<string, string>
            {
                ["leads"] = $"owner = '{Owner}'",
                ["deals"] = $"owner = '{Owner}'",
                ["deal_stages"] = $"deal_id IN ({deals})",
                ["activities"] = $"owner = '{Owner}' OR (owner IS NULL AND (deal_id IN ({deals}) OR lead_id IN (SELECT lead_id FROM leads WHERE owner = '{Owner}')))",
                ["customers"] = $"customer_id IN ({customers})",
                ["revenue"] = $"customer_id IN ({customers})",
                ["nps"] = $"customer_id IN ({customers})",
            };
            foreach (var (entity, rule) in rules)
            {
                var columns = string.Join(", ", EntityCatalog.All.Single(e => e.Name == entity).Columns.Select(c => c.Name));
                ws.WriteCsv($"SELECT {columns} FROM {entity} WHERE {rule}", Path.Combine(filtered, entity + ".csv"));
            }

            Only = Dir.File("only.duckdb");
            Workspace.Create(Only, new WorkspaceSettings("UTC", "RUB"), Clock).Dispose();
            Import(Only, Directory.GetFiles(filtered, "*.csv"));
        }
    }

    public static FixedClock Clock { get; } = new(NowUtc);

    public TempDir Dir { get; } = new();

    public string Full { get; }

    public string Only { get; }

    public string Owner { get; }

    public string Other { get; }

    public long OwnerLeads { get; }

    public RequestContext Scoped(bool companyTotals = false) => new(Language.En, Clock, "rep", Full) { Scope = new DataScope(Owner, companyTotals) };

    public static RequestContext Whole(string path) => new(Language.En, Clock, "head", path);

    public void Dispose() => Dir.Dispose();

    private static void Import(string db, IReadOnlyList<string> files)
    {
        using var job = new ImportService().Prepare(new ImportRequest(files, null, false, false), new RequestContext(Language.En, Clock, "t", db));
        var report = job.Run(null, CancellationToken.None);
        report.ShouldNotBeNull();
    }
}

/// <summary>A caller scoped to one owner computes every figure on that owner's data and can reach no other owner's rows.</summary>
public sealed class ScopeTests(ScopeFixture f) : IClassFixture<ScopeFixture>
{
    private static readonly string[] SpendKpis = ["cost_per_lead", "customer_acquisition_cost", "ltv_to_cac"];

    private static readonly string[] OwnedKpis = [.. KpiCatalog.All.Select(k => k.Id).Except(SpendKpis)];

    [Fact]
    public void The_owner_only_workspace_holds_exactly_the_owners_leads()
    {
        // Guards the comparisons below: they would pass trivially on two empty workspaces.
        using var ws = Workspace.Open(f.Only, WorkspaceAccess.ReadOnly, null);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(f.OwnerLeads);
        f.OwnerLeads.ShouldBeGreaterThan(50);
        ws.Count("SELECT count(*) FROM deals WHERE status = 'won'").ShouldBeGreaterThan(5);
        ws.Count("SELECT count(*) FROM customers").ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_deal_of_the_owner_on_another_owners_lead_has_that_leads_channel_only_unscoped()
    {
        // Guards the comparison by channel below: the one deal whose scoped view of its lead differs.
        using var whole = Workspace.Open(f.Full, WorkspaceAccess.ReadOnly, null);
        whole.Count("SELECT count(*) FROM deal_leads WHERE deal_id = 'DX1' AND lead_channel IS NOT NULL").ShouldBe(1);
        OwnerScope.Apply(whole, f.Owner);
        whole.Count("SELECT count(*) FROM deals WHERE deal_id = 'DX1'").ShouldBe(1);
        whole.Count("SELECT count(*) FROM deal_leads WHERE deal_id = 'DX1'").ShouldBe(0);
    }

    [Theory]
    [InlineData("2025", "quarter")]
    [InlineData("2025-Q4", "month")]
    [InlineData("2025-Q4", "month", "channel")]
    public void Scoped_report_equals_the_report_of_a_workspace_holding_only_the_owners_rows(string period, string grain, string? by = null)
    {
        // By channel, a deal takes the channel of its lead only when the owner sees that lead too.
        var query = new ReportQuery(period, null, grain, by is null ? [] : [by], OwnedKpis);
        var scoped = new ReportService().Run(query, f.Scoped()).Report;
        var only = new ReportService().Run(query, ScopeFixture.Whole(f.Only)).Report;
        var whole = new ReportService().Run(query, ScopeFixture.Whole(f.Full)).Report;

        ReportOutput.Json(scoped, Language.En).ShouldBe(ReportOutput.Json(only, Language.En));
        ReportOutput.Json(scoped, Language.En).ShouldNotBe(ReportOutput.Json(whole, Language.En));
    }

    [Fact]
    public void Scoped_forecast_equals_the_forecast_of_a_workspace_holding_only_the_owners_rows()
    {
        var window = new AnalysisWindow("2026-Q1", null);
        var request = new ForecastRequest(Runs: 300, Seed: 3);
        string Json(RequestContext ctx) => ForecastOutput.Json(new ForecastService().Forecast(window, request, ctx).Report, "RUB", Language.En);

        Json(f.Scoped()).ShouldBe(Json(ScopeFixture.Whole(f.Only)));
        Json(f.Scoped()).ShouldNotBe(Json(ScopeFixture.Whole(f.Full)));
    }

    [Fact]
    public void Spend_based_kpis_are_not_computed_for_one_owner_and_say_why()
    {
        var scoped = new ReportService().Run(new ReportQuery("2025", null, null, [], SpendKpis), f.Scoped()).Report;
        scoped.Results.Count.ShouldBe(3);
        scoped.Results.ShouldAllBe(r => r.Value == null && r.Reason!.Code == "scope.spend_not_owned");
        new ReportService().Run(new ReportQuery("2025", null, null, [], ["cost_per_lead"]), ScopeFixture.Whole(f.Full)).Report.Results.Single().Value.ShouldNotBeNull();
    }

    [Fact]
    public void Slices_by_owner_show_only_the_owner()
    {
        var report = new ReportService().Run(new ReportQuery("2025", null, null, ["owner"], ["leads", "win_rate"]), f.Scoped()).Report;
        var slices = report.Results.Where(r => !r.IsTotal).Select(r => r.Slice["owner"]).Distinct().ToList();
        slices.ShouldBe([f.Owner]);

        var funnel = new FunnelService().Run(new FunnelQuery("2025", null, "owner"), f.Scoped()).Funnel;
        funnel.Slices.Keys.ShouldBe([f.Owner]);
        funnel.Stalled.ShouldAllBe(d => d.Owner == f.Owner);
    }

    [Fact]
    public void Explain_lists_the_same_records_as_the_owner_only_workspace_and_none_of_another_owner()
    {
        foreach (var kpi in OwnedKpis)
        {
            var query = new ExplainQuery(kpi, "2025-Q3", null, [], 0);
            var scoped = new ExplainService().Run(query, f.Scoped()).Explanation;
            var only = new ExplainService().Run(query, ScopeFixture.Whole(f.Only)).Explanation;
            Records(scoped).ShouldBe(Records(only), kpi);
            scoped.Result?.Value.ShouldBe(only.Result?.Value, kpi);
            scoped.Sources.SelectMany(s => s.Rows).Where(r => r.ContainsKey("owner")).ShouldAllBe(r => Equals(r["owner"], f.Owner), kpi);
        }

        // A record list that would have been non-empty on the whole workspace: the test can fail.
        Records(new ExplainService().Run(new ExplainQuery("win_rate", "2025-Q3", null, [], 0), f.Scoped()).Explanation).ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("win_rate")]
    [InlineData("leads")]
    [InlineData("average_deal_size")]
    public void Explain_of_another_owners_slice_lists_nothing(string kpi)
    {
        var slice = new[] { "owner=" + f.Other };
        var whole = new ExplainService().Run(new ExplainQuery(kpi, "2025", null, slice, 0), ScopeFixture.Whole(f.Full)).Explanation;
        var scoped = new ExplainService().Run(new ExplainQuery(kpi, "2025", null, slice, 0), f.Scoped()).Explanation;

        whole.Sources.SelectMany(s => s.Rows).ShouldNotBeEmpty();
        scoped.Sources.SelectMany(s => s.Rows).ShouldBeEmpty();
        scoped.Result?.Value.ShouldBeNull();
    }

    [Fact]
    public void No_parameter_reaches_another_owners_rows()
    {
        // as-of far ahead, every grain, every dimension: every slice the scoped report shows is the owner's or has no owner dimension.
        foreach (var by in KpiCatalog.All.SelectMany(k => k.Dimensions).Distinct())
        {
            var report = new ReportService().Run(new ReportQuery("2024", "2026-01-10", "month", [by, "owner"], ["leads", "win_rate", "retention_rate"]), f.Scoped()).Report;
            report.Results.Where(r => r.Slice.ContainsKey("owner")).ShouldAllBe(r => r.Slice["owner"] == f.Owner || r.Slice["owner"] == "(none)", by);
        }

        // A slice value that is SQL stays a value.
        var injected = new ExplainService().Run(new ExplainQuery("leads", "2025", null, ["owner=x' OR '1'='1"], 0), f.Scoped()).Explanation;
        injected.Sources.SelectMany(s => s.Rows).ShouldBeEmpty();
    }

    [Fact]
    public void Funnel_diagnose_survival_and_scorecard_are_those_of_the_owner_only_workspace()
    {
        FunnelOutput.Json(new FunnelService().Run(new FunnelQuery("2025", null, "channel"), f.Scoped()).Funnel)
            .ShouldBe(FunnelOutput.Json(new FunnelService().Run(new FunnelQuery("2025", null, "channel"), ScopeFixture.Whole(f.Only)).Funnel));

        // The same findings; only the reason a spend KPI was not tested differs: the scope, not missing data.
        var window = new AnalysisWindow("2025-Q4", null);
        var scoped = new AnalysisService().Diagnose(window, false, 0.05, "", f.Scoped()).Report;
        var only = new AnalysisService().Diagnose(window, false, 0.05, "", ScopeFixture.Whole(f.Only)).Report;
        DiagnoseOutput.Json(scoped with { NotTested = [] }, Language.En).ShouldBe(DiagnoseOutput.Json(only with { NotTested = [] }, Language.En));
        scoped.NotTested.Select(n => n.Kpi).ShouldBe(only.NotTested.Select(n => n.Kpi));
        scoped.NotTested.Single(n => n.Kpi == "cost_per_lead").Reason.Code.ShouldBe("scope.spend_not_owned");
        var spend = new[] { "cost_per_lead", "customer_acquisition_cost", "ltv_to_cac" };
        scoped.NotTested.Where(n => !spend.Contains(n.Kpi)).Select(n => n.Reason.Code)
            .ShouldBe(only.NotTested.Where(n => !spend.Contains(n.Kpi)).Select(n => n.Reason.Code));

        var survival = new AnalysisService().Survival(new AnalysisWindow("2025", null), f.Scoped()).Report;
        SurvivalOutput.Json(survival).ShouldBe(SurvivalOutput.Json(new AnalysisService().Survival(new AnalysisWindow("2025", null), ScopeFixture.Whole(f.Only)).Report));
        SurvivalOutput.Json(survival).ShouldNotBe(SurvivalOutput.Json(new AnalysisService().Survival(new AnalysisWindow("2025", null), ScopeFixture.Whole(f.Full)).Report));

        var card = new ScorecardQuery("2025-Q4", null, null, "owner");
        var scopedCard = new ScorecardService().Run(card, f.Scoped()).Scorecard;
        var onlyCard = new ScorecardService().Run(card, ScopeFixture.Whole(f.Only)).Scorecard;
        scopedCard.Rows.Where(r => !SpendKpis.Contains(r.Kpi.Def.Id)).Select(Row).ShouldBe(onlyCard.Rows.Where(r => !SpendKpis.Contains(r.Kpi.Def.Id)).Select(Row));
        scopedCard.Rows.Where(r => SpendKpis.Contains(r.Kpi.Def.Id)).ShouldAllBe(r => r.Result.Reason!.Code == "scope.spend_not_owned");
        scopedCard.Rows.Where(r => r.Result.Slice.ContainsKey("owner")).ShouldAllBe(r => r.Result.Slice["owner"] == f.Owner);
        scopedCard.Rows.ShouldContain(r => r.Result.Slice.ContainsKey("owner"));
    }

    [Fact]
    public void Velocity_calibrate_simulate_and_target_suggestions_are_those_of_the_owner_only_workspace()
    {
        var analyses = new AnalysisService();
        var window = new AnalysisWindow("2025-Q4", null);
        var (scopedVelocity, onlyVelocity) = (analyses.Velocity(window, false, f.Scoped()).Report.Change, analyses.Velocity(window, false, ScopeFixture.Whole(f.Only)).Report.Change);
        (scopedVelocity?.Before, scopedVelocity?.After).ShouldBe((onlyVelocity?.Before, onlyVelocity?.After));

        var year = new AnalysisWindow("2025", null);
        var (scopedCalibration, onlyCalibration) = (analyses.Calibrate(year, f.Scoped()).Report, analyses.Calibrate(year, ScopeFixture.Whole(f.Only)).Report);
        (scopedCalibration.Leads, scopedCalibration.TopToBottom).ShouldBe((onlyCalibration.Leads, onlyCalibration.TopToBottom));
        scopedCalibration.Leads.ShouldBeLessThan(analyses.Calibrate(year, ScopeFixture.Whole(f.Full)).Report.Leads);

        var scopedSimulation = analyses.Simulate(window, ["win_rate=+10%"], 200, 1, f.Scoped()).Report;
        var onlySimulation = analyses.Simulate(window, ["win_rate=+10%"], 200, 1, ScopeFixture.Whole(f.Only)).Report;
        (scopedSimulation.BaselineWon, scopedSimulation.ScenarioRevenue).ShouldBe((onlySimulation.BaselineWon, onlySimulation.ScenarioRevenue));

        var suggest = new SuggestTargetsRequest("leads", "2026-Q1", "owner", 0.5, 10m, false, new ChangeNote(null, null));
        static string Suggestions(TargetsSuggested s) => string.Join(";", s.Suggestions.Select(x => string.Join(",", x.Slice.Select(kv => kv.Key + "=" + kv.Value)) + ":" + Convert.ToString(x.Value, CultureInfo.InvariantCulture)));
        var scopedSuggestions = new TargetsService().Suggest(suggest, f.Scoped());
        Suggestions(scopedSuggestions).ShouldBe(Suggestions(new TargetsService().Suggest(suggest, ScopeFixture.Whole(f.Only))));
        scopedSuggestions.Suggestions.Where(x => x.Slice.ContainsKey("owner")).ShouldAllBe(x => x.Slice["owner"] == f.Owner);
    }

    [Fact]
    public void Status_counts_the_owners_rows_and_leaves_out_the_company_import_log()
    {
        var scoped = new StatusService().Run(5, f.Scoped());
        var only = new StatusService().Run(5, ScopeFixture.Whole(f.Only));
        scoped.Entities.Select(e => (e.Entity.Name, e.Rows)).ShouldBe(only.Entities.Select(e => (e.Entity.Name, e.Rows)));
        scoped.Imports.ShouldBeEmpty();
        new StatusService().Run(5, ScopeFixture.Whole(f.Full)).Imports.ShouldNotBeEmpty();
    }

    [Fact]
    public void A_scoped_caller_cannot_change_the_workspace()
    {
        var set = Should.Throw<SalesKpiException>(() => new TargetsService().Set(new SetTargetRequest("win_rate", "2026-Q1", "0.5", [], 10m, new ChangeNote(null, null)), f.Scoped(companyTotals: true)));
        set.Text.Code.ShouldBe("scope.read_only");
        Should.Throw<SalesKpiException>(() => new ScorecardService().Snapshot(new ScorecardQuery("2025-Q4", null, null), f.Scoped(companyTotals: true)))
            .Text.Code.ShouldBe("scope.read_only");
    }

    private static List<string> Records(SalesKpi.Metrics.Engine.Explanation e) =>
        [.. e.Sources.SelectMany(s => s.Rows.Select(r => s.Title.Code + ": " + string.Join("|", r.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Convert.ToString(kv.Value, CultureInfo.InvariantCulture)))))];

    private static string Row(SalesKpi.Metrics.KpiSystem.ScorecardRow r) =>
        string.Join(",", r.Result.Slice.Select(kv => kv.Key + "=" + kv.Value)) + ":" + r.Kpi.Def.Id + "=" + Convert.ToString(r.Result.Value, CultureInfo.InvariantCulture) + " n=" + r.Result.N.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Two owners, one of them with a quote in the name, and hand-computed figures; company totals off and on.</summary>
public sealed class CompanyTotalsTests : IDisposable
{
    private static readonly FixedClock Clock = FixedClock.At("2026-01-15T09:00:00Z");
    private readonly TempDir dir = new();

    public CompanyTotalsTests()
    {
        Workspace.Create(dir.Db, new WorkspaceSettings("UTC", "RUB"), Clock).Dispose();
        var files = new[]
        {
            dir.Write("leads.csv", "lead_id,created_at,channel,owner\nL1,2025-02-01,ads,O'Brien\nL2,2025-02-02,ads,O'Brien\nL3,2025-02-03,ads,Ann\nL4,2025-02-04,referral,Ann\nL5,2025-02-05,referral,Ann\n"),
            dir.Write("deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id,customer_id,owner\nD1,2025-02-10,won,2025-03-01,100,L1,C1,O'Brien\nD2,2025-02-11,lost,2025-03-02,,L2,,O'Brien\nD3,2025-02-12,won,2025-03-03,300,L3,C2,Ann\nD4,2025-02-13,won,2025-03-04,500,L4,C3,Ann\n"),
            dir.Write("customers.csv", "customer_id,acquired_at\nC1,2025-03-01\nC2,2025-03-03\nC3,2025-03-04\n"),
            dir.Write("spend.csv", "date,amount,channel\n2025-02-01,1000,ads\n"),
        };
        using var job = new ImportService().Prepare(new ImportRequest(files, null, true, false), Ctx(null));
        job.Run(null, CancellationToken.None);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_scoped_report_counts_only_the_owners_leads_and_deals()
    {
        // O'Brien: 2 leads; deals closed in Q1: D1 won (100), D2 lost → win rate 1/2, average deal 100.
        var r = Values(new ReportService().Run(Query(), Ctx(new DataScope("O'Brien", false))).Report);
        r["leads"].ShouldBe(2m);
        r["win_rate"].ShouldBe(0.5m);
        r["average_deal_size"].ShouldBe(100m);
        r["cost_per_lead"].ShouldBeNull();

        // Ann: 3 leads; D3 and D4 won → 1, average (300 + 500) / 2.
        var ann = Values(new ReportService().Run(Query(), Ctx(new DataScope("Ann", false))).Report);
        ann["leads"].ShouldBe(3m);
        ann["win_rate"].ShouldBe(1m);
        ann["average_deal_size"].ShouldBe(400m);
    }

    [Fact]
    public void Company_figures_are_refused_without_company_totals_and_are_totals_only_with_them()
    {
        var company = Query() with { Company = true };
        Should.Throw<SalesKpiException>(() => new ReportService().Run(company, Ctx(new DataScope("O'Brien", false))))
            .Text.Code.ShouldBe("scope.no_company_totals");

        // With company totals: 5 leads, 3 of 4 closed deals won, average (100 + 300 + 500) / 3, CPL 1000 / 5 — the whole company.
        var r = Values(new ReportService().Run(company, Ctx(new DataScope("O'Brien", true))).Report);
        r["leads"].ShouldBe(5m);
        r["win_rate"].ShouldBe(0.75m);
        r["average_deal_size"].ShouldBe(300m);
        r["cost_per_lead"].ShouldBe(200m);

        // Totals only: a slice of the company report could be another owner's figure.
        Should.Throw<SalesKpiException>(() => new ReportService().Run(company with { By = ["owner"] }, Ctx(new DataScope("O'Brien", true))))
            .Text.Code.ShouldBe("scope.company_totals_only");

        // Without the flag the same caller still sees its own figures.
        Values(new ReportService().Run(Query(), Ctx(new DataScope("O'Brien", true))).Report)["leads"].ShouldBe(2m);
    }

    [Fact]
    public void Stored_snapshots_need_company_totals_and_are_read_as_totals_only()
    {
        var (total, _, _) = new ScorecardService().Snapshot(new ScorecardQuery("2025-Q1", null, null), Ctx(null));
        var (sliced, _, _) = new ScorecardService().Snapshot(new ScorecardQuery("2025-Q1", null, null, "owner"), Ctx(null));
        var history = new KpiSystemHistoryService();

        Should.Throw<SalesKpiException>(() => history.History("leads", null, Ctx(new DataScope("Ann", false)))).Text.Code.ShouldBe("scope.no_company_totals");
        Should.Throw<SalesKpiException>(() => history.Snapshot(total, Ctx(new DataScope("Ann", false)))).Text.Code.ShouldBe("scope.no_company_totals");

        history.History("leads", null, Ctx(new DataScope("Ann", true))).Values.Select(v => v.Value).ShouldBe([5m]);
        history.Snapshot(total, Ctx(new DataScope("Ann", true))).ShouldNotBeEmpty();
        Should.Throw<SalesKpiException>(() => history.History("leads", "owner", Ctx(new DataScope("Ann", true)))).Text.Code.ShouldBe("scope.snapshot_slices");
        Should.Throw<SalesKpiException>(() => history.Snapshot(sliced, Ctx(new DataScope("Ann", true)))).Text.Code.ShouldBe("scope.snapshot_slices");
    }

    [Fact]
    public void Scoped_status_counts_the_owners_rows_and_no_spend()
    {
        var status = new StatusService().Run(5, Ctx(new DataScope("O'Brien", false)));
        var rows = status.Entities.ToDictionary(e => e.Entity.Name, e => e.Rows);
        rows["leads"].ShouldBe(2);
        rows["deals"].ShouldBe(2);
        rows["customers"].ShouldBe(1);
        rows["spend"].ShouldBe(0);
        status.Imports.ShouldBeEmpty();
    }

    [Fact]
    public void A_scoped_import_is_refused_and_changes_nothing()
    {
        var more = dir.Write("more/leads.csv", "lead_id,created_at,owner\nL9,2025-02-09,O'Brien\n");
        Should.Throw<SalesKpiException>(() => new ImportService().Prepare(new ImportRequest([more], null, false, false), Ctx(new DataScope("O'Brien", true))))
            .Text.Code.ShouldBe("scope.read_only");
        Values(new ReportService().Run(Query(), Ctx(null)).Report)["leads"].ShouldBe(5m);
    }

    private static ReportQuery Query() => new("2025-Q1", null, null, [], ["leads", "win_rate", "average_deal_size", "cost_per_lead"]);

    private static Dictionary<string, decimal?> Values(SalesKpi.Metrics.Engine.KpiReport report) =>
        report.Results.Where(r => r.IsTotal).ToDictionary(r => r.Kpi.Id, r => r.Value);

    private RequestContext Ctx(DataScope? scope) => new(Language.En, Clock, "t", dir.Db) { Scope = scope };
}
