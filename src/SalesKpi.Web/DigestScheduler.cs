using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Web;

/// <summary>
/// Sends the scheduled digests of <c>saleskpi serve</c>: at start and then every <see cref="ServerOptions.DigestTick"/>
/// of the server's <see cref="TimeProvider"/> it asks <see cref="DigestSubscriptionsService.SendDueAsync"/> to serve the
/// subscriptions whose slot has come, writing each delivery record through the server's <see cref="WriteGate"/>. Which
/// slots were served is read from the workspace, so a restart neither repeats a sent digest nor forgets a due one.
/// </summary>
internal sealed class DigestScheduler(ServerOptions options, WriteGate gate, ILogger<DigestScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var service = new DigestSubscriptionsService();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var ctx = new RequestContext(Language.En, options.Clock, ConfigStore.DefaultAuthor, options.WorkspacePath) { Wait = options.Wait };
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

            try
            {
                await Task.Delay(options.DigestTick, options.Clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
