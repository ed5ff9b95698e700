using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>
/// An open workspace: one DuckDB file holding the canonical data, the import log and the workspace
/// settings. Opening checks that the file is a SalesKpi workspace of a schema this build knows and
/// applies pending migrations. Not thread-safe: one command at a time per instance.
/// </summary>
public sealed class Workspace : IDisposable
{
    /// <summary>Value of the <c>app</c> meta key that marks a file as a SalesKpi workspace.</summary>
    public const string AppMarker = "saleskpi";

    /// <summary>The default workspace file name, in the current directory.</summary>
    public const string DefaultFileName = "saleskpi.duckdb";

    private readonly DuckDBConnection connection;

    private Workspace(string path, DuckDBConnection connection, WorkspaceSettings settings, int schemaVersion)
    {
        Path = path;
        this.connection = connection;
        Settings = settings;
        SchemaVersion = schemaVersion;
    }

    /// <summary>Full path of the workspace file.</summary>
    public string Path { get; }

    /// <summary>The settings fixed at <c>init</c>.</summary>
    public WorkspaceSettings Settings { get; }

    /// <summary>The schema version after opening (always <see cref="Migrations.Latest"/>).</summary>
    public int SchemaVersion { get; }

    /// <summary>The SQL dialect of this workspace's engine.</summary>
    public ISqlDialect Dialect { get; } = DuckDbDialect.Instance;

    /// <summary>The open connection; all commands of this workspace run on it.</summary>
    public DbConnection Connection => connection;

