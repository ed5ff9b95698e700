using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Web;

/// <summary>
/// Holds the workspace open for writing for the server's lifetime, so that the process owns the file. DuckDB shares
/// one database instance among the connections a process opens on a file, whatever access each asks for: with this
/// connection opened first the instance is writable, every change gets a writable connection, and a request that
/// reads during an import reads the last committed state (DuckDB's transactions) instead of waiting or failing.
/// Without it, a read-only connection opened first would make the instance read-only and the next import fail.
/// The price: while the server runs, other processes (the CLI) cannot open the workspace; they use the API.
/// A PostgreSQL workspace is not held: the database server shares it among any number of processes.
/// </summary>
internal sealed class WorkspaceKeeper(ServerOptions options, ILogger<WorkspaceKeeper> log) : IHostedService, IDisposable
{
    private Workspace? held;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (WorkspaceLocation.IsServer(options.WorkspacePath))
        {
            return Task.CompletedTask;
        }

        try
        {
            held = Workspace.Open(options.WorkspacePath, WorkspaceAccess.ReadWrite, new WorkspaceWait(options.Wait, _ => { }, options.Clock));
        }
        catch (SalesKpiException ex)
        {
            // /readyz reports the workspace's state; the server still starts so that it can say so.
            log.LogWarning("The workspace {Path} is not held open: {Reason}", options.WorkspacePath, ex.Text.Render(Language.En));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        held?.Dispose();
        held = null;
    }
}
