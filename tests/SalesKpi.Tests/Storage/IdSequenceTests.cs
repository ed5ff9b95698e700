using DuckDB.NET.Data;
using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;
using SalesKpi.Storage.DuckDb;

namespace SalesKpi.Tests.Storage;

/// <summary>Internal ids come from sequences (migration 3), on new workspaces and on ones made at schema 2.</summary>
public class IdSequenceTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [SkippableFact]
    public void A_workspace_made_at_schema_2_is_migrated_and_its_sequences_start_after_the_stored_ids()
    {
        Skip.If(TestEngine.Postgres, "a DuckDB file of schema 2; PostgreSQL workspaces start at schema 7");
        CreateAtSchema2(dir.Db);

        using (var ws = Workspace.Open(dir.Db))
        {
            ws.SchemaVersion.ShouldBe(Migrations.Latest);
            ws.Count("SELECT CAST(value AS BIGINT) FROM saleskpi_meta WHERE key = 'schema_version'").ShouldBe(Migrations.Latest);

            // Stored at schema 2: imports 1 and 4, files up to 9, snapshot 2.
            ws.NextId(IdSequences.Imports).ShouldBe(5);
            ws.NextId(IdSequences.ImportFiles).ShouldBe(10);
            ws.NextId(IdSequences.Snapshots).ShouldBe(3);
        }

        // The import log of the old workspace is kept, and the next import continues after it.
        using var again = Workspace.Open(dir.Db);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\n");
        var r = new Importer(again, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.csv")] });
        r.ImportId.ShouldBe(6);
        r.Files.Single().FileId.ShouldBe(11);
        again.Count("SELECT count(*) FROM imports").ShouldBe(3);
    }

    [SkippableFact]
    public void A_rolled_back_import_does_not_give_its_ids_to_the_next_one()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,not-a-date\n");
        var strict = new Importer(ws, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.csv")], Strict = true });
        ws.Count("SELECT count(*) FROM imports").ShouldBe(0);

        // max(import_id) + 1 would hand out the rolled-back import's id again, and with it its report-file names.
        var next = new Importer(ws, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.csv")] });
        next.ImportId.ShouldBeGreaterThan(strict.ImportId);
        next.Files.Single().FileId.ShouldNotBe(strict.Files.Single().FileId);
        ws.Count("SELECT count(*) FROM imports").ShouldBe(1);
    }

    [SkippableFact]
    public void A_new_workspace_has_its_sequences_at_one()
    {
        using var ws = Ws.Create(dir);
        ws.NextId(IdSequences.Imports).ShouldBe(1);
        ws.NextId(IdSequences.ImportFiles).ShouldBe(1);
        ws.NextId(IdSequences.Snapshots).ShouldBe(1);
        ws.NextId(IdSequences.Snapshots).ShouldBe(2);
    }

    /// <summary>A workspace as a build of schema 2 left it: migrations 1 and 2, meta, and some logged ids.</summary>
    private static void CreateAtSchema2(string path)
    {
        using var conn = new DuckDBConnection("Data Source=" + path);
        conn.Open();
        var context = new MigrationContext(DuckDbDialect.Instance, sql => Run(conn, sql, scalar: true));
        foreach (var m in Migrations.All.Where(m => m.Version <= 2))
        {
            foreach (var sql in m.Statements(context))
            {
                Run(conn, sql);
            }
        }

        foreach (var sql in new[]
        {
            "INSERT INTO saleskpi_meta VALUES ('app', 'saleskpi'), ('schema_version', '2'), ('timezone', 'UTC'), ('currency', 'RUB')",
            "INSERT INTO imports VALUES (1, TIMESTAMP '2025-01-01', TIMESTAMP '2025-01-01', false, 1, 1, 0), (4, TIMESTAMP '2025-02-01', TIMESTAMP '2025-02-01', false, 1, 1, 0)",
            "INSERT INTO import_files VALUES (3, 1, 'a.csv', 'leads', 1, 1, 0, 0, NULL, NULL), (9, 4, 'b.csv', 'leads', 1, 1, 0, 0, NULL, NULL)",
            "INSERT INTO kpi_snapshots VALUES (2, TIMESTAMP '2025-03-01', '2025-Q1', DATE '2025-01-01', TIMESTAMP '2025-03-01', NULL, '', '', '{}')",
        })
        {
            Run(conn, sql);
        }
    }

    private static object? Run(DuckDBConnection conn, string sql, bool scalar = false)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return scalar ? cmd.ExecuteScalar() : cmd.ExecuteNonQuery();
    }
}
