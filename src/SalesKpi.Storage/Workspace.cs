using System.Data;
using System.Data.Common;
using SalesKpi.Core;
using SalesKpi.Storage.DuckDb;

namespace SalesKpi.Storage;

/// <summary>
/// An open workspace: the canonical data, the import log, the KPI system and the workspace settings in one
/// SQL engine, seen through what every engine offers — a dialect to render SQL with, commands and queries
/// with parameters, transactions, a bulk writer, CSV export and settings. Opening checks that the store is a
/// SalesKpi workspace of a schema this build knows and applies pending migrations. A provider (DuckDB now,
/// in <c>DuckDb/</c>; PostgreSQL in <c>Postgres/</c>) derives from this class; nothing outside the provider knows its
/// engine's types. Not thread-safe: one command at a time per instance; <see cref="OpenSibling"/> gives another session
/// for work side by side.
/// </summary>
public abstract class Workspace : IDisposable
{
    /// <summary>Value of the <c>app</c> meta key that marks a file as a SalesKpi workspace.</summary>
    public const string AppMarker = "saleskpi";

    /// <summary>The default workspace file name, in the current directory.</summary>
    public const string DefaultFileName = "saleskpi.duckdb";

    private readonly List<string> session = [];
    private TrackedTransaction? open;

    /// <summary>Initialises the state every provider shares.</summary>
    /// <param name="path">Full path (or, for a server engine, the location) of the workspace.</param>
    /// <param name="settings">The settings fixed at <c>init</c>.</param>
    /// <param name="access">Whether this open may change the workspace.</param>
    protected Workspace(string path, WorkspaceSettings settings, WorkspaceAccess access)
    {
        Path = path;
        Settings = settings;
        Access = access;
    }

    /// <summary>Full path of the workspace file.</summary>
    public string Path { get; }

    /// <summary>The settings fixed at <c>init</c>.</summary>
    public WorkspaceSettings Settings { get; }

    /// <summary>The schema version after opening (always <see cref="Migrations.Latest"/>).</summary>
    public int SchemaVersion { get; } = Migrations.Latest;

    /// <summary>Whether this connection may change the workspace.</summary>
    public WorkspaceAccess Access { get; }

    /// <summary>The engine memory limit a workspace opens with unless the process sets another (<see cref="MemoryLimit"/>).</summary>
    public const string DefaultMemoryLimit = "1GB";

    /// <summary>
    /// How much memory the embedded engine may use for its buffers before it spills intermediate results to a temporary
    /// folder beside the workspace (<c>&lt;workspace&gt;.tmp</c>), in the engine's size syntax (<c>1GB</c>, <c>512MB</c>).
    /// A process-wide setting, because the engine's buffers are the process's memory: the process entry point sets it
    /// once (the CLI from <c>SALESKPI_MEMORY_LIMIT</c>), before any workspace opens. Results never depend on it.
    /// </summary>
    public static string MemoryLimit { get; set; } = DefaultMemoryLimit;

    /// <summary>The SQL dialect of this workspace's engine: every engine-specific spelling goes through it.</summary>
    public abstract ISqlDialect Dialect { get; }

    /// <summary>
    /// Creates a new workspace file with the latest schema and the given settings (a DuckDB file: the only
    /// provider so far). Throws <see cref="SalesKpiException"/> when the file already exists or the settings are invalid.
    /// </summary>
    public static Workspace Create(string path, WorkspaceSettings settings, TimeProvider clock) =>
        WorkspaceLocation.IsServer(path)
            ? Postgres.PostgresWorkspace.Create(Postgres.PostgresLocation.Parse(path), settings, clock)
            : DuckDbWorkspace.Create(path, settings, clock);

    /// <summary>
    /// Whether a workspace exists at <paramref name="path"/>: the file exists, or the PostgreSQL database holds a
    /// workspace of that name (false when it holds no SalesKpi schema). Throws <see cref="SalesKpiException"/> when the
    /// PostgreSQL server cannot be reached.
    /// </summary>
    public static bool Exists(string path) =>
        WorkspaceLocation.IsServer(path) ? Postgres.PostgresWorkspace.Exists(Postgres.PostgresLocation.Parse(path)) : File.Exists(path);

    /// <summary>
    /// Removes the workspace at <paramref name="path"/> with all its data: the file and its write-ahead log, or a
    /// PostgreSQL workspace's rows in every table, its id sequences and its name (one transaction, as its writer).
    /// Nothing else in the database changes. Callers decide whether it may be removed (the demo removes only a demo).
    /// </summary>
    public static void Delete(string path)
    {
        if (WorkspaceLocation.IsServer(path))
        {
            Postgres.PostgresWorkspace.Delete(Postgres.PostgresLocation.Parse(path));
            return;
        }

        File.Delete(path);
        File.Delete(path + ".wal");
    }

