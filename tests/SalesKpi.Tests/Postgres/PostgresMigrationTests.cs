using System.Globalization;
using Npgsql;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Storage.Postgres;

namespace SalesKpi.Tests.Postgres;

/// <summary>
/// Schema migrations that change rows, not only tables, on a PostgreSQL database holding several workspaces: each
/// workspace's rows are derived from that workspace's data alone. The database is a throwaway one of its own, because
/// the migration moves the whole database's schema (the test cluster's shared database would move under the other tests).
/// </summary>
public sealed class PostgresMigrationTests
{
    [SkippableFact]
    public void Opening_a_schema_5_database_derives_each_workspaces_milestones_from_its_own_data()
    {
        WithThrowawayDatabase(url =>
        {
            CreateTwoWorkspaces(url, (a, b) =>
            {
                // Same lead ids in both workspaces, different activities and deals: a row derived from the other workspace's data would show.
                a.Execute("INSERT INTO leads (lead_id, created_at, file_id, source_line) VALUES ('L1', TIMESTAMP '2025-09-01 00:00:00', 1, 2), ('L2', TIMESTAMP '2025-09-01 00:00:00', 1, 3)");
                a.Execute("""
                    INSERT INTO activities (activity_id, occurred_at, type, lead_id, direction, file_id, source_line) VALUES
                    ('A1', TIMESTAMP '2025-09-01 01:00:00', 'call', 'L1', 'inbound', 2, 2),
                    ('A2', TIMESTAMP '2025-09-01 03:00:00', 'email', 'L1', 'outbound', 2, 3),
                    ('A3', TIMESTAMP '2025-08-31 23:00:00', 'call', 'L2', NULL, 2, 4)
                    """);
                // a's L1: opened on 2 Sep, lost; opened again on 3 Sep and won on 20 Sep.
                a.Execute("""
                    INSERT INTO deals (deal_id, created_at, status, closed_at, lead_id, file_id, source_line) VALUES
                    ('D1', TIMESTAMP '2025-09-02 00:00:00', 'lost', TIMESTAMP '2025-09-10 00:00:00', 'L1', 3, 2),
                    ('D2', TIMESTAMP '2025-09-03 00:00:00', 'won', TIMESTAMP '2025-09-20 00:00:00', 'L1', 3, 3)
                    """);
                b.Execute("INSERT INTO leads (lead_id, created_at, file_id, source_line) VALUES ('L1', TIMESTAMP '2025-10-01 00:00:00', 1, 2), ('L2', TIMESTAMP '2025-10-01 00:00:00', 1, 3)");
                b.Execute("""
                    INSERT INTO activities (activity_id, occurred_at, type, lead_id, direction, file_id, source_line) VALUES
                    ('B1', TIMESTAMP '2025-10-01 05:00:00', 'meeting', 'L2', 'outbound', 2, 2),
                    ('B2', TIMESTAMP '2025-10-02 00:00:00', 'call', 'L2', NULL, 2, 3)
                    """);
            });

            // Back to schema 5: without the first touches (6, now the milestones of 9), the digest tables and sequences (7), the claims and
            // sign-in windows (8). The per-workspace sequences are left: migration 7 creates them only when missing.
            // Pooled sessions of the two workspaces still hold their views over the tables: closed first.
            NpgsqlConnection.ClearAllPools();
            using (var conn = Connect(url))
            {
                Execute(conn, "DROP TABLE saleskpi.deal_leads, saleskpi.lead_milestones, saleskpi.digest_claims, saleskpi.sign_in_windows, saleskpi.digest_subscriptions, saleskpi.digest_deliveries");
                Execute(conn, $"DROP SEQUENCE saleskpi.{IdSequences.DigestSubscriptions}, saleskpi.{IdSequences.DigestDeliveries}");
                Execute(conn, "UPDATE saleskpi.saleskpi_schema SET version = 5");
            }

            using var again = Workspace.Open(url + "?workspace=b", WorkspaceAccess.ReadWrite, null);
            Convert.ToInt32(again.Scalar("SELECT max(version) FROM saleskpi.saleskpi_schema"), CultureInfo.InvariantCulture).ShouldBe(Migrations.Latest);
            again.Scalar("SELECT to_regclass('saleskpi.lead_first_touch') IS NULL").ShouldBe(true);
            again.Milestones().ShouldBe([("L2", new DateTime(2025, 10, 1), new DateTime(2025, 10, 1, 5, 0, 0), null, null)]);
            using var first = Workspace.Open(url + "?workspace=a", WorkspaceAccess.ReadWrite, null);
            first.Milestones().ShouldBe([("L1", new DateTime(2025, 9, 1), new DateTime(2025, 9, 1, 3, 0, 0), new DateTime(2025, 9, 2), new DateTime(2025, 9, 20))]);
        });
    }

