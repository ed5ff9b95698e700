using SalesKpi.Storage;

namespace SalesKpi.Tests.Storage;

/// <summary>
/// The pool a long-lived host keeps read-only workspaces in: a returned workspace (its connection, temp tables included)
/// serves the next call; two calls at once never share one; idle ones close after the keep-alive, and one opened before
/// the file changed is never handed out again.
/// </summary>
public sealed class WorkspacePoolTests : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);

    private readonly TempDir dir = new();
    private readonly ManualClock clock = new();

    public WorkspacePoolTests() => Ws.Create(dir).Dispose();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_returned_workspace_serves_the_next_call_with_its_connection_state()
    {
        using var pool = new WorkspacePool(KeepAlive, clock);
        using (var first = pool.Rent(dir.Db, null))
        {
            first.Access.ShouldBe(WorkspaceAccess.ReadOnly);
            first.Execute("CREATE TEMP TABLE _probe AS SELECT 42 AS x");
        }

        pool.IdleCount.ShouldBe(1);
        using var second = pool.Rent(dir.Db, null);
        second.Count("SELECT x FROM _probe").ShouldBe(42);
        pool.IdleCount.ShouldBe(0);
    }

    [Fact]
    public void Two_calls_at_once_get_separate_workspaces()
    {
        using var pool = new WorkspacePool(KeepAlive, clock);
        var a = pool.Rent(dir.Db, null);
        var b = pool.Rent(dir.Db, null);
        a.Execute("CREATE TEMP TABLE _probe AS SELECT 1 AS x");

        Should.Throw<Exception>(() => b.Count("SELECT x FROM _probe"));
        a.Dispose();
        b.Dispose();
        a.Dispose();
        pool.IdleCount.ShouldBe(2);
    }

    [Fact]
    public void Idle_workspaces_are_closed_after_the_keep_alive()
    {
        using var pool = new WorkspacePool(KeepAlive, clock);
        pool.Rent(dir.Db, null).Dispose();

        clock.Advance(KeepAlive / 2);
        pool.IdleCount.ShouldBe(1);
        clock.Advance(KeepAlive / 2);
        pool.IdleCount.ShouldBe(0);
    }

    [Fact]
    public void A_workspace_opened_before_the_file_changed_is_not_handed_out_again()
    {
        using var pool = new WorkspacePool(KeepAlive, clock);
        using (var first = pool.Rent(dir.Db, null))
        {
            first.Execute("CREATE TEMP TABLE _probe AS SELECT 1 AS x");
        }

        File.SetLastWriteTimeUtc(dir.Db, File.GetLastWriteTimeUtc(dir.Db).AddMinutes(1));

        using var second = pool.Rent(dir.Db, null);
        Should.Throw<Exception>(() => second.Count("SELECT x FROM _probe"));
    }

    [Fact]
    public void Clear_closes_every_idle_workspace()
    {
        using var pool = new WorkspacePool(KeepAlive, clock);
        pool.Rent(dir.Db, null).Dispose();

        pool.Clear();

        pool.IdleCount.ShouldBe(0);
    }

    /// <summary>A clock moved by the test; its timers fire when it passes their due time.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private readonly List<ManualTimer> timers = [];
        private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state, now + dueTime, period);
            timers.Add(timer);
            return timer;
        }

        public void Advance(TimeSpan by)
        {
            now += by;
            foreach (var t in timers.ToList())
            {
                t.FireUntil(now);
            }
        }

        private sealed class ManualTimer(TimerCallback callback, object? state, DateTimeOffset due, TimeSpan period) : ITimer
        {
            private bool disposed;

            public void FireUntil(DateTimeOffset now)
            {
                while (!disposed && due <= now)
                {
                    callback(state);
                    due += period;
                }
            }

            public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

            public void Dispose() => disposed = true;

            public ValueTask DisposeAsync()
            {
                disposed = true;
                return ValueTask.CompletedTask;
            }
        }
    }
}