    /// <summary>
    /// Opens an existing workspace for reading and writing and migrates it to the latest schema, failing
    /// at once when another process holds it. See <see cref="Open(string, WorkspaceAccess, WorkspaceWait?)"/>.
    /// </summary>
    public static Workspace Open(string path) => Open(path, WorkspaceAccess.ReadWrite, null);

    /// <summary>
    /// Opens an existing workspace. <see cref="WorkspaceAccess.ReadOnly"/> opens share the file with
    /// each other; a read-write open excludes every other open. When the workspace is held in a conflicting
    /// way, the open retries until <paramref name="wait"/>'s limit, announcing the wait once; without
    /// <paramref name="wait"/> it fails at once. A read-only open of a workspace with an older schema first
    /// migrates it through a brief read-write open. Throws <see cref="SalesKpiException"/> naming the one true
    /// cause when the path is missing or a folder, the file is not a database of the engine, is damaged, is not a
    /// SalesKpi workspace, was made by a newer SalesKpi, may not be opened by this user, or stays busy.
    /// </summary>
    public static Workspace Open(string path, WorkspaceAccess access, WorkspaceWait? wait) =>
        WorkspaceLocation.IsServer(path)
            ? Postgres.PostgresWorkspace.Open(Postgres.PostgresLocation.Parse(path), access, wait)
            : DuckDbWorkspace.Open(path, access, wait);

    /// <summary>
    /// Creates a command with positional parameters bound to <paramref name="args"/> in order; the SQL spells
    /// them <c>Dialect.Parameter(1)</c>, <c>Dialect.Parameter(2)</c>, ….
    /// </summary>
    public abstract DbCommand Command(string sql, params object?[] args);

    /// <summary>
    /// Creates a command with named parameters (spelled <c>Dialect.Parameter(name)</c> in the SQL) bound to
    /// <paramref name="args"/>; arrays are bound as the engine's list or array type.
    /// </summary>
    public abstract DbCommand NamedCommand(string sql, IReadOnlyDictionary<string, object?> args);

    /// <summary>Starts a transaction on the workspace connection; until it ends, <see cref="OpenSibling"/> returns null.</summary>
    public DbTransaction BeginTransaction()
    {
        var tx = new TrackedTransaction(BeginTransactionCore());
        open = tx;
        return tx;
    }

    /// <summary>Whether a transaction begun by <see cref="BeginTransaction"/> is still open on this session.</summary>
    public bool InTransaction => open is { Done: false };

    /// <summary>Starts a transaction on the provider's connection (see <see cref="BeginTransaction"/>).</summary>
    protected abstract DbTransaction BeginTransactionCore();

    /// <summary>
    /// Runs <paramref name="statements"/> that shape this session (temp views shadowing tables, session settings) and
    /// keeps them, so that every <see cref="OpenSibling">sibling</see> opened later starts with the same session.
    /// Statements that are not session state (writes, the engine's own temp tables) must not go through here.
    /// </summary>
    public void ApplySession(IEnumerable<string> statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        foreach (var statement in statements)
        {
            Execute(statement);
            session.Add(statement);
        }
    }

    /// <summary>
    /// Another session of this workspace on a connection of its own, for reads that run side by side with this one's:
    /// the same data, access and settings, and the statements given to <see cref="ApplySession"/> replayed (so a scoped
    /// session's sibling sees the same owner's rows). It does not share this session's temp tables. Null when the
    /// provider cannot open one or a transaction is open here — a sibling would not see its uncommitted rows. The
    /// caller disposes it.
    /// </summary>
    public Workspace? OpenSibling()
    {
        if (InTransaction)
        {
            return null;
        }

        var sibling = OpenSiblingCore();
        if (sibling is null)
        {
            return null;
        }

        try
        {
            sibling.ApplySession(session);
            return sibling;
        }
        catch
        {
            sibling.Dispose();
            throw;
        }
    }

    /// <summary>A new session of the same workspace with the provider's own session setup, or null (see <see cref="OpenSibling"/>).</summary>
    protected virtual Workspace? OpenSiblingCore() => null;

    /// <summary>
    /// Starts a bulk append into <paramref name="table"/> on this workspace's connection; with
    /// <paramref name="temporary"/>, into a session table made by <see cref="ISqlDialect.CreateTempTable"/>.
    /// </summary>
    public abstract IBulkWriter CreateBulkWriter(string table, bool temporary = false);

    /// <summary>
    /// Switches the engine to bulk-load settings (memory capped at <paramref name="memoryLimit"/>, written the
    /// way the engine writes sizes) until the returned scope is disposed, when the engine's defaults come back.
    /// An engine without such settings returns a scope that does nothing.
    /// </summary>
    public abstract IDisposable BeginBulkLoad(string memoryLimit = "256MB");

    /// <summary>
    /// Writes the rows of <paramref name="query"/> (no parameters) to the CSV file <paramref name="path"/> on this
    /// machine: a header of the column names, comma-delimited, UTF-8, fields quoted only where needed.
    /// </summary>
    public abstract void WriteCsv(string query, string path);

