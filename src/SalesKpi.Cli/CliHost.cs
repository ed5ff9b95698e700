using SalesKpi.Cli.Commands;
using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;
using Spectre.Console;

namespace SalesKpi.Cli;

/// <summary>
/// One run of the command line as the commands see it: created by <see cref="CliApp.Run(string[], CliEnvironment)"/>
/// and handed to every command through the command app's type registrar. It carries the run's
/// <see cref="CliEnvironment"/> (screen, streams, variables, folder, clock) and language, and builds the
/// request context of each command; commands never touch the process's console or environment directly.
/// </summary>
internal sealed class CliHost(CliEnvironment env, Language language)
{
    /// <summary>The variable that injects faults into an import (reliability tests, <c>docs/reliability.md</c>).</summary>
    public const string FaultVariable = "SALESKPI_FAULT";

    /// <summary>The line announced on standard error when an import holds before its commit.</summary>
    public const string PausedLine = "fault: paused before commit";

    /// <summary>The clock of this run.</summary>
    public TimeProvider Clock => env.Clock;

    /// <summary>The language of this run.</summary>
    public Language Language => language;

    /// <summary>The screen: tables, markup, progress.</summary>
    public IAnsiConsole Console => env.Console;

    /// <summary>Standard output for documents (JSON, CSV, YAML).</summary>
    public TextWriter Out => env.Out;

    /// <summary>Standard error.</summary>
    public TextWriter Error => env.Error;

    /// <summary>True when the screen can redraw (progress bars, colours).</summary>
    public bool Interactive => env.Interactive;

    /// <summary>The value of an environment variable of this run, or null.</summary>
    public string? Variable(string name) => env.Variable(name);

    /// <summary>How the user started this program, for the commands it suggests.</summary>
    public string Invocation => SalesKpi.Cli.Invocation.Command(Environment.ProcessPath, AppContext.BaseDirectory, env.CurrentDirectory, env.Variable("PATH"));

    /// <summary>
    /// A path as the services should get it. Relative to the run's folder; passed on as typed when that
    /// folder is the process's own (so messages show the path the user wrote), made absolute otherwise.
    /// </summary>
    public string PathOf(string path) =>
        Path.IsPathRooted(path) || WorkspaceLocation.IsServer(path) || string.Equals(Path.GetFullPath(env.CurrentDirectory), Environment.CurrentDirectory, StringComparison.Ordinal)
            ? path
            : Path.GetFullPath(path, env.CurrentDirectory);

    /// <summary>The workspace as the user named it: <paramref name="db"/>, else SALESKPI_DB, else <paramref name="fallback"/>.</summary>
    public string WorkspaceArgument(string? db, string fallback) => db ?? env.Variable("SALESKPI_DB") ?? fallback;

    /// <summary>The workspace path of <see cref="WorkspaceArgument"/>, resolved by <see cref="PathOf"/>.</summary>
    public string WorkspacePath(string? db, string fallback) => PathOf(WorkspaceArgument(db, fallback));

    /// <summary>The request context of a command: its language, this run's clock, the acting user and the workspace options.</summary>
    public RequestContext Context(WorkspaceCommandSettings settings, string? author = null) =>
        new(language, env.Clock, author ?? ConfigStore.DefaultAuthor, WorkspaceLocation.WithWorkspace(WorkspacePath(settings.Db, Workspace.DefaultFileName), settings.Workspace))
        {
            Wait = TimeSpan.FromSeconds(settings.Wait ?? WorkspaceCommandSettings.DefaultWaitSeconds),
            Waiting = env.Error.WriteLine,
            Trace = settings.Verbose ? env.Error.WriteLine : null,
        };

    /// <summary>The request context of a command that names its workspace itself (demo).</summary>
    public RequestContext Context(GlobalSettings settings, string db) =>
        new(language, env.Clock, ConfigStore.DefaultAuthor, db)
        {
            Waiting = env.Error.WriteLine,
            Trace = settings.Verbose ? env.Error.WriteLine : null,
        };

    /// <summary>Writes the warnings a service returned to standard error.</summary>
    public void Warn(IEnumerable<Msg> warnings)
    {
        foreach (var w in warnings)
        {
            env.Error.WriteLine(w.Render(Loc.Current));
        }
    }

    /// <summary>
    /// The import hook asked for by SALESKPI_FAULT, or null: <c>fail-after-append</c> fails the import after a
    /// file's rows are appended; <c>pause-before-commit</c> announces <see cref="PausedLine"/> on standard error
    /// and holds the import just before its commit for good, so a test or script can kill the process there.
    /// </summary>
    public Action<ImportStage>? ImportFaults() => env.Variable(FaultVariable) switch
    {
        "fail-after-append" => stage =>
        {
            if (stage == ImportStage.RowsAppended)
            {
                throw new InvalidOperationException("injected fault after appending rows");
            }
        },
        "pause-before-commit" => stage =>
        {
            if (stage == ImportStage.BeforeCommit)
            {
                env.Error.WriteLine(PausedLine);
                env.Error.Flush();
                Thread.Sleep(Timeout.Infinite);
            }
        },
        _ => null,
    };
}
