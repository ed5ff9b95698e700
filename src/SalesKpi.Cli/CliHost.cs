using SalesKpi.Cli.Commands;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Cli;

/// <summary>
/// The one place CLI commands get their clock and request context from: created once per run by
/// <see cref="CliApp.Run"/> and handed to every command through the command app's type registrar.
/// </summary>
internal sealed class CliHost(TimeProvider clock)
{
    /// <summary>The clock of this run (fixed by tests through SALESKPI_NOW).</summary>
    public TimeProvider Clock => clock;

    /// <summary>The request context of a command: its language, this run's clock, the acting user and the workspace options.</summary>
    public RequestContext Context(WorkspaceCommandSettings settings, string? author = null) =>
        new(Loc.Current, clock, author ?? ConfigStore.DefaultAuthor, settings.DbPath)
        {
            Wait = TimeSpan.FromSeconds(settings.Wait ?? WorkspaceCommandSettings.DefaultWaitSeconds),
            Waiting = line => Console.Error.WriteLine(line),
            Trace = settings.Verbose ? line => Console.Error.WriteLine(line) : null,
        };

    /// <summary>The request context of a command that names its workspace itself (demo).</summary>
    public RequestContext Context(GlobalSettings settings, string db) =>
        new(Loc.Current, clock, ConfigStore.DefaultAuthor, db)
        {
            Waiting = line => Console.Error.WriteLine(line),
            Trace = settings.Verbose ? line => Console.Error.WriteLine(line) : null,
        };

    /// <summary>Writes the warnings a service returned to standard error.</summary>
    public static void Warn(IEnumerable<string> warnings)
    {
        foreach (var w in warnings)
        {
            Console.Error.WriteLine(w);
        }
    }
}