    /// <summary>
    /// A number that grows with every committed change of the workspace, whoever made it, for caches shared by several
    /// processes; null when the engine keeps none (DuckDB: one process writes a file, and its size and write time tell
    /// a change, see <see cref="WorkspacePool"/>). Read it before the data it labels: an answer computed after reading
    /// version v reflects v or later, never earlier.
    /// </summary>
    public virtual long? DataVersion() => null;

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
    /// The next value of the id sequence <paramref name="sequence"/> (see <see cref="IdSequences"/>): unique for
    /// the workspace's life, increasing, but not dense — a value taken by a command that rolled back may be skipped.
    /// </summary>
    public long NextId(string sequence) =>
        Convert.ToInt64(Scalar("SELECT " + Dialect.NextValue(sequence)), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads the workspace settings whose key starts with <paramref name="prefix"/>, prefix removed.</summary>
    public IReadOnlyDictionary<string, string> ReadSettings(string prefix) =>
        // A handful of rows: filtering here keeps the SQL free of a prefix function whose name differs by engine.
        Query("SELECT key, value FROM saleskpi_meta", r => (r.GetString(0), r.GetString(1)))
            .Where(x => x.Item1.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(x => x.Item1[prefix.Length..], x => x.Item2, StringComparer.Ordinal);

    /// <summary>Stores one workspace setting (insert or replace).</summary>
    public void WriteSetting(string key, string value) => Execute(WriteSettingSql(Dialect), key, value);

    /// <summary>Removes one workspace setting; returns false when it was not set.</summary>
    public bool DeleteSetting(string key) => Execute($"DELETE FROM saleskpi_meta WHERE key = {Dialect.Parameter(1)}", key) > 0;

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the connection.</summary>
    protected abstract void Dispose(bool disposing);

    // Whether a transaction begun here has ended: ADO.NET has no provider-neutral way to ask a connection.
    private sealed class TrackedTransaction(DbTransaction inner) : DbTransaction
    {
        public bool Done { get; private set; }

        public override IsolationLevel IsolationLevel => inner.IsolationLevel;

        protected override DbConnection? DbConnection => inner.Connection;

        public override void Commit()
        {
            inner.Commit();
            Done = true;
        }

        public override void Rollback()
        {
            inner.Rollback();
            Done = true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                Done = true;
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>The statement storing one meta key (parameter 1) with its value (parameter 2), replacing an earlier value.</summary>
    public static string WriteSettingSql(ISqlDialect d) =>
        d.Upsert("saleskpi_meta", ["key"], ["key", "value"], [d.Parameter(1), d.Parameter(2)]);

    /// <summary>The statement reading one meta key (parameter 1).</summary>
    public static string ReadSettingSql(ISqlDialect d) => $"SELECT value FROM saleskpi_meta WHERE key = {d.Parameter(1)}";
}

/// <summary>How a command opens a workspace.</summary>
public enum WorkspaceAccess
{
    /// <summary>May change the workspace; excludes every other process while open.</summary>
    ReadWrite,

    /// <summary>Only reads; any number of read-only opens share the file, but not with a writer.</summary>
    ReadOnly,
}

/// <summary>
/// How long an open waits for a workspace another process holds, and where it says that it waits.
/// </summary>
/// <param name="Limit">The longest wait; zero fails at once.</param>
/// <param name="Waiting">Receives the one "waiting for …" message, once when the wait starts; the host renders it.</param>
/// <param name="Clock">The clock the wait is measured and slept on.</param>
public sealed record WorkspaceWait(TimeSpan Limit, Action<Msg> Waiting, TimeProvider Clock)
{
    /// <summary>The interval between attempts to open.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Runs <paramref name="attempt"/> until it returns a value, every <see cref="Poll"/> while <paramref name="wait"/>
    /// allows; announces <paramref name="waiting"/> once when the wait starts. When it gives up it throws what
    /// <paramref name="refused"/> makes of it: with <c>true</c> when a limit was given and ran out, <c>false</c> when
    /// there was no wait at all (the first refusal is final then: there is no clock to read).
    /// </summary>
    internal static T Retry<T>(WorkspaceWait? wait, Func<T?> attempt, Msg waiting, Func<bool, SalesKpiException> refused)
        where T : class
    {
        var clock = wait?.Clock;
        var start = clock?.GetTimestamp() ?? 0;
        var announced = false;
        while (true)
        {
            if (attempt() is { } done)
            {
                return done;
            }

            var waited = clock?.GetElapsedTime(start) ?? TimeSpan.Zero;
            if (wait is null || clock is null || waited >= wait.Limit)
            {
                throw refused(wait is not null && wait.Limit > TimeSpan.Zero);
            }

            if (!announced)
            {
                announced = true;
                wait.Waiting(waiting);
            }

            var left = wait.Limit - waited;
            Task.Delay(left < Poll ? left : Poll, clock).GetAwaiter().GetResult();
        }
    }
}
