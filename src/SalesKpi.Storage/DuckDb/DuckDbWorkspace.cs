using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using SalesKpi.Core;

namespace SalesKpi.Storage.DuckDb;

/// <summary>
/// A workspace in one DuckDB file: the DuckDB provider of <see cref="Workspace"/>. It owns DuckDB's open
/// rules — the file header checked before the engine sees the file, DuckDB's file lock (shared for read-only
/// opens, exclusive for writers) with retries while a <see cref="WorkspaceWait"/> allows, and the diagnosis of
/// what DuckDB reports when an open fails.
/// </summary>
internal sealed class DuckDbWorkspace : Workspace
{
    // Bytes 8–11 of every DuckDB database file; checked first so that a CSV or any other file given as
    // --db is named for what it is and DuckDB never writes into it.
    private static readonly byte[] DuckDbMagic = "DUCK"u8.ToArray();

    private readonly DuckDBConnection connection;

    private DuckDbWorkspace(string path, DuckDBConnection connection, WorkspaceSettings settings, WorkspaceAccess access)
        : base(path, settings, access)
    {
        this.connection = connection;
    }

    /// <inheritdoc />
    public override ISqlDialect Dialect => DuckDbDialect.Instance;

    /// <summary>Creates a new workspace file; see <see cref="Workspace.Create"/>.</summary>
    public static new DuckDbWorkspace Create(string path, WorkspaceSettings settings, TimeProvider clock)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.file_exists",
                "A file already exists at {0}: choose another --db path or delete the file first.",
                "Файл {0} уже существует: укажите другой путь --db или сначала удалите этот файл.",
                full));
        }

        _ = settings.Zone;
        var normalized = settings with { Currency = WorkspaceSettings.NormalizeCurrency(settings.Currency) };
        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var conn = Connect(full);
        try
        {
            Migrate(conn, 0);
            using var tx = conn.BeginTransaction();
            SetMeta(conn, "app", AppMarker);
            SetMeta(conn, "timezone", normalized.TimeZone);
            SetMeta(conn, "currency", normalized.Currency);
            SetMeta(conn, "created_at", clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture));
            tx.Commit();
            return new DuckDbWorkspace(full, conn, normalized, WorkspaceAccess.ReadWrite);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing workspace file; see <see cref="Workspace.Open(string, WorkspaceAccess, WorkspaceWait?)"/>.</summary>
    public static new DuckDbWorkspace Open(string path, WorkspaceAccess access, WorkspaceWait? wait)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.is_folder",
                "{0} is a folder, not a workspace file: point --db at the file, e.g. {1}.",
                "{0} — папка, а не файл рабочей области: укажите в --db файл, например {1}.",
                full,
                System.IO.Path.Combine(full, DefaultFileName)));
        }

        if (!File.Exists(full))
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.missing",
                "No workspace at {0}: create one with 'saleskpi init --db {0}' or point --db (or SALESKPI_DB) at an existing one.",
                "Рабочей области {0} нет: создайте её командой «saleskpi init --db {0}» или укажите существующую через --db (или SALESKPI_DB).",
                full));
        }

        CheckDuckDbHeader(full);
        var conn = ConnectWaiting(full, access, wait);
        try
        {
            int version;
            WorkspaceSettings settings;
            try
            {
                var hasMeta = Convert.ToInt64(
                    ScalarOn(conn, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'saleskpi_meta'"),
                    CultureInfo.InvariantCulture) > 0;
                var app = hasMeta ? GetMeta(conn, "app") : null;
                if (app != AppMarker)
                {
                    throw new SalesKpiException(Msg.Of(
                        "workspace.foreign_database",
                        "{0} is a DuckDB database but not a SalesKpi workspace: point --db at a file made by 'saleskpi init'.",
                        "{0} — база DuckDB, но не рабочая область SalesKpi: укажите в --db файл, созданный «saleskpi init».",
                        full));
                }

                version = int.Parse(GetMeta(conn, "schema_version") ?? "0", CultureInfo.InvariantCulture);
                settings = new WorkspaceSettings(
                    GetMeta(conn, "timezone") ?? WorkspaceSettings.Default.TimeZone,
                    GetMeta(conn, "currency") ?? WorkspaceSettings.Default.Currency);
            }
            catch (DuckDBException ex)
            {
                throw Damaged(full, ex);
            }

            if (version > Migrations.Latest)
            {
                throw new SalesKpiException(Msg.Of(
                    "workspace.newer_schema",
                    "{0} was written by a newer SalesKpi (schema {1}; this version knows up to {2}): upgrade saleskpi to open it.",
                    "{0} записан более новой версией SalesKpi (схема {1}; эта версия знает до {2}): обновите saleskpi.",
                    full, version, Migrations.Latest));
            }

            if (version < Migrations.Latest && access == WorkspaceAccess.ReadOnly)
            {
                // A read-only connection cannot migrate: migrate through a brief writer, then read.
                conn.Dispose();
                Open(full, WorkspaceAccess.ReadWrite, wait).Dispose();
                return Open(full, WorkspaceAccess.ReadOnly, wait);
            }

            Migrate(conn, version);
            return new DuckDbWorkspace(full, conn, settings, access);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override IBulkWriter CreateBulkWriter(string table, bool temporary = false) =>
        new DuckDbBulkWriter(connection.NativeConnection, temporary ? "temp" : null, table);

    /// <inheritdoc />
    public override DbCommand Command(string sql, params object?[] args) => CommandOn(connection, sql, args);

    /// <inheritdoc />
    public override DbCommand NamedCommand(string sql, IReadOnlyDictionary<string, object?> args)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        }

        return cmd;
    }

    /// <summary>
    /// DuckDB's bulk-load settings: memory capped at <paramref name="memoryLimit"/> (an import reads each row once,
    /// so a large block cache only inflates the process), FSST string compression off (its training was a
    /// quarter of the write cost of a large import, for about a third smaller string columns), and one engine
    /// thread (appends are single-threaded anyway; a second engine thread only competes with the parsing thread
    /// for the cores).
    /// </summary>
    public override IDisposable BeginBulkLoad(string memoryLimit = "256MB")
    {
        Set("memory_limit", memoryLimit);
        Set("disabled_compression_methods", "fsst");
        Execute("SET threads = 1");

        // RESET rather than re-SET the old text: "18.8 GiB" read back does not parse to the same bytes; the memory limit
        // goes back to the process's setting (RESET would give DuckDB's default of 80 % of the machine).
        return new Restore(() =>
        {
            Set("memory_limit", MemoryLimit);
            Execute("RESET disabled_compression_methods");
            Execute("RESET threads");
        });
    }

    /// <summary>DuckDB's <c>COPY … TO</c> writes the file itself: no row passes through .NET.</summary>
    public override void WriteCsv(string query, string path) =>
        Execute($"COPY ({query}) TO '{path.Replace("'", "''", StringComparison.Ordinal)}' (HEADER, DELIMITER ',')");

    /// <inheritdoc />
    protected override DbTransaction BeginTransactionCore() => connection.BeginTransaction();

    /// <summary>
    /// A second connection to the database this one has open: DuckDB.NET hands a connection string naming an open file
    /// the same database instance, so no file lock is taken again, no header read and nothing migrated; memory limit and
    /// threads are the instance's, shared.
    /// </summary>
    protected override Workspace? OpenSiblingCore()
    {
        var conn = new DuckDBConnection(connection.ConnectionString);
        try
        {
            conn.Open();
            return new DuckDbWorkspace(Path, conn, Settings, Access);
        }
        catch
        {
            conn.Dispose();
            throw;
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

    // SET takes no parameters; names are fixed above and values are engine-formatted settings.
    private void Set(string name, string value) =>
        Execute($"SET {name} = '{value.Replace("'", "''", StringComparison.Ordinal)}'");

    private static void CheckDuckDbHeader(string full)
    {
        var header = new byte[12];
        int read;
        try
        {
            using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw Denied(full, WorkspaceAccess.ReadOnly, ex);
        }
        catch (IOException ex)
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.unreadable",
                "{0} cannot be read ({1}): check the disk and the path.",
                "{0} не читается ({1}): проверьте диск и путь.",
                full, ex.Message.TrimEnd('.')), ex);
        }

        if (read < header.Length || !header.AsSpan(8, 4).SequenceEqual(DuckDbMagic))
        {
            throw new SalesKpiException(Msg.Of(
                "workspace.not_duckdb",
                "{0} is not a SalesKpi workspace (not a DuckDB database file{1}): point --db at a file made by 'saleskpi init'.",
                "{0} — не рабочая область SalesKpi (не файл базы DuckDB{1}): укажите в --db файл, созданный «saleskpi init».",
                full,
                read == 0 ? Msg.Of("workspace.empty_file", ", but an empty file", ", а пустой файл") : string.Empty));
        }
    }

    private static DuckDBConnection ConnectWaiting(string full, WorkspaceAccess access, WorkspaceWait? wait)
    {
        WorkspaceBusyException? busy = null;
        var holder = access == WorkspaceAccess.ReadOnly
            ? Msg.Of("workspace.held_by_writer", "is being changed by another process", "изменяется другим процессом")
            : Msg.Of("workspace.held", "is in use by another process", "занят другим процессом");
        return WorkspaceWait.Retry(
            wait,
            () =>
            {
                try
                {
                    return Connect(full, access);
                }
                catch (WorkspaceBusyException e)
                {
                    busy = e;
                    return null;
                }
            },
            Msg.Of(
                "workspace.waiting",
                "waiting for another process to release {0} (up to {1:0} s; --wait sets the limit)…",
                "ожидание, пока другой процесс освободит {0} (до {1:0} с; предел задаёт --wait)…",
                full, wait?.Limit.TotalSeconds ?? 0),
            afterWait => new SalesKpiException(
                afterWait
                    ? Msg.Of(
                        "workspace.busy_after_wait",
                        "{0} {1} longer than the --wait limit of {2:0} s: wait for it to finish, or give a longer --wait.",
                        "{0} {1} дольше предела --wait в {2:0} с: дождитесь его завершения или задайте --wait больше.",
                        full, holder, wait!.Limit.TotalSeconds)
                    : Msg.Of(
                        "workspace.busy",
                        "{0} {1}: wait for it to finish, or give --wait SECONDS to wait for it.",
                        "{0} {1}: дождитесь его завершения или задайте ожидание --wait СЕКУНДЫ.",
                        full, holder),
                busy!.InnerException ?? busy));
    }

    private static DuckDBConnection Connect(string full, WorkspaceAccess access = WorkspaceAccess.ReadWrite)
    {
        // The builder quotes the path, so ';', '=' or quotes in it cannot end the data source early.
        var builder = new DuckDBConnectionStringBuilder { DataSource = full };
        if (access == WorkspaceAccess.ReadOnly)
        {
            builder["ACCESS_MODE"] = "READ_ONLY";
        }

        // DuckDB's own default is 80 % of the machine's memory: a 10 M-lead report then grew to 2.5 GB instead of spilling.
        builder["memory_limit"] = MemoryLimit;
        EngineHugePages.OnOpen();
        var conn = new DuckDBConnection(builder.ConnectionString);
        try
        {
            conn.Open();
            return conn;
        }
        catch (DuckDBException ex)
        {
            conn.Dispose();

            // The path is removed first: a folder named "block" or "lock" must not decide the diagnosis.
            var reason = ex.Message.Replace(full, string.Empty, StringComparison.Ordinal);
            if (reason.Contains("Could not set lock on file", StringComparison.OrdinalIgnoreCase)
                || reason.Contains("Conflicting lock is held", StringComparison.OrdinalIgnoreCase))
            {
                throw new WorkspaceBusyException(ex);
            }

            if (reason.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)
                || reason.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase))
            {
                throw Denied(full, access, ex);
            }

            throw Damaged(full, ex);
        }
    }

    private static SalesKpiException Denied(string full, WorkspaceAccess access, Exception ex) =>
        access == WorkspaceAccess.ReadWrite
            ? new SalesKpiException(Msg.Of(
                "workspace.write_denied",
                "{0} may not be written by this user (a read-only file, another owner or a read-only disk): this command changes the workspace, so run it as the file's owner or give yourself write access; commands that only read still work.",
                "{0} недоступен этому пользователю для записи (файл только для чтения, другой владелец или диск только для чтения): команда меняет рабочую область — запустите её от владельца файла или дайте себе право записи; команды, которые только читают, работают.",
                full), ex)
            : new SalesKpiException(Msg.Of(
                "workspace.read_denied",
                "{0} may not be read by this user (its permissions or owner forbid it): run as the file's owner or ask for read access.",
                "{0} недоступен этому пользователю для чтения (запрещают права или владелец файла): запустите от владельца файла или запросите право чтения.",
                full), ex);

    private static SalesKpiException Damaged(string full, DuckDBException ex) => new(Msg.Of(
        "workspace.damaged",
        "{0} is a damaged DuckDB database (the engine says: {1}): restore it from a backup, or create a new workspace with 'saleskpi init' and import the data again.",
        "{0} — повреждённая база DuckDB (движок сообщает: {1}): восстановите её из резервной копии или создайте новую рабочую область «saleskpi init» и импортируйте данные заново.",
        full,
        FirstLine(ex.Message.Replace(full, "…", StringComparison.Ordinal))), ex);

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim().TrimEnd('.');
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    private static void Migrate(DuckDBConnection conn, int from)
    {
        var context = new MigrationContext(DuckDbDialect.Instance, sql => ScalarOn(conn, sql));
        foreach (var m in Migrations.All.Where(m => m.Version > from))
        {
            using var tx = conn.BeginTransaction();

            // Statements are produced one at a time, so a later one may depend on what an earlier one did.
            foreach (var sql in m.Statements(context))
            {
                using var cmd = CommandOn(conn, sql);
                cmd.ExecuteNonQuery();
            }

            SetMeta(conn, "schema_version", m.Version.ToString(CultureInfo.InvariantCulture));
            tx.Commit();
        }
    }

    private static DuckDBCommand CommandOn(DuckDBConnection conn, string sql, params object?[] args)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var a in args)
        {
            cmd.Parameters.Add(new DuckDBParameter(a ?? DBNull.Value));
        }

        return cmd;
    }

    private static object? ScalarOn(DuckDBConnection conn, string sql, params object?[] args)
    {
        using var cmd = CommandOn(conn, sql, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    private static string? GetMeta(DuckDBConnection conn, string key) =>
        ScalarOn(conn, ReadSettingSql(DuckDbDialect.Instance), key) as string;

    private static void SetMeta(DuckDBConnection conn, string key, string value)
    {
        using var cmd = CommandOn(conn, WriteSettingSql(DuckDbDialect.Instance), key, value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The file lock of another process: retried while a <see cref="WorkspaceWait"/> allows.</summary>
    private sealed class WorkspaceBusyException(Exception inner) : Exception(inner.Message, inner);

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
