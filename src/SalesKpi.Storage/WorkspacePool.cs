using System.Data.Common;

namespace SalesKpi.Storage;

/// <summary>
/// Read-only workspaces kept open between calls of a long-lived process (the web server), so that a dashboard's many
/// small queries do not each pay for opening the file and warming a fresh connection (the first statements on a new
/// DuckDB connection cost tens of milliseconds). <see cref="Rent"/> hands out a workspace used by one caller at a
/// time; disposing it returns it here. Idle workspaces are closed after <see cref="KeepAlive"/>, because an open
/// read-only workspace holds the file's shared lock and an import in another process must wait for it; they are also
/// closed when the file changed since they were opened (a write in this process: the engine's lock does not keep
/// those out). A PostgreSQL workspace's connections stay valid whatever other processes write (each statement reads the
/// last committed state); what a cache built on them needs is <see cref="Workspace.DataVersion"/>. One-shot hosts (the
/// CLI) do not use a pool.
/// </summary>
public sealed class WorkspacePool : IDisposable
{
    private readonly object gate = new();
    private readonly Dictionary<string, Stack<(Workspace Ws, FileVersion Version, DateTimeOffset IdleSince)>> idle = new(StringComparer.Ordinal);
    private readonly TimeProvider clock;
    private readonly ITimer? sweeper;
    private bool disposed;

    /// <summary>Creates a pool closing workspaces idle for longer than <paramref name="keepAlive"/> (checked every half of it).</summary>
    public WorkspacePool(TimeSpan keepAlive, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(keepAlive, TimeSpan.Zero);
        KeepAlive = keepAlive;
        this.clock = clock;
        sweeper = clock.CreateTimer(_ => Sweep(), null, keepAlive / 2, keepAlive / 2);
    }

    /// <summary>How long an unused workspace stays open.</summary>
    public TimeSpan KeepAlive { get; }

    /// <summary>Workspaces open and not rented right now (for tests and diagnostics).</summary>
    public int IdleCount
    {
        get
        {
            lock (gate)
            {
                return idle.Values.Sum(s => s.Count);
            }
        }
    }

    /// <summary>
    /// A read-only workspace of <paramref name="path"/> for the caller alone until it is disposed: an idle one opened
    /// for the file as it is now, else a newly opened one (<see cref="Workspace.Open(string, WorkspaceAccess, WorkspaceWait?)"/>).
    /// </summary>
    public Workspace Rent(string path, WorkspaceWait? wait)
    {
        // A PostgreSQL location is no file: its FileVersion is always the same, and a pooled connection never goes stale,
        // because every statement reads the last committed state.
        var full = WorkspaceLocation.IsServer(path) ? path : System.IO.Path.GetFullPath(path);
        var version = FileVersion.Of(full);
        List<Workspace> stale = [];
        Workspace? found = null;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (idle.TryGetValue(full, out var stack))
            {
                while (stack.TryPop(out var entry))
                {
                    if (entry.Version == version)
                    {
                        found = entry.Ws;
                        break;
                    }

                    stale.Add(entry.Ws);
                }
            }
        }

        stale.ForEach(w => w.Dispose());
        return new Lease(found ?? Workspace.Open(full, WorkspaceAccess.ReadOnly, wait), full, version, this);
    }

    /// <summary>Closes every idle workspace now (e.g. before this process writes to a workspace).</summary>
    public void Clear() => Close(_ => true);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }

        sweeper?.Dispose();
        Clear();
    }

    private void Sweep() => Close(since => clock.GetUtcNow() - since >= KeepAlive);

    private void Close(Func<DateTimeOffset, bool> expired)
    {
        List<Workspace> closing = [];
        lock (gate)
        {
            foreach (var (path, stack) in idle.ToList())
            {
                var keep = stack.Where(e => !expired(e.IdleSince)).Reverse().ToList();
                closing.AddRange(stack.Where(e => expired(e.IdleSince)).Select(e => e.Ws));
                idle[path] = new Stack<(Workspace, FileVersion, DateTimeOffset)>(keep);
            }
        }

        closing.ForEach(w => w.Dispose());
    }

    private void Return(Workspace ws, string path, FileVersion version)
    {
        lock (gate)
        {
            // A workspace rented before the file changed is not worth keeping; neither is anything after disposal.
            if (!disposed && FileVersion.Of(path) == version)
            {
                if (!idle.TryGetValue(path, out var stack))
                {
                    idle[path] = stack = new();
                }

                stack.Push((ws, version, clock.GetUtcNow()));
                return;
            }
        }

        ws.Dispose();
    }

    /// <summary>The file's size and last write time: a write that reached the file changes one of them.</summary>
    private readonly record struct FileVersion(long Length, DateTime LastWriteUtc)
    {
        public static FileVersion Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileVersion(info.Length, info.LastWriteTimeUtc) : default;
        }
    }

    /// <summary>A rented workspace: every member goes to the pooled one; disposing it gives that back to the pool.</summary>
    private sealed class Lease(Workspace inner, string home, FileVersion version, WorkspacePool pool)
        : Workspace(inner.Path, inner.Settings, inner.Access)
    {
        private int returned;

        public override ISqlDialect Dialect => inner.Dialect;

        public override DbCommand Command(string sql, params object?[] args) => inner.Command(sql, args);

        public override DbCommand NamedCommand(string sql, IReadOnlyDictionary<string, object?> args) => inner.NamedCommand(sql, args);

        protected override DbTransaction BeginTransactionCore() => inner.BeginTransaction();

        protected override Workspace? OpenSiblingCore() => inner.OpenSibling();

        public override IBulkWriter CreateBulkWriter(string table, bool temporary = false) => inner.CreateBulkWriter(table, temporary);

        public override IDisposable BeginBulkLoad(string memoryLimit = "256MB") => inner.BeginBulkLoad(memoryLimit);

        public override void WriteCsv(string query, string path) => inner.WriteCsv(query, path);

        public override long? DataVersion() => inner.DataVersion();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref returned, 1) == 0)
            {
                pool.Return(inner, home, version);
            }
        }
    }
}
