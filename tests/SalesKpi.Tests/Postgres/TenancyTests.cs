using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Demo;
using SalesKpi.Import;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Storage;
using SalesKpi.Storage.Postgres;

namespace SalesKpi.Tests.Postgres;

/// <summary>Many workspaces in one PostgreSQL database: what keeps each one's rows its own (docs/postgresql.md).</summary>
public sealed class TenancyTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0);

    [SkippableFact]
    public void A_session_of_one_workspace_reads_and_writes_nothing_of_another_even_through_hand_written_sql()
    {
        TestEngine.UsePostgres();
        using var a = new TempDir();
        using var b = new TempDir();
        using var wa = Ws.Create(a);
        using var wb = Ws.Create(b);
        Import(wa, a, "lead_id,created_at,channel\nA1,2025-01-01,ads\nA2,2025-01-02,ads\n");
        Import(wb, b, "lead_id,created_at,channel\nB1,2025-01-01,web\nB2,2025-01-02,web\nB3,2025-01-03,web\n");
        var idB = ((PostgresWorkspace)wb).WorkspaceId;

        wa.Count("SELECT count(*) FROM leads").ShouldBe(2);
        // The stored table itself, without any predicate: row-level security admits the session's workspace only.
        wa.Count("SELECT count(*) FROM saleskpi.leads").ShouldBe(2);
        wa.Count($"SELECT count(*) FROM saleskpi.leads WHERE workspace_id = {idB}").ShouldBe(0);
        wa.Count("SELECT count(*) FROM saleskpi.leads WHERE lead_id LIKE 'B%'").ShouldBe(0);
        wa.Execute($"UPDATE saleskpi.leads SET channel = 'changed' WHERE workspace_id = {idB}").ShouldBe(0);
        wa.Execute($"DELETE FROM saleskpi.leads WHERE workspace_id = {idB}").ShouldBe(0);
        var refused = Should.Throw<PostgresException>(() => wa.Execute(
            $"INSERT INTO saleskpi.leads (workspace_id, lead_id, created_at, file_id, source_line) VALUES ({idB}, 'X', TIMESTAMP '2025-01-01', 1, 1)"));
        refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);

        wb.Count("SELECT count(*) FROM leads").ShouldBe(3);
        wb.Count("SELECT count(*) FROM leads WHERE channel = 'changed'").ShouldBe(0);

        // A connection that names no workspace sees no workspace's rows at all.
        using var raw = new NpgsqlConnection(PostgresLocation.Parse(a.Db).ConnectionString);
        raw.Open();
        using var cmd = new NpgsqlCommand("SELECT count(*) FROM saleskpi.leads", raw);
        Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(0);
    }

    [SkippableFact]
    public void Every_scan_of_a_stored_table_by_the_import_and_the_analyses_carries_the_workspace_predicate()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        DemoGenerator.Write(dir.File("data"), new DemoOptions { Leads = 1500, Seed = 3, Now = Now });
        using var ws = Ws.Create(dir);
        var pg = (PostgresWorkspace)ws;
        var id = pg.WorkspaceId;
        var literal = new Regex($@"workspace_id = {id}\b", RegexOptions.CultureInvariant);
        List<string> unfiltered = [];
        var explained = 0;
        pg.Observer = (sql, args) =>
        {
            foreach (var query in Explainable(sql))
            {
                explained++;
                foreach (var scan in StoredScans(pg.Explain(query, args)))
                {
                    if (!literal.IsMatch(scan.Conditions))
                    {
                        unfiltered.Add($"{scan.Table}: {query[..Math.Min(query.Length, 300)]}");
                    }
                }
            }
        };

        new Importer(ws, FixedClock.At("2026-11-27T12:00:00Z")).Run(new ImportOptions { Paths = [dir.File("data")], ReportDirectory = dir.File("reports") });
        var asOf = new DateTimeOffset(Now, TimeSpan.Zero);
        new KpiEngine(ws).Run(new ReportRequest
        {
            Period = Period.Parse("2026"),
            Grain = Period.ParseGrain("quarter"),
            By = ["channel"],
            Kpis = [.. KpiCatalog.All],
            AsOf = asOf,
            Parameters = new KpiParameters(),
        });
        new FunnelEngine(ws).Run(Period.Parse("2026-Q2"), asOf, new KpiParameters(), "owner");
        new DiagnoseEngine(ws).Run(Period.Parse("2026-Q2"), Period.Parse("2026-Q1"), asOf, new KpiParameters(), string.Empty, 0.05);
        OwnerScope.Apply(ws, "Ann");
        new KpiEngine(ws).Run(new ReportRequest
        {
            Period = Period.Parse("2026-Q2"),
            By = [],
            Kpis = [.. KpiCatalog.All],
            AsOf = asOf,
            Parameters = new KpiParameters(),
        });
        pg.Observer = null;

        explained.ShouldBeGreaterThan(50);
        unfiltered.ShouldBeEmpty();
    }

    [SkippableFact]
    public void Writers_of_one_workspace_take_turns_and_writers_of_another_do_not_wait()
    {
        TestEngine.UsePostgres();
        using var a = new TempDir();
        using var b = new TempDir();
        Ws.Create(a).Dispose();
        Ws.Create(b).Dispose();
        using var first = Workspace.Open(a.Db);
        using var second = Workspace.Open(a.Db);
        using var other = Workspace.Open(b.Db);
        using (var tx = first.BeginTransaction())
        {
            var busy = Should.Throw<SalesKpiException>(() => second.BeginTransaction());
            busy.Message.ShouldContain("is being changed by another process");
            busy.Message.ShouldContain("--wait");
            using (var elsewhere = other.BeginTransaction())
            {
                elsewhere.Commit();
            }

            tx.Commit();
        }

        using var after = second.BeginTransaction();
        after.Commit();
    }

    [SkippableFact]
    public void A_missing_workspace_or_workspace_name_is_named_with_what_to_do()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        var missing = Should.Throw<SalesKpiException>(() => Workspace.Open(dir.Db + "x"));
        missing.Message.ShouldContain("There is no workspace");
        missing.Message.ShouldContain("saleskpi init --db");

        var noName = Should.Throw<SalesKpiException>(() => Workspace.Open(TestEngine.PostgresUrl!));
        noName.Message.ShouldContain("?workspace=NAME");
    }

    // The queries a statement runs, as EXPLAIN takes them: each SELECT, WITH, INSERT, UPDATE or DELETE of a batch, and
    // the query of a CREATE … AS. Schema statements (views, DROP, SET) read no stored rows.
    private static IEnumerable<string> Explainable(string sql)
    {
        foreach (var part in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var head = part.Split((char[])[' ', '\n', '\r', '\t', '('], 2)[0].ToUpperInvariant();
            if (head is "SELECT" or "WITH" or "INSERT" or "UPDATE" or "DELETE")
            {
                yield return part;
            }
            else if (head == "CREATE" && Regex.Match(part, @"^CREATE\s+(TEMP|TEMPORARY)\s+TABLE\s+\S+\s+AS\s+(?<q>.*)$", RegexOptions.Singleline | RegexOptions.IgnoreCase) is { Success: true } m)
            {
                yield return m.Groups["q"].Value;
            }
        }
    }

    private static IEnumerable<(string Table, string Conditions)> StoredScans(string planJson)
    {
        using var doc = JsonDocument.Parse(planJson);
        var stack = new Stack<JsonElement>();
        foreach (var p in doc.RootElement.EnumerateArray())
        {
            stack.Push(p.GetProperty("Plan"));
        }

        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.TryGetProperty("Schema", out var schema) && schema.GetString() == PostgresWorkspace.Schema
                && node.GetProperty("Node Type").GetString()!.Contains("Scan", StringComparison.Ordinal))
            {
                var conditions = string.Join(" ", new[] { "Filter", "Index Cond", "Recheck Cond" }
                    .Where(k => node.TryGetProperty(k, out _)).Select(k => node.GetProperty(k).GetString()));
                yield return (node.GetProperty("Relation Name").GetString()!, conditions);
            }

            if (node.TryGetProperty("Plans", out var children))
            {
                foreach (var c in children.EnumerateArray())
                {
                    stack.Push(c);
                }
            }
        }
    }

    private static void Import(Workspace ws, TempDir dir, string leads)
    {
        dir.Write("in/leads.csv", leads);
        new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("in")], ReportDirectory = dir.File("reports") })
            .Rejected.ShouldBe(0);
    }
}
