using DuckDB.NET.Data;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Storage;

public sealed class WorkspaceTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Init_stores_settings_that_a_later_open_reads()
    {
        using (var ws = Workspace.Create(dir.Db, new WorkspaceSettings("Europe/Moscow", "usd"), FixedClock.At("2026-01-01T00:00:00Z")))
        {
            ws.Settings.Currency.ShouldBe("USD");
        }

        using var again = Workspace.Open(dir.Db);
        again.Settings.ShouldBe(new WorkspaceSettings("Europe/Moscow", "USD"));
        again.SchemaVersion.ShouldBe(Migrations.Latest);
        again.Count("SELECT count(*) FROM leads").ShouldBe(0);
    }

    [Fact]
    public void Init_refuses_an_existing_file_and_bad_settings()
    {
        File.WriteAllText(dir.Db, "x");
        Should.Throw<SalesKpiException>(() => Ws.Create(dir)).Message.ShouldContain("already exists");
        Should.Throw<SalesKpiException>(() => Workspace.Create(dir.File("a.duckdb"), new WorkspaceSettings("Mars/Olympus", "RUB"), TimeProvider.System))
            .Message.ShouldContain("Unknown time zone 'Mars/Olympus'");
        Should.Throw<SalesKpiException>(() => Workspace.Create(dir.File("b.duckdb"), new WorkspaceSettings("UTC", "RUBL"), TimeProvider.System))
            .Message.ShouldContain("three-letter ISO 4217");
        File.Exists(dir.File("a.duckdb")).ShouldBeFalse();
    }

    [Fact]
    public void Opening_a_missing_file_says_how_to_create_one()
    {
        Should.Throw<SalesKpiException>(() => Workspace.Open(dir.Db)).Message.ShouldContain("saleskpi init");
    }

    [Fact]
    public void Opening_a_file_that_is_not_duckdb_is_a_clear_error()
    {
        File.WriteAllText(dir.Db, "lead_id,created_at\n");
        Should.Throw<SalesKpiException>(() => Workspace.Open(dir.Db)).Message.ShouldContain("not a DuckDB database file");
    }

    [Fact]
    public void Opening_a_foreign_duckdb_database_is_a_clear_error()
    {
        using (var conn = new DuckDBConnection("Data Source=" + dir.Db))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE t (x INTEGER)";
            cmd.ExecuteNonQuery();
        }

        Should.Throw<SalesKpiException>(() => Workspace.Open(dir.Db)).Message.ShouldContain("not a SalesKpi workspace");
    }

    [Fact]
    public void Opening_a_workspace_of_a_newer_schema_asks_to_upgrade()
    {
        using (var ws = Ws.Create(dir))
        {
            ws.Execute("UPDATE saleskpi_meta SET value = '999' WHERE key = 'schema_version'");
        }

        var ex = Should.Throw<SalesKpiException>(() => Workspace.Open(dir.Db));
        ex.Message.ShouldContain("newer SalesKpi (schema 999");
        ex.Message.ShouldContain("upgrade");
    }

    [Fact]
    public void Migrations_are_numbered_from_one_without_gaps()
    {
        Migrations.All.Select(m => m.Version).ShouldBe(Enumerable.Range(1, Migrations.All.Length));
    }
}

public sealed class BulkWriterTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_value_of_the_wrong_width_throws_instead_of_corrupting_memory()
    {
        using var ws = Ws.Create(dir);
        ws.Execute("CREATE TABLE t (a INTEGER, b BIGINT)");
        using (var writer = ws.CreateBulkWriter("t"))
        {
            Should.Throw<InvalidOperationException>(() => writer.Add(5L)).Message.ShouldContain("is BigInt, the column takes Integer");
        }

        using (var writer = ws.CreateBulkWriter("t"))
        {
            writer.Add(5);
            writer.Add((long?)null);
            writer.EndRow();
            writer.Add(6);
            Should.Throw<InvalidOperationException>(writer.EndRow).Message.ShouldContain("has 1 values");
            writer.Add(7L);
            writer.EndRow();
        }

        ws.Count("SELECT sum(a) FROM t").ShouldBe(11);
        ws.Count("SELECT count(b) FROM t").ShouldBe(1);
    }

    [Fact]
    public void Temporary_tables_take_bulk_writes_too()
    {
        using var ws = Ws.Create(dir);
        ws.Execute("CREATE TEMP TABLE tt (s VARCHAR, d DATE, m DECIMAL(18,4))");
        using (var writer = ws.CreateBulkWriter("tt", temporary: true))
        {
            writer.Add("Привет");
            writer.Add(new DateOnly(2025, 2, 28));
            writer.Add(12.3456m);
            writer.EndRow();
        }

        ws.Scalar("SELECT s || ' ' || strftime(d, '%Y-%m-%d') || ' ' || m FROM tt").ShouldBe("Привет 2025-02-28 12.3456");
    }
}
