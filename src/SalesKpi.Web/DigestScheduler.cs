using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;

namespace SalesKpi.Web;

/// <summary>
/// Sends the scheduled digests of <c>saleskpi serve</c>: every <see cref="ServerOptions.DigestTick"/> of the server's
/// <see cref="TimeProvider"/>, starting one tick after the start, it asks <see cref="DigestSubscriptionsService.SendDueAsync"/>
/// to serve the subscriptions whose slot has come, reading through the server's <see cref="WorkspacePool"/> like a request
/// and writing each delivery record through the server's <see cref="WriteGate"/>. Which slots were served is read from
/// the workspace, so a restart neither repeats a sent digest nor forgets a due one.
/// </summary>
internal sealed class DigestScheduler(ServerOptions options, WriteGate gate, WorkspacePool pool, ILogger<DigestScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var service = new DigestSubscriptionsService();

        // The first round waits a tick as well: the start belongs to the requests, and a server stopped soon after its
        // start never opens the workspace for digests while it shuts down.
        while (await Tick(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var ctx = new RequestContext(Language.En, options.Clock, ConfigStore.DefaultAuthor, options.WorkspacePath) { Wait = options.Wait, Pool = pool };
                foreach (var result in await service.SendDueAsync(options.Digests, ctx, ct => gate.EnterAsync(options.WriteWait, ct), stoppingToken).ConfigureAwait(false))
                {
                    if (!result.Sent)
                    {
                        log.LogWarning("The digest of subscription #{Id} for {Slot:u} was not delivered; see 'saleskpi digest deliveries'.", result.Subscription.Id, result.SlotUtc);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SalesKpiException ex)
            {
                // The workspace is busy or unreadable for a moment: the due slots are still unserved at the next tick.
                log.LogWarning("Digest scheduling skipped a round: {Reason}", ex.Text.Render(Language.En));
            }
        }
    }

    // False when the server is stopping.
    private async Task<bool> Tick(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.DigestTick, options.Clock, stoppingToken).ConfigureAwait(false);
            return !stoppingToken.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
