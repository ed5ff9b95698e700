using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using SalesKpi.Core;

namespace SalesKpi.Storage.Postgres;

/// <summary>
/// A workspace inside a PostgreSQL database: the PostgreSQL provider of <see cref="Workspace"/>. One database holds any
/// number of workspaces in the schema <see cref="Schema"/>; every stored table carries <c>workspace_id</c>. Opening a
/// workspace sets the session's workspace (row-level security admits only its rows) and shadows every stored table by
/// a session view of the same name restricted to the workspace, so the engine's SQL — the same text DuckDB runs — sees
/// one workspace only. Readers never block writers (MVCC); imports into one workspace are serialised by an advisory lock.
/// </summary>
internal sealed class PostgresWorkspace : Workspace
{
    /// <summary>The schema holding SalesKpi's tables in a PostgreSQL database.</summary>
    public const string Schema = "saleskpi";

    // Advisory-lock keys of workspace writers: this base plus the workspace id (the schema lock uses a 32-bit hash).
    private const long WriterLockBase = 0x5A1E_0000_0000;

    private readonly NpgsqlConnection connection;
    private readonly PostgresDialect dialect;
    private WorkspaceWait? wait;

    // The stored tables bulk writes went to since the bulk-load scope began: analysed when it ends.
    private readonly Dictionary<string, long> written = new(StringComparer.Ordinal);

    private readonly PostgresLocation location;

    private PostgresWorkspace(PostgresLocation location, NpgsqlConnection connection, PostgresDialect dialect, WorkspaceSettings settings, WorkspaceAccess access)
        : base(location.Display, settings, access)
    {
        this.location = location;
        this.connection = connection;
        this.dialect = dialect;
    }

