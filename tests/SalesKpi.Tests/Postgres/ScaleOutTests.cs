using Npgsql;
using SalesKpi.Storage.Postgres;

namespace SalesKpi.Tests.Postgres;

/// <summary>
/// What docs/scale-out.md relies on to distribute the schema by workspace_id (Citus): every key and index of a
/// workspace's table leads with workspace_id, and only the catalogue tables have none.
/// </summary>
public sealed class ScaleOutTests
{
    // The database-wide catalogue: the list of workspaces (keyed by workspace_id, but one row per workspace, not a
    // workspace's data) and the schema version. Under Citus these are reference tables.
    private static readonly string[] Catalogue = ["saleskpi_schema", "workspaces"];

    [SkippableFact]
    public void Every_table_but_the_catalogue_carries_workspace_id_under_forced_row_level_security()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        using var ws = Ws.Create(dir);
        using var conn = Connect(dir);

        var tables = Rows(conn, """
            SELECT c.relname,
                   EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped),
                   c.relrowsecurity AND c.relforcerowsecurity
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'saleskpi' AND c.relkind IN ('r', 'p')
            ORDER BY 1
            """, r => (Table: r.GetString(0), Tenant: r.GetBoolean(1), Rls: r.GetBoolean(2)));

        tables.Select(t => t.Table).ShouldContain("leads");
        tables.Select(t => t.Table).ShouldContain("activities");
        tables.Select(t => t.Table).Where(Catalogue.Contains).Order(StringComparer.Ordinal).ShouldBe(Catalogue);
        var workspaceTables = tables.Where(t => !Catalogue.Contains(t.Table)).ToList();
        workspaceTables.Count.ShouldBeGreaterThan(15);
        workspaceTables.Where(t => !t.Tenant).Select(t => t.Table).ShouldBeEmpty();
        workspaceTables.Where(t => !t.Rls).Select(t => t.Table).ShouldBeEmpty();
    }

    [SkippableFact]
    public void Every_primary_key_unique_constraint_and_index_of_a_workspace_table_starts_with_workspace_id()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        using var ws = Ws.Create(dir);
        using var conn = Connect(dir);

        // Every index, whatever made it (a primary key, a UNIQUE constraint, CREATE INDEX), with its first key column.
        var indexes = Rows(conn, """
            SELECT c.relname, i.relname, ix.indisunique, coalesce(a.attname, '(expression)')
            FROM pg_index ix
            JOIN pg_class c ON c.oid = ix.indrelid
            JOIN pg_class i ON i.oid = ix.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ix.indkey[0]
            WHERE n.nspname = 'saleskpi'
            ORDER BY 1, 2
            """, r => (Table: r.GetString(0), Index: r.GetString(1), Unique: r.GetBoolean(2), First: r.GetString(3)));
        // Constraints are checked on their own too: a key must lead with workspace_id even if its index were renamed.
        var keys = Rows(conn, """
            SELECT c.relname, k.conname, a.attname
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
            WHERE n.nspname = 'saleskpi' AND k.contype IN ('p', 'u')
            ORDER BY 1, 2
            """, r => (Table: r.GetString(0), Key: r.GetString(1), First: r.GetString(2)));

        var tenant = indexes.Where(x => !Catalogue.Contains(x.Table)).ToList();
        tenant.Count(x => x.Unique).ShouldBeGreaterThan(5);
        tenant.Select(x => x.Table).ShouldContain("leads");
        tenant.Where(x => x.First != "workspace_id").Select(x => $"{x.Table}.{x.Index} starts with {x.First}").ShouldBeEmpty();
        keys.Where(k => !Catalogue.Contains(k.Table) && k.First != "workspace_id").Select(k => $"{k.Table}.{k.Key} starts with {k.First}").ShouldBeEmpty();
        keys.Count(k => !Catalogue.Contains(k.Table)).ShouldBeGreaterThan(5);
    }

    private static NpgsqlConnection Connect(TempDir dir)
    {
        var conn = new NpgsqlConnection(PostgresLocation.Parse(dir.Db).ConnectionString);
        conn.Open();
        return conn;
    }

    private static List<T> Rows<T>(NpgsqlConnection conn, string sql, Func<NpgsqlDataReader, T> read)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        using var r = cmd.ExecuteReader();
        List<T> list = [];
        while (r.Read())
        {
            list.Add(read(r));
        }

        return list;
    }
}
