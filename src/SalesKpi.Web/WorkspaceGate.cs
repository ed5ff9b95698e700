namespace SalesKpi.Web;

/// <summary>
/// Readers and writers of the workspace inside the server process: any number of requests that only read run
/// together; a request that may change the workspace runs alone, after the reads in flight and before reads that
/// arrive while it waits (so a stream of reads cannot starve it). Other processes are kept apart by the file lock.
/// </summary>
#pragma warning disable CA1001 // The semaphores' wait handles are never asked for, so there is nothing to dispose; the gate lives as long as the server.
public sealed class WorkspaceGate
#pragma warning restore CA1001
{
    private readonly SemaphoreSlim turnstile = new(1, 1);
    private readonly SemaphoreSlim room = new(1, 1);
    private readonly SemaphoreSlim count = new(1, 1);
    private int readers;

    /// <summary>Waits until the caller may read (<paramref name="write"/> false) or write; disposing the result leaves.</summary>
    public async Task<IDisposable> Enter(bool write, CancellationToken cancel)
    {
        await turnstile.WaitAsync(cancel).ConfigureAwait(false);
        if (write)
        {
            try
            {
                await room.WaitAsync(cancel).ConfigureAwait(false);
            }
            catch
            {
                turnstile.Release();
                throw;
            }

            return new Leave(() =>
            {
                room.Release();
                turnstile.Release();
            });
        }

        turnstile.Release();
        await count.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (++readers == 1)
            {
                await room.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            count.Release();
        }

        return new Leave(() =>
        {
            count.Wait();
            try
            {
                if (--readers == 0)
                {
                    room.Release();
                }
            }
            finally
            {
                count.Release();
            }
        });
    }

    private sealed class Leave(Action action) : IDisposable
    {
        private int done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref done, 1) == 0)
            {
                action();
            }
        }
    }
}