    /// <summary>
    /// A second session of the same workspace: another connection with this one's workspace setting, views and JIT
    /// setting. Read-only, so it never becomes the workspace's writer; nothing is migrated or looked up again.
    /// </summary>
    protected override Workspace? OpenSiblingCore()
    {
        var conn = Connect(location);
        try
        {
            ShadowTables(conn, dialect, replace: false);
            return new PostgresWorkspace(location, conn, dialect, Settings, WorkspaceAccess.ReadOnly);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override ISqlDialect Dialect => dialect;

    /// <summary>Creates the workspace <paramref name="location"/> names, creating SalesKpi's schema in the database first if it has none.</summary>
    public static PostgresWorkspace Create(PostgresLocation location, WorkspaceSettings settings, TimeProvider clock)
    {
        _ = settings.Zone;
        var normalized = settings with { Currency = WorkspaceSettings.NormalizeCurrency(settings.Currency) };
        var conn = Connect(location);
        try
        {
            Migrate(conn, location, create: true);
            long id;
            using (var tx = conn.BeginTransaction())
            {
                if (FindWorkspace(conn, location.Workspace) is not null)
                {
                    throw new SalesKpiException(Msg.Of(
                        "workspace.pg_exists",
                        "The workspace {0} already exists in this database: choose another name or use it as it is.",
                        "Рабочая область {0} в этой базе уже есть: выберите другое имя или работайте с ней.",
                        location.Display));
                }

                id = Convert.ToInt64(Scalar(conn, $"INSERT INTO {Schema}.workspaces (name, created_at) VALUES ($1, $2) RETURNING workspace_id",
                    location.Workspace, clock.GetUtcNow().UtcDateTime), CultureInfo.InvariantCulture);
                // Each workspace counts its own ids (imports, files, snapshots…) from 1, like a workspace file does.
                foreach (var sequence in TemplateSequences(conn))
                {
                    Execute(conn, WorkspaceSequence(sequence, id));
                }

                var ws = Attach(conn, location, id, normalized, WorkspaceAccess.ReadWrite);
                ws.WriteSetting("app", AppMarker);
                ws.WriteSetting("timezone", normalized.TimeZone);
                ws.WriteSetting("currency", normalized.Currency);
                ws.WriteSetting("created_at", clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture));
                tx.Commit();
                return ws;
            }
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>Opens the workspace <paramref name="location"/> names, migrating the database's schema when it is older.</summary>
    public static PostgresWorkspace Open(PostgresLocation location, WorkspaceAccess access, WorkspaceWait? wait = null)
    {
        var conn = Connect(location);
        try
        {
            Migrate(conn, location, create: false);
            var id = FindWorkspace(conn, location.Workspace) ?? throw new SalesKpiException(Msg.Of(
                "workspace.pg_missing",
                "There is no workspace {0} in this database: create it with 'saleskpi init --db {0}', or check the name after ?workspace=.",
                "Рабочей области {0} в этой базе нет: создайте её командой «saleskpi init --db {0}» или проверьте имя после ?workspace=.",
                location.Display));
            var ws = Attach(conn, location, id, WorkspaceSettings.Default, access);
            var meta = ws.ReadSettings(string.Empty);
            var settings = new WorkspaceSettings(
                meta.GetValueOrDefault("timezone") ?? WorkspaceSettings.Default.TimeZone,
                meta.GetValueOrDefault("currency") ?? WorkspaceSettings.Default.Currency);
            var opened = new PostgresWorkspace(location, conn, ws.dialect, settings, access) { wait = wait };
            if (access == WorkspaceAccess.ReadWrite)
            {
                opened.FoldChanges();
            }

            return opened;
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>Whether the database holds the workspace <paramref name="location"/> names.</summary>
    public static bool Exists(PostgresLocation location)
    {
        using var conn = Connect(location);
        return Scalar(conn, $"SELECT to_regclass('{Schema}.workspaces') IS NOT NULL") is true && FindWorkspace(conn, location.Workspace) is not null;
    }

    /// <summary>Removes the workspace <paramref name="location"/> names: its rows in every table, its sequences and its name.</summary>
    public static void Delete(PostgresLocation location)
    {
        using var ws = Open(location, WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        foreach (var table in ws.dialect.Columns.Keys)
        {
            ws.Execute($"DELETE FROM {Schema}.{ws.dialect.Quote(table)} WHERE {ws.dialect.WorkspacePredicate()}");
        }

        foreach (var sequence in TemplateSequences(ws.connection))
        {
            ws.Execute($"DROP SEQUENCE IF EXISTS {Schema}.{PostgresDialect.SequenceOf(sequence, ws.dialect.WorkspaceId)}");
        }

        ws.Execute($"DELETE FROM {Schema}.workspaces WHERE workspace_id = $1", ws.dialect.WorkspaceId);
        tx.Commit();
    }

    /// <inheritdoc />
    public override IBulkWriter CreateBulkWriter(string table, bool temporary = false) =>
        temporary
            ? new PostgresBulkWriter(connection, table, null, null, ColumnsOf(table, temporary: true))
            : NewStoredWriter(table);

    private PostgresBulkWriter NewStoredWriter(string table)
    {
        var stored = $"{Schema}.{dialect.Quote(table)}";
        return new PostgresBulkWriter(connection, dialect.Quote(table), stored, dialect.WorkspaceId, ColumnsOf(table, temporary: false),
            rows => written[stored] = written.GetValueOrDefault(stored) + rows);
    }

    /// <summary>
    /// Sees every statement this workspace's commands are made with, and its arguments (positional, or by name), before
    /// it runs: how the tests prove that each one reaches the stored tables only through this workspace's predicate.
    /// </summary>
    internal Action<string, IReadOnlyDictionary<string, object?>>? Observer { get; set; }

    /// <summary>The plan PostgreSQL would run <paramref name="query"/> with (EXPLAIN VERBOSE as JSON), bound as <see cref="Observer"/> saw it.</summary>
    internal string Explain(string query, IReadOnlyDictionary<string, object?> args)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "EXPLAIN (VERBOSE, FORMAT JSON) " + query;
        var positional = args.Keys.All(k => k.All(char.IsAsciiDigit));
        foreach (var (name, value) in positional ? args.OrderBy(a => int.Parse(a.Key, CultureInfo.InvariantCulture)) : args.AsEnumerable())
        {
            cmd.Parameters.Add(Bind(positional ? new NpgsqlParameter() : new NpgsqlParameter { ParameterName = name }, value));
        }

        return (string)cmd.ExecuteScalar()!;
    }

    /// <summary>This workspace's id in the database.</summary>
    internal long WorkspaceId => dialect.WorkspaceId;

    /// <inheritdoc />
    public override DbCommand Command(string sql, params object?[] args)
    {
        Observer?.Invoke(sql, args.Select((a, i) => (Key: (i + 1).ToString(CultureInfo.InvariantCulture), Value: a)).ToDictionary(x => x.Key, x => x.Value));
        return CommandOn(connection, sql, args);
    }

    /// <inheritdoc />
    public override DbCommand NamedCommand(string sql, IReadOnlyDictionary<string, object?> args)
    {
        Observer?.Invoke(sql, args);
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(Bind(new NpgsqlParameter { ParameterName = name }, value));
        }

        return cmd;
    }

    /// <summary>
    /// Starts a transaction; on a read-write open it first becomes the workspace's only writer (an advisory lock held
    /// until the transaction ends), waiting as the open's <see cref="WorkspaceWait"/> allows — the same rule as a
    /// workspace file's one writer. Writers of other workspaces in the database never wait for it.
    /// </summary>
    protected override DbTransaction BeginTransactionCore()
    {
        var tx = connection.BeginTransaction();
        if (Access == WorkspaceAccess.ReadWrite)
        {
            try
            {
                BecomeWriter();
            }
            catch
            {
                tx.Dispose();
                throw;
            }
        }

        return tx;
    }

    private void BecomeWriter() =>
        WorkspaceWait.Retry(
            wait,
            () => Scalar(connection, "SELECT pg_try_advisory_xact_lock($1)", WriterLockBase + dialect.WorkspaceId) is true ? this : null,
            Msg.Of(
                "workspace.pg_writer_waiting",
                "waiting for another process to finish changing {0} (up to {1:0} s; --wait sets the limit)…",
                "ожидание, пока другой процесс закончит изменять {0} (до {1:0} с; предел задаёт --wait)…",
                Path, wait?.Limit.TotalSeconds ?? 0),
            afterWait => new SalesKpiException(afterWait
                ? Msg.Of(
                    "workspace.pg_writer_busy_after_wait",
                    "{0} was being changed by another process longer than the --wait limit of {1:0} s: wait for it to finish, or give a longer --wait.",
                    "{0} изменял другой процесс дольше предела --wait в {1:0} с: дождитесь его завершения или задайте --wait больше.",
                    Path, wait!.Limit.TotalSeconds)
                : Msg.Of(
                    "workspace.pg_writer_busy",
                    "{0} is being changed by another process (an import or another change): wait for it to finish, or give --wait SECONDS to wait for it.",
                    "{0} сейчас изменяет другой процесс (импорт или другое изменение): дождитесь его завершения или задайте ожидание --wait СЕКУНДЫ.",
                    Path)));

    /// <summary>
    /// PostgreSQL's bulk-load settings: no nested-loop joins while the import runs, because the tables it just filled
    /// still have the statistics of before and the planner, believing them nearly empty, chose nested loops for the
    /// import's own checks (26 s instead of well under one for 100,000 activities). When the scope ends — after the
    /// import's transaction — a table that received at least a tenth of its rows is analysed (the threshold of
    /// PostgreSQL's own autovacuum; smaller changes are left to it, since a table shared by many workspaces is large
    /// and its ANALYZE took 2–3 s), outside any import's transaction: ANALYZE inside it held a lock that made an import
    /// into another workspace of the database wait for this one.
    /// </summary>
    public override IDisposable BeginBulkLoad(string memoryLimit = "256MB")
    {
        Execute(connection, "SET enable_nestloop = off");
        return new Restore(() =>
        {
            Execute(connection, "RESET enable_nestloop");
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                foreach (var (table, rows) in written)
                {
                    var known = Convert.ToDouble(Scalar(connection, "SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)", table) ?? -1.0, CultureInfo.InvariantCulture);
                    if (rows > 0 && (known < 0 || rows * 10 >= known))
                    {
                        Execute(connection, $"ANALYZE {table}");
                    }
                }
            }

            written.Clear();
        });
    }

    /// <summary>
    /// The number of committed transactions that changed this workspace (<see cref="TenantSchema.DataVersionObjects"/>):
    /// the folded count in <c>workspaces</c> plus the rows of <c>data_changes</c>, read in one statement (one snapshot).
    /// </summary>
    public override long? DataVersion() =>
        Convert.ToInt64(Scalar(connection, string.Create(CultureInfo.InvariantCulture, $"""
            SELECT w.changes_folded + (SELECT count(*) FROM {Schema}.{TenantSchema.ChangesTable} c WHERE c.workspace_id = {WorkspaceId})
            FROM {Schema}.workspaces w WHERE w.workspace_id = {WorkspaceId}
            """)), CultureInfo.InvariantCulture);

    // Folds the change rows into the workspace's counter when there are many, so reading the version stays one index
    // probe. The delete and the addition are one statement: a reader sees the sum before or after, never between.
    private void FoldChanges()
    {
        if (Convert.ToInt64(Scalar(connection, string.Create(CultureInfo.InvariantCulture, $"SELECT count(*) FROM {Schema}.{TenantSchema.ChangesTable} WHERE workspace_id = {WorkspaceId}")), CultureInfo.InvariantCulture) < FoldAbove)
        {
            return;
        }

        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"""
            WITH gone AS (DELETE FROM {Schema}.{TenantSchema.ChangesTable} WHERE workspace_id = {WorkspaceId} RETURNING 1)
            UPDATE {Schema}.workspaces SET changes_folded = changes_folded + (SELECT count(*) FROM gone) WHERE workspace_id = {WorkspaceId}
            """));
    }

    /// <summary>How many change rows a workspace keeps before a read-write open folds them into its counter.</summary>
    internal const int FoldAbove = 1000;

    /// <summary>PostgreSQL's <c>COPY … TO STDOUT</c> streamed into the file.</summary>
    public override void WriteCsv(string query, string path)
    {
        using var reader = connection.BeginTextExport($"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)");
        using var file = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        var buffer = new char[1 << 16];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            file.Write(buffer, 0, n);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            connection.Dispose();
        }
    }