    [SkippableFact]
    public void Opening_a_schema_9_database_puts_each_leads_own_creation_beside_its_milestones_while_an_older_process_runs()
    {
        WithThrowawayDatabase(url =>
        {
            CreateTwoWorkspaces(url, (a, b) =>
            {
                // The same lead id created on different days in the two workspaces; b also has a deal of a lead it never imported.
                a.Execute("INSERT INTO leads (lead_id, created_at, channel, file_id, source_line) VALUES ('L1', TIMESTAMP '2025-09-01 00:00:00', 'ads', 1, 2)");
                a.Execute("INSERT INTO activities (activity_id, occurred_at, type, lead_id, direction, file_id, source_line) VALUES ('A1', TIMESTAMP '2025-10-02 00:00:00', 'call', 'L1', 'outbound', 2, 2)");
                a.Execute("INSERT INTO deals (deal_id, created_at, status, lead_id, file_id, source_line) VALUES ('D1', TIMESTAMP '2025-10-03 00:00:00', 'open', 'L1', 3, 2)");
                b.Execute("INSERT INTO leads (lead_id, created_at, file_id, source_line) VALUES ('L1', TIMESTAMP '2025-10-01 00:00:00', 1, 2)");
                b.Execute("INSERT INTO activities (activity_id, occurred_at, type, lead_id, direction, file_id, source_line) VALUES ('B1', TIMESTAMP '2025-10-02 00:00:00', 'call', 'L1', 'outbound', 2, 2)");
                b.Execute("INSERT INTO deals (deal_id, created_at, status, lead_id, file_id, source_line) VALUES ('D9', TIMESTAMP '2025-10-03 00:00:00', 'open', 'L9', 3, 2)");
            });

            // Schema 9: the milestones without the lead's creation (refilled by the upgrade from each workspace's data), no deals' leads.
            NpgsqlConnection.ClearAllPools();
            using (var conn = Connect(url))
            {
                Execute(conn, "DROP TABLE saleskpi.deal_leads");
                Execute(conn, "ALTER TABLE saleskpi.lead_milestones DROP COLUMN lead_created_at");
                Execute(conn, "UPDATE saleskpi.saleskpi_schema SET version = 9");
            }

            // A process of the older version still running, its session holding a view over the table: adding a column waits for no one.
            using var old = Connect(url);
            Execute(old, "CREATE TEMP VIEW lead_milestones AS SELECT lead_id, touched_at, opportunity_at, won_at FROM saleskpi.lead_milestones");

            using var first = Workspace.Open(url + "?workspace=a", WorkspaceAccess.ReadWrite, null);
            Convert.ToInt32(first.Scalar("SELECT max(version) FROM saleskpi.saleskpi_schema"), CultureInfo.InvariantCulture).ShouldBe(Migrations.Latest);
            first.Milestones().ShouldBe([("L1", new DateTime(2025, 9, 1), new DateTime(2025, 10, 2), new DateTime(2025, 10, 3), null)]);
            first.Query("SELECT deal_id, lead_created_at, lead_channel FROM deal_leads", r => (r.GetString(0), r.GetDateTime(1), r.GetString(2))).ShouldBe([("D1", new DateTime(2025, 9, 1), "ads")]);
            using var second = Workspace.Open(url + "?workspace=b", WorkspaceAccess.ReadWrite, null);
            second.Milestones().ShouldBe([("L1", new DateTime(2025, 10, 1), new DateTime(2025, 10, 2), null, null)]);
            second.Count("SELECT count(*) FROM deal_leads").ShouldBe(0);

            // The older process's view still reads the table it was made over (its four columns).
            using var cmd = new NpgsqlCommand("SELECT count(*) FROM lead_milestones WHERE touched_at IS NOT NULL", old);
            Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture).ShouldBe(0L);
        });
    }

    [SkippableFact]
    public void An_upgrade_that_another_process_still_holds_a_table_of_says_so_and_changes_nothing()
    {
        WithThrowawayDatabase(url =>
        {
            using (var ws = Workspace.Create(url + "?workspace=a", new WorkspaceSettings("UTC", "RUB"), FixedClock.At("2026-01-01T00:00:00Z")))
            {
                ws.Execute("INSERT INTO leads (lead_id, created_at, file_id, source_line) VALUES ('L1', TIMESTAMP '2025-09-01 00:00:00', 1, 2)");
            }

            // Schema 8 as released: first touches in lead_first_touch, no milestones.
            NpgsqlConnection.ClearAllPools();
            using (var conn = Connect(url))
            {
                Execute(conn, "DROP TABLE saleskpi.lead_milestones, saleskpi.deal_leads");
                foreach (var sql in TenantSchema.Rewrite("CREATE TABLE lead_first_touch (lead_id VARCHAR NOT NULL PRIMARY KEY, t TIMESTAMP NOT NULL)"))
                {
                    Execute(conn, sql);
                }

                Execute(conn, "UPDATE saleskpi.saleskpi_schema SET version = 8");
            }

            // A process of the older version, still running: its session shadows the tables with views, as every session does.
            using (var old = Connect(url))
            {
                Execute(old, "CREATE TEMP VIEW lead_first_touch AS SELECT lead_id, t FROM saleskpi.lead_first_touch");

                var ex = Should.Throw<SalesKpiException>(() => Workspace.Open(url + "?workspace=a", WorkspaceAccess.ReadWrite, null));
                ex.Text.En().ShouldContain("schema upgrade to version 9");
                ex.Text.En().ShouldContain("stop every other saleskpi process");
                ex.Text.Ru().ShouldContain("остановите все остальные процессы saleskpi");
                using var check = Connect(url);
                using var cmd = new NpgsqlCommand("SELECT max(version), to_regclass('saleskpi.lead_milestones') IS NULL FROM saleskpi.saleskpi_schema", check);
                using var r = cmd.ExecuteReader();
                r.Read().ShouldBeTrue();
                (r.GetInt32(0), r.GetBoolean(1)).ShouldBe((8, true));
            }

            // Once that process is gone (its pooled sessions end with it) the upgrade goes through.
            NpgsqlConnection.ClearAllPools();
            using var again = Workspace.Open(url + "?workspace=a", WorkspaceAccess.ReadWrite, null);
            Convert.ToInt32(again.Scalar("SELECT max(version) FROM saleskpi.saleskpi_schema"), CultureInfo.InvariantCulture).ShouldBe(Migrations.Latest);
            again.Count("SELECT count(*) FROM lead_milestones").ShouldBe(0);
        });
    }

    // Workspaces a and b on the database, filled by the test (as an earlier version would have left them), then closed.
    private static void CreateTwoWorkspaces(string url, Action<Workspace, Workspace> fill)
    {
        var settings = new WorkspaceSettings("UTC", "RUB");
        var clock = FixedClock.At("2026-01-01T00:00:00Z");
        using var a = Workspace.Create(url + "?workspace=a", settings, clock);
        using var b = Workspace.Create(url + "?workspace=b", settings, clock);
        fill(a, b);
    }

    // Runs the test on a database of its own, dropped afterwards: a migration moves the whole database's schema, and
    // the test cluster's shared database would move under the other tests.
    private static void WithThrowawayDatabase(Action<string> test)
    {
        TestEngine.UsePostgres();
        var name = "saleskpi_m" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            Admin($"CREATE DATABASE {name}");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException("This test makes a database of its own: grant the test role CREATEDB (ALTER ROLE … CREATEDB).", ex);
        }

        try
        {
            test(DatabaseUrl(name));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Admin($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    // A plain session on the database of url (no workspace views), as an administrator or another process has.
    private static NpgsqlConnection Connect(string url)
    {
        var conn = new NpgsqlConnection(PostgresLocation.Parse(url + "?workspace=a").ConnectionString);
        conn.Open();
        return conn;
    }

    // The test cluster's URL with another database name.
    private static string DatabaseUrl(string database) => ClusterUrl().Server + database;

    // CREATE and DROP DATABASE run from the test database itself; the role needs CREATEDB (.ci/run grants it).
    private static void Admin(string sql)
    {
        using var conn = new NpgsqlConnection(PostgresLocation.Parse(DatabaseUrl(ClusterUrl().Database) + "?workspace=x").ConnectionString);
        conn.Open();
        Execute(conn, sql);
    }

    // The test URL split into the server part (up to and with the last '/') and the database name, options left out.
    private static (string Server, string Database) ClusterUrl()
    {
        var url = TestEngine.PostgresUrl!;
        var query = url.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? url : url[..query];
        var slash = path.LastIndexOf('/') + 1;
        return (path[..slash], path[slash..]);
    }

    private static void Execute(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }
}
