using SalesKpi.Core;

namespace SalesKpi.Web;

/// <summary>
/// The one writer of a server: every change and every import passes through it, one at a time. A second writer
/// waits up to the server's write wait, then is refused with code <c>api.writer_busy</c> (409 Conflict, Retry-After)
/// saying why; readers never pass through it. Its <see cref="Version"/> counts the writers that have left it, so that
/// cached answers (<see cref="ResultCache"/>) of an older data version are never served again.
/// </summary>
public sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private long version;

    /// <summary>
    /// The data version: bumped when a writer leaves the gate, after its change committed or rolled back (a
    /// refused change bumps it too, which costs the cache a refill and never serves a stale answer).
    /// </summary>
    public long Version => Interlocked.Read(ref version);

    /// <summary>Enters the gate, waiting up to <paramref name="wait"/>; dispose the result to leave it.</summary>
    public async Task<IDisposable> EnterAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await gate.WaitAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            throw new SalesKpiException(Msg.Of(
                "api.writer_busy",
                "Another change or import is running on this server and did not finish within {0:0} s: try again when it is done.",
                "На этом сервере идёт другое изменение или импорт, и он не закончился за {0:0} с: повторите, когда он завершится.",
                wait.TotalSeconds));
        }

        return new Release(this);
    }

    /// <summary>Frees the semaphore.</summary>
    public void Dispose() => gate.Dispose();

    private sealed class Release(WriteGate owner) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                // Bumped before the next writer may enter, after this one's transaction ended.
                Interlocked.Increment(ref owner.version);
                owner.gate.Release();
            }
        }
    }
}
