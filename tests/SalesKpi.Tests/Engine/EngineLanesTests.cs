using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Metrics.Engine;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Engine;

/// <summary>
/// A report may compute its families side by side, each on a sibling session of the workspace. That may change the
/// time, never a result: the same values as one session computing them in turn, the same owner's rows under a scope,
/// and inside an open transaction no sibling at all, so uncommitted rows are counted as before.
/// </summary>
public class EngineLanesTests : IDisposable
{
    private static readonly DateTimeOffset AsOf = DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly TempDir dir = new();
    private readonly Lazy<Workspace> demo;

    public EngineLanesTests()
    {
        demo = new(() =>
        {
            SalesKpi.Demo.DemoGenerator.Write(dir.File("data"), new SalesKpi.Demo.DemoOptions { Leads = 1500, Seed = 5, Now = new DateTime(2026, 6, 1) });
            var ws = Ws.Create(dir);
            new Importer(ws, FixedClock.At("2026-06-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("data")] }).Rejected.ShouldBe(0);
            return ws;
        });
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("channel")]
    public void A_report_computed_side_by_side_equals_the_report_computed_on_one_session(string by)
    {
        var ws = demo.Value;
        var trace = new List<string>();

        var apart = FamilyPruningTests.Lines(new KpiEngine(ws) { Lanes = 3, WaitForLanes = true }.Run(Request(by) with { Trace = trace.Add }));
        var inTurn = FamilyPruningTests.Lines(new KpiEngine(ws) { Lanes = 1 }.Run(Request(by)));

        apart.ShouldBe(inTurn);
        apart.Count(l => !l.Contains("|value=|", StringComparison.Ordinal)).ShouldBeGreaterThan(KpiCatalog.All.Length * 6);
        // Not vacuous: families were computed on sibling sessions, and each exactly once.
        trace.ShouldContain(l => l.EndsWith(", lane 2", StringComparison.Ordinal) || l.EndsWith(", lane 3", StringComparison.Ordinal));
        trace.Where(l => l.StartsWith(Families.Leads + ":", StringComparison.Ordinal)).ShouldHaveSingleItem();
    }

    [SkippableFact]
    public void A_scoped_report_side_by_side_sees_only_the_owner_rows_on_every_lane()
    {
        var ws = demo.Value;
        var owner = (string)ws.Scalar("SELECT owner FROM leads WHERE owner IS NOT NULL GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1")!;
        using var scoped = ws.OpenSibling().ShouldNotBeNull();
        OwnerScope.Apply(scoped, owner);
        var trace = new List<string>();

        var apart = FamilyPruningTests.Lines(new KpiEngine(scoped) { Lanes = 3, WaitForLanes = true }.Run(Request("channel") with { Trace = trace.Add }));
        var inTurn = FamilyPruningTests.Lines(new KpiEngine(scoped) { Lanes = 1 }.Run(Request("channel")));
        var company = FamilyPruningTests.Lines(new KpiEngine(ws) { Lanes = 1 }.Run(Request("channel")));

        apart.ShouldBe(inTurn);
        apart.ShouldNotBe(company);
        trace.ShouldContain(l => l.Contains(", lane ", StringComparison.Ordinal) && !l.EndsWith(", lane 1", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_sibling_of_a_scoped_session_sees_the_same_owner_rows()
    {
        var ws = demo.Value;
        var owner = (string)ws.Scalar("SELECT owner FROM leads WHERE owner IS NOT NULL GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1")!;
        var all = ws.Count("SELECT count(*) FROM leads");
        var own = ws.Count($"SELECT count(*) FROM leads WHERE owner = {ws.Dialect.Parameter(1)}", owner);
        using var scoped = ws.OpenSibling().ShouldNotBeNull();
        OwnerScope.Apply(scoped, owner);

        using var sibling = scoped.OpenSibling().ShouldNotBeNull();

        sibling.Count("SELECT count(*) FROM leads").ShouldBe(own);
        sibling.Count("SELECT count(*) FROM spend").ShouldBe(0);
        scoped.Count("SELECT count(*) FROM leads").ShouldBe(own);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(all);
        own.ShouldBeLessThan(all);
        own.ShouldBeGreaterThan(0);
    }

    [SkippableFact]
    public void Inside_an_open_transaction_no_sibling_is_opened_and_uncommitted_rows_are_counted()
    {
        var ws = demo.Value;
        var march = new ReportRequest { Period = Period.Parse("2025-03"), AsOf = AsOf };
        var before = new KpiEngine(ws) { Lanes = 3 }.Run(march).Results.Single(r => r.Kpi == KpiCatalog.Leads && r.IsTotal).Value;

        using (var tx = ws.BeginTransaction())
        {
            ws.OpenSibling().ShouldBeNull();
            ws.Execute("INSERT INTO leads (lead_id, created_at, file_id, source_line) VALUES ('lane-test-lead', TIMESTAMP '2025-03-10 12:00', 0, 0)");
            var trace = new List<string>();

            var inside = new KpiEngine(ws) { Lanes = 3 }.Run(march with { Trace = trace.Add });

            inside.Results.Single(r => r.Kpi == KpiCatalog.Leads && r.IsTotal).Value.ShouldBe(before + 1);
            trace.ShouldNotContain(l => l.Contains(", lane ", StringComparison.Ordinal) && !l.EndsWith(", lane 1", StringComparison.Ordinal));
            tx.Rollback();
        }

        using var after = ws.OpenSibling();
        after.ShouldNotBeNull();
        new KpiEngine(ws) { Lanes = 3 }.Run(march).Results.Single(r => r.Kpi == KpiCatalog.Leads && r.IsTotal).Value.ShouldBe(before);
    }

    [SkippableFact]
    public void A_family_failing_on_one_lane_fails_the_report_with_its_error_instead_of_hanging()
    {
        // The failing view keeps the stored table's columns; on PostgreSQL the stored table also has workspace_id first,
        // which a replacing view may not drop. The lanes' failure path is the same code on both engines.
        Skip.If(TestEngine.Postgres, "the failing view is spelled for DuckDB's stored tables");
        var ws = demo.Value;
        var nps = ws.Dialect.StoredTable((string)ws.Scalar("SELECT current_database()")!, "nps");
        using var broken = ws.OpenSibling().ShouldNotBeNull();
        broken.ApplySession([ws.Dialect.CreateTempView(ws.Dialect.Quote("nps"), $"SELECT * FROM {nps} WHERE CAST(response_id || 'x' AS INTEGER) > 0")]);

        var run = Task.Run(() => new KpiEngine(broken) { Lanes = 3, WaitForLanes = true }.Run(Request("channel")));

        // Wait throws the report's error; a report that hung would return false after the limit, and not throw.
        var failure = Should.Throw<AggregateException>(() => run.Wait(TimeSpan.FromSeconds(120))).InnerException;
        failure.ShouldBeAssignableTo<System.Data.Common.DbException>();
        failure!.Message.ShouldContain("x");
    }

    [SkippableFact]
    public void Side_by_side_every_lane_computes_without_parallel_workers_and_the_session_gets_its_setting_back()
    {
        Skip.IfNot(TestEngine.Postgres, "parallel workers of one query are PostgreSQL's");
        var ws = demo.Value;
        var dialect = (SalesKpi.Storage.Postgres.PostgresDialect)ws.Dialect;
        using var probe = ws.OpenSibling().ShouldNotBeNull();
        var own = (string)probe.Scalar("SELECT current_setting('max_parallel_workers_per_gather')")!;
        Skip.If(own == "0", "the server gives no session parallel workers: nothing to tell apart");
        // All NPS answers are visible only to a session that computes without parallel workers; any other sees the first
        // answer alone (so that the report still finds NPS data imported).
        var columns = string.Join(", ", dialect.Columns["nps"].Select(dialect.Quote));
        var first = $"(SELECT min(response_id) FROM saleskpi.nps WHERE {dialect.WorkspacePredicate()})";
        probe.ApplySession([$"CREATE OR REPLACE TEMP VIEW nps AS SELECT {columns} FROM saleskpi.nps WHERE {dialect.WorkspacePredicate()} AND (current_setting('max_parallel_workers_per_gather') = '0' OR response_id = {first})"]);
        var trace = new List<string>();

        var apart = FamilyPruningTests.Lines(new KpiEngine(probe) { Lanes = 3, WaitForLanes = true }.Run(Request("channel") with { Trace = trace.Add }));
        var inTurn = FamilyPruningTests.Lines(new KpiEngine(probe) { Lanes = 1 }.Run(Request("channel")));
        var all = FamilyPruningTests.Lines(new KpiEngine(ws) { Lanes = 1 }.Run(Request("channel")));

        apart.Except(all).ShouldBeEmpty();
        all.Except(apart).ShouldBeEmpty();
        trace.ShouldContain(l => l.Contains(", lane ", StringComparison.Ordinal) && !l.EndsWith(", lane 1", StringComparison.Ordinal));
        // Not vacuous: in turn the session keeps its parallel workers, and then it sees no NPS answer.
        all.Except(inTurn).ShouldContain(l => l.StartsWith("nps|", StringComparison.Ordinal));
        probe.Scalar("SELECT current_setting('max_parallel_workers_per_gather')").ShouldBe(own);
    }

    [SkippableFact]
    public void A_sibling_opens_a_session_only_for_a_family_it_computes()
    {
        var ws = demo.Value;
        var callerComputed = new ManualResetEventSlim();
        var trace = new List<string>();
        var opened = 0;

        // Two families (spend, leads) on two lanes. The sibling, about to open, waits until the caller's lane has
        // computed a family: the caller then takes the other one unless the sibling holds it already. A lane that opened
        // a session there to find nothing left would be counted here and never named in the trace.
        var engine = new KpiEngine(ws)
        {
            Lanes = 2,
            OpeningSibling = () =>
            {
                Interlocked.Increment(ref opened);
                callerComputed.Wait(TimeSpan.FromSeconds(30));
            },
        };
        var report = engine.Run(Request("") with
        {
            Kpis = [KpiCatalog.CostPerLead],
            Trace = line =>
            {
                trace.Add(line);
                if (line.EndsWith(", lane 1", StringComparison.Ordinal))
                {
                    callerComputed.Set();
                }
            },
        });

        report.Results.ShouldContain(r => r.Kpi == KpiCatalog.CostPerLead && r.IsTotal && r.Value != null);
        trace.Count(l => l.Contains(" groups, ", StringComparison.Ordinal)).ShouldBe(2);
        Volatile.Read(ref opened).ShouldBe(trace.Count(l => l.EndsWith(", lane 2", StringComparison.Ordinal)));

        // A one-family report opens no sibling at all.
        var alone = new KpiEngine(ws) { Lanes = 4, OpeningSibling = () => Interlocked.Increment(ref opened) };
        var before = Volatile.Read(ref opened);
        alone.Run(Request("") with { Kpis = [KpiCatalog.Leads] });
        Volatile.Read(ref opened).ShouldBe(before);
    }

    [SkippableFact]
    public void A_family_taken_by_a_sibling_that_gets_no_session_is_computed_by_the_callers_lane()
    {
        var ws = demo.Value;
        var trace = new List<string>();

        // The siblings take their first families before the caller's lane starts (WaitForLanes), then fail to open.
        var engine = new KpiEngine(ws) { Lanes = 3, WaitForLanes = true, OpeningSibling = () => throw new TimeoutException("no connection left") };
        var run = Task.Run(() => FamilyPruningTests.Lines(engine.Run(Request("channel") with { Trace = line => trace.Add(line) })));

        // A family given back to nobody would leave the report waiting: Wait returns false after the limit.
        run.Wait(TimeSpan.FromSeconds(120)).ShouldBeTrue();
        run.Result.ShouldBe(FamilyPruningTests.Lines(new KpiEngine(ws) { Lanes = 1 }.Run(Request("channel"))));
        trace.Count(l => l.StartsWith("lane ", StringComparison.Ordinal) && l.EndsWith("(no connection left)", StringComparison.Ordinal)).ShouldBe(2);
        trace.Where(l => l.Contains(" groups, ", StringComparison.Ordinal)).ShouldAllBe(l => l.EndsWith(", lane 1", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (demo.IsValueCreated)
        {
            demo.Value.Dispose();
        }

        dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private static ReportRequest Request(string by) =>
        new() { Period = Period.Parse("2025"), Grain = Grain.Month, By = by.Length == 0 ? [] : [by], AsOf = AsOf };
}