    /// <summary>
    /// Creates a new workspace file with the latest schema and the given settings. Throws
    /// <see cref="SalesKpiException"/> when the file already exists or the settings are invalid.
    /// </summary>
    public static Workspace Create(string path, WorkspaceSettings settings, TimeProvider clock)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new SalesKpiException(Loc.F(
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
            return new Workspace(full, conn, normalized, Migrations.Latest);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing workspace and migrates it to the latest schema. Throws
    /// <see cref="SalesKpiException"/> when the file is missing, is not a SalesKpi workspace, was made by
    /// a newer SalesKpi, or is locked by another process.
    /// </summary>
    public static Workspace Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new SalesKpiException(Loc.F(
                "No workspace at {0}: create one with 'saleskpi init --db {0}' or point --db (or SALESKPI_DB) at an existing one.",
                "Рабочей области {0} нет: создайте её командой «saleskpi init --db {0}» или укажите существующую через --db (или SALESKPI_DB).",
                full));
        }

        var conn = Connect(full);
        try
        {
            var hasMeta = Convert.ToInt64(
                ScalarOn(conn, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'saleskpi_meta'"),
                CultureInfo.InvariantCulture) > 0;
            var app = hasMeta ? GetMeta(conn, "app") : null;
            if (app != AppMarker)
            {
                throw new SalesKpiException(Loc.F(
                    "{0} is a DuckDB database but not a SalesKpi workspace: point --db at a file made by 'saleskpi init'.",
                    "{0} — база DuckDB, но не рабочая область SalesKpi: укажите в --db файл, созданный «saleskpi init».",
                    full));
            }

            var version = int.Parse(GetMeta(conn, "schema_version") ?? "0", CultureInfo.InvariantCulture);
            if (version > Migrations.Latest)
            {
                throw new SalesKpiException(Loc.F(
                    "{0} was written by a newer SalesKpi (schema {1}; this version knows up to {2}): upgrade saleskpi to open it.",
                    "{0} записан более новой версией SalesKpi (схема {1}; эта версия знает до {2}): обновите saleskpi.",
                    full, version, Migrations.Latest));
            }

            Migrate(conn, version);
            var settings = new WorkspaceSettings(
                GetMeta(conn, "timezone") ?? WorkspaceSettings.Default.TimeZone,
                GetMeta(conn, "currency") ?? WorkspaceSettings.Default.Currency);
            return new Workspace(full, conn, settings, Migrations.Latest);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a bulk append into <paramref name="table"/> on this workspace's connection; with
    /// <paramref name="temporary"/>, into a table made by <c>CREATE TEMP TABLE</c>.
    /// </summary>
    public IBulkWriter CreateBulkWriter(string table, bool temporary = false) =>
        new DuckDbBulkWriter(connection.NativeConnection, temporary ? "temp" : null, table);

    /// <summary>Creates a command with positional parameters <c>$1</c>, <c>$2</c>, … bound to <paramref name="args"/>.</summary>
    public DbCommand Command(string sql, params object?[] args) => CommandOn(connection, sql, args);

    /// <summary>Reads the workspace settings whose key starts with <paramref name="prefix"/>, prefix removed.</summary>
    public IReadOnlyDictionary<string, string> ReadSettings(string prefix) =>
        Query("SELECT key, value FROM saleskpi_meta WHERE starts_with(key, $1)", r => (r.GetString(0), r.GetString(1)), prefix)
            .ToDictionary(x => x.Item1[prefix.Length..], x => x.Item2, StringComparer.Ordinal);

    /// <summary>Stores one workspace setting (insert or replace).</summary>
    public void WriteSetting(string key, string value) => SetMeta(connection, key, value);

    /// <summary>Removes one workspace setting; returns false when it was not set.</summary>
    public bool DeleteSetting(string key) => Execute("DELETE FROM saleskpi_meta WHERE key = $1", key) > 0;

    /// <summary>Creates a command with named parameters (<c>$name</c> in the SQL) bound to <paramref name="args"/>.</summary>
    public DbCommand NamedCommand(string sql, IReadOnlyDictionary<string, object?> args)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        }

        return cmd;
    }

    /// <summary>Runs a statement and returns the number of rows it changed.</summary>
    public long Execute(string sql, params object?[] args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Runs a query and returns the first column of its first row; null for no row or SQL NULL.</summary>
    public object? Scalar(string sql, params object?[] args)
    {
        using var cmd = Command(sql, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    /// <summary>Runs a query and maps each row with <paramref name="map"/>, streaming.</summary>
    public IEnumerable<T> Query<T>(string sql, Func<DbDataReader, T> map, params object?[] args)
    {
        using var cmd = Command(sql, args);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            yield return map(reader);
        }
    }

    /// <summary>
    /// Switches the engine to bulk-load settings until the returned scope is disposed, when the engine's
    /// defaults come back (a workspace never changes them otherwise): memory capped at <paramref name="memoryLimit"/> (an import reads each row once,
    /// so a large block cache only inflates the process), and FSST string compression off (its training
    /// was a quarter of the write cost of a large import, for about a third smaller string columns), and
    /// one engine thread (appends are single-threaded anyway; a second engine thread only competes
    /// with the parsing thread for the cores).
    /// </summary>
    public IDisposable BeginBulkLoad(string memoryLimit = "256MB")
    {
        Set("memory_limit", memoryLimit);
        Set("disabled_compression_methods", "fsst");
        Execute("SET threads = 1");

        // RESET rather than re-SET the old text: "18.8 GiB" read back does not parse to the same bytes.
        return new Restore(() =>
        {
            Execute("RESET memory_limit");
            Execute("RESET disabled_compression_methods");
            Execute("RESET threads");
        });
    }

    // SET takes no parameters; names are fixed above and values are engine-formatted settings.
    private void Set(string name, string value) =>
        Execute($"SET {name} = '{value.Replace("'", "''", StringComparison.Ordinal)}'");

    /// <summary>Starts a transaction on the workspace connection.</summary>
    public DbTransaction BeginTransaction() => connection.BeginTransaction();

    /// <inheritdoc />
    public void Dispose() => connection.Dispose();

    private static DuckDBConnection Connect(string full)
    {
        var conn = new DuckDBConnection("Data Source=" + full);
        try
        {
            conn.Open();
            return conn;
        }
        catch (DuckDBException ex)
        {
            conn.Dispose();
            if (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
            {
                throw new SalesKpiException(Loc.F(
                    "{0} is in use by another process: wait for it to finish, or close it.",
                    "{0} занят другим процессом: дождитесь его завершения или закройте его.",
                    full), ex);
            }

            throw new SalesKpiException(Loc.F(
                "{0} is not a SalesKpi workspace (not a DuckDB database file): point --db at a file made by 'saleskpi init'.",
                "{0} — не рабочая область SalesKpi (не файл DuckDB): укажите в --db файл, созданный «saleskpi init».",
                full), ex);
        }
    }

    private static void Migrate(DuckDBConnection conn, int from)
    {
        foreach (var m in Migrations.All.Where(m => m.Version > from))
        {
            using var tx = conn.BeginTransaction();
            foreach (var sql in m.Statements(DuckDbDialect.Instance))
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
        ScalarOn(conn, "SELECT value FROM saleskpi_meta WHERE key = $1", key) as string;

    private static void SetMeta(DuckDBConnection conn, string key, string value)
    {
        using var cmd = CommandOn(conn, "INSERT OR REPLACE INTO saleskpi_meta (key, value) VALUES ($1, $2)", key, value);
        cmd.ExecuteNonQuery();
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