    private static PostgresWorkspace Attach(NpgsqlConnection conn, PostgresLocation location, long id, WorkspaceSettings settings, WorkspaceAccess access)
    {
        var dialect = new PostgresDialect(id, TenantColumns(conn));
        ShadowTables(conn, dialect, replace: false);
        return new PostgresWorkspace(location, conn, dialect, settings, access);
    }

    // The columns of every stored table that carries workspace_id, workspace_id itself left out, in table order.
    private static Dictionary<string, IReadOnlyList<string>> TenantColumns(NpgsqlConnection conn)
    {
        var columns = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using (var cmd = CommandOn(conn, $"""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = '{Schema}' AND column_name <> 'workspace_id' AND table_name <> '{TenantSchema.ChangesTable}'
              AND table_name IN (SELECT table_name FROM information_schema.columns WHERE table_schema = '{Schema}' AND column_name = 'workspace_id')
            ORDER BY table_name, ordinal_position
            """))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var t = r.GetString(0);
                if (!columns.TryGetValue(t, out var list))
                {
                    columns[t] = list = [];
                }

                list.Add(r.GetString(1));
            }
        }

        return columns.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.Ordinal);
    }

    // One round trip: the session's workspace (row-level security), a view per stored table (the engine's SQL) and
    // JIT compilation off. The bucket joins on computed quarter-hour keys make the planner's estimates of the
    // engine's statements tens of millions of rows too high, which switches on JIT with inlining and optimisation;
    // compiling cost more than it saved (the 1 M-lead report: see docs/benchmarks.md, PostgreSQL).
    private static void ShadowTables(NpgsqlConnection conn, PostgresDialect dialect, bool replace)
    {
        var batch = new System.Text.StringBuilder();
        batch.Append(CultureInfo.InvariantCulture, $"SELECT set_config('{TenantSchema.Setting}', '{dialect.WorkspaceId}', false); SET jit = off;");
        foreach (var (table, cols) in dialect.Columns)
        {
            batch.Append(CultureInfo.InvariantCulture, $"CREATE {(replace ? "OR REPLACE " : string.Empty)}TEMP VIEW {dialect.Quote(table)} AS SELECT {string.Join(", ", cols.Select(dialect.Quote))} FROM {Schema}.{dialect.Quote(table)} WHERE {dialect.WorkspacePredicate()};");
        }

        using var cmd = CommandOn(conn, batch.ToString());
        cmd.ExecuteNonQuery();
    }

    private static string WorkspaceSequence(string sequence, long id) =>
        string.Create(CultureInfo.InvariantCulture, $"CREATE SEQUENCE IF NOT EXISTS {Schema}.{PostgresDialect.SequenceOf(sequence, id)} START WITH 1");

    // The sequences migrations created (one per id kind); each workspace has its own copy named after its id.
    private static List<string> TemplateSequences(NpgsqlConnection conn)
    {
        using var cmd = CommandOn(conn, $"SELECT sequencename FROM pg_sequences WHERE schemaname = '{Schema}' AND sequencename !~ '_w[0-9]+$' ORDER BY 1");
        using var r = cmd.ExecuteReader();
        List<string> names = [];
        while (r.Read())
        {
            names.Add(r.GetString(0));
        }

        return names;
    }

    private static List<long> WorkspaceIds(NpgsqlConnection conn)
    {
        using var cmd = CommandOn(conn, $"SELECT workspace_id FROM {Schema}.workspaces ORDER BY workspace_id");
        using var r = cmd.ExecuteReader();
        List<long> ids = [];
        while (r.Read())
        {
            ids.Add(r.GetInt64(0));
        }

        return ids;
    }

    private List<(string Name, string Type)> ColumnsOf(string table, bool temporary)
    {
        var schema = temporary ? "pg_temp" : Schema;
        using var cmd = CommandOn(connection, $"""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'workspace_id'
            ORDER BY a.attnum
            """, $"{schema}.{dialect.Quote(table)}");
        using var r = cmd.ExecuteReader();
        List<(string, string)> list = [];
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetString(1)));
        }

        return list.Count > 0 ? list : throw new InvalidOperationException($"Cannot append to {table}: no such table.");
    }

    private static long? FindWorkspace(NpgsqlConnection conn, string name) =>
        Scalar(conn, $"SELECT workspace_id FROM {Schema}.workspaces WHERE name = $1", name) is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : null;

    private static NpgsqlConnection Connect(PostgresLocation location)
    {
        var conn = new NpgsqlConnection(location.ConnectionString);
        try
        {
            conn.Open();
            return conn;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            conn.Dispose();
            throw Unreachable(location, ex);
        }
    }

    private static SalesKpiException Unreachable(PostgresLocation location, Exception ex)
    {
        if (ex is PostgresException pg)
        {
            return pg.SqlState switch
            {
                "3D000" => new SalesKpiException(Msg.Of(
                    "workspace.pg_no_database",
                    "The database of {0} does not exist: create it (createdb) or fix the name in the URL.",
                    "Базы данных из {0} не существует: создайте её (createdb) или исправьте имя в адресе.",
                    location.Display), ex),
                "28P01" or "28000" => new SalesKpiException(Msg.Of(
                    "workspace.pg_auth",
                    "PostgreSQL refused the user of {0} ({1}): check the user name and password (the password may also come from PGPASSWORD or ~/.pgpass).",
                    "PostgreSQL не принял пользователя из {0} ({1}): проверьте имя и пароль (пароль можно задать и через PGPASSWORD или ~/.pgpass).",
                    location.Display, pg.MessageText), ex),
                _ => new SalesKpiException(Msg.Of(
                    "workspace.pg_refused",
                    "PostgreSQL refused the connection to {0}: {1}.",
                    "PostgreSQL отказал в подключении к {0}: {1}.",
                    location.Display, pg.MessageText.TrimEnd('.')), ex),
            };
        }

        var socket = ex.InnerException as SocketException ?? ex.InnerException?.InnerException as SocketException;
        return new SalesKpiException(Msg.Of(
            "workspace.pg_unreachable",
            "Cannot reach PostgreSQL for {0} ({1}): check that the server runs and that host and port are right.",
            "Нет связи с PostgreSQL для {0} ({1}): проверьте, что сервер запущен, а хост и порт указаны верно.",
            location.Display, (socket?.Message ?? ex.Message).TrimEnd('.')), ex);
    }

    // The whole database's schema moves forward at once, under a lock, so two processes opening it never both migrate.
    private static void Migrate(NpgsqlConnection conn, PostgresLocation location, bool create)
    {
        var exists = Scalar(conn, $"SELECT to_regclass('{Schema}.saleskpi_schema') IS NOT NULL") is true;
        if (!exists && !create)
        {
            throw new SalesKpiException(HasSchema(conn)
                ? ForeignSchema(location)
                : Msg.Of(
                    "workspace.pg_no_schema",
                    "The database of {0} holds no SalesKpi workspaces yet: create the first one with 'saleskpi init --db {0}'.",
                    "В базе {0} ещё нет рабочих областей SalesKpi: создайте первую командой «saleskpi init --db {0}».",
                    location.Display));
        }

        var version = exists ? CurrentVersion(conn) : 0;
        if (version > Migrations.Latest)
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.pg_newer_schema",
                "The database of {0} was written by a newer SalesKpi (schema {1}; this version knows up to {2}): upgrade saleskpi to open it.",
                "База {0} записана более новой версией SalesKpi (схема {1}; эта версия знает до {2}): обновите saleskpi.",
                location.Display, version, Migrations.Latest));
        }

        if (version == Migrations.Latest)
        {
            return;
        }

        using var tx = conn.BeginTransaction();
        Execute(conn, "SELECT pg_advisory_xact_lock(hashtext('saleskpi.schema'))");
        if (Scalar(conn, $"SELECT to_regclass('{Schema}.saleskpi_schema') IS NOT NULL") is not true)
        {
            if (HasSchema(conn))
            {
                throw new SalesKpiException(ForeignSchema(location));
            }

            Execute(conn, $"CREATE SCHEMA {Schema}");
            Execute(conn, $"CREATE TABLE {Schema}.saleskpi_schema (version INTEGER NOT NULL)");
            Execute(conn, $"INSERT INTO {Schema}.saleskpi_schema VALUES (0)");
            Execute(conn, $"CREATE TABLE {Schema}.workspaces (workspace_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL)");
            foreach (var sql in TenantSchema.DataVersionObjects())
            {
                Execute(conn, sql);
            }
        }

        // Another process may have migrated while this one waited for the lock.
        version = CurrentVersion(conn);
        var context = new MigrationContext(new PostgresDialect(0, new Dictionary<string, IReadOnlyList<string>>()), sql => Scalar(conn, sql));
        foreach (var m in Migrations.All.Where(m => m.Version > version))
        {
            foreach (var statement in m.Statements(context))
            {
                if (TenantSchema.ChangesData(statement))
                {
                    // A data change is the workspace's own: run it in each workspace's session, through its views.
                    var columns = TenantColumns(conn);
                    foreach (var id in WorkspaceIds(conn))
                    {
                        ShadowTables(conn, new PostgresDialect(id, columns), replace: true);
                        Execute(conn, statement);
                    }

                    Execute(conn, "DISCARD TEMP");
                    continue;
                }

                foreach (var sql in TenantSchema.Rewrite(statement))
                {
                    try
                    {
                        Execute(conn, sql);
                    }
                    catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
                    {
                        // A table this migration replaces is still used by the session views of another process (one
                        // that opened the workspace before the upgrade); the schema stays as it was.
                        throw new SalesKpiException(Msg.Of(
                            "workspace.pg_upgrade_in_use",
                            "The database of {0} needs a schema upgrade to version {1} ({2}), and another SalesKpi process still uses the tables it replaces: stop every other saleskpi process (serve, import, report) on this database, then open it again. Nothing was changed.",
                            "Базе {0} нужно обновление схемы до версии {1} ({2}), а другой процесс SalesKpi ещё использует заменяемые таблицы: остановите все остальные процессы saleskpi (serve, import, report) на этой базе и откройте её снова. Ничего не изменено.",
                            location.Display, m.Version, m.Description), ex);
                    }
                }

                if (TenantSchema.CreatedSequence(statement) is { } sequence)
                {
                    foreach (var id in WorkspaceIds(conn))
                    {
                        Execute(conn, WorkspaceSequence(sequence, id));
                    }
                }
            }

            Execute(conn, $"UPDATE {Schema}.saleskpi_schema SET version = $1", m.Version);
        }

        tx.Commit();
    }

    private static bool HasSchema(NpgsqlConnection conn) =>
        Convert.ToInt64(Scalar(conn, $"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{Schema}'"), CultureInfo.InvariantCulture) > 0;

    private static Msg ForeignSchema(PostgresLocation location) => Msg.Of(
            "workspace.pg_foreign_schema",
            "The database of {0} has a schema '{1}' that SalesKpi did not make: use another database, or rename that schema.",
            "В базе {0} есть схема «{1}», созданная не SalesKpi: используйте другую базу или переименуйте эту схему.",
            location.Display, Schema);

    private static int CurrentVersion(NpgsqlConnection conn) =>
        Convert.ToInt32(Scalar(conn, $"SELECT max(version) FROM {Schema}.saleskpi_schema") ?? 0, CultureInfo.InvariantCulture);

    private static NpgsqlCommand CommandOn(NpgsqlConnection conn, string sql, params object?[] args)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var a in args)
        {
            cmd.Parameters.Add(Bind(new NpgsqlParameter(), a));
        }

        return cmd;
    }

    // Stored timestamps are UTC without a zone: a UTC DateTime or a DateTimeOffset is bound as that wall time, so the
    // comparison never passes through the session's time zone.
    private static NpgsqlParameter Bind(NpgsqlParameter p, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                p.Value = DBNull.Value;
                break;
            case DateTime t:
                p.Value = Wall(t);
                p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp;
                break;
            case DateTimeOffset o:
                p.Value = DateTime.SpecifyKind(o.UtcDateTime, DateTimeKind.Unspecified);
                p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp;
                break;
            case DateTime[] ts:
                p.Value = ts.Select(Wall).ToArray();
                p.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Timestamp;
                break;
            default:
                p.Value = value;
                break;
        }

        return p;
    }

    private static DateTime Wall(DateTime t) => DateTime.SpecifyKind(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t, DateTimeKind.Unspecified);

    private static void Execute(NpgsqlConnection conn, string sql, params object?[] args)
    {
        using var cmd = CommandOn(conn, sql, args);
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection conn, string sql, params object?[] args)
    {
        using var cmd = CommandOn(conn, sql, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
