using System.Collections;
using System.Text;
using Spectre.Console;

namespace SalesKpi.Cli;

/// <summary>
/// Everything one run of the command line reads from or writes to outside its arguments: the screen
/// (<see cref="Console"/>: tables and coloured text), standard output for machine-readable documents
/// (<see cref="Out"/>: JSON, CSV, YAML), standard error, standard input, the environment variables, the
/// folder relative paths start from, and the clock. <see cref="ForProcess"/> is the real process; a test
/// builds one per run (a Spectre <c>TestConsole</c>, string writers, its own variables and folder), so two
/// runs in one process share nothing.
/// </summary>
/// <param name="Console">Where tables, markup and progress are drawn.</param>
/// <param name="Out">Standard output, for documents that must reach it unchanged (JSON, CSV, YAML).</param>
/// <param name="Error">Standard error: errors, warnings, traces.</param>
/// <param name="Clock">"Now" for this run.</param>
public sealed record CliEnvironment(IAnsiConsole Console, TextWriter Out, TextWriter Error, TimeProvider Clock)
{
    /// <summary>Standard input.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>The environment variables this run sees (SALESKPI_DB, SALESKPI_LANG, SALESKPI_FAULT, PATH, …).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>The folder relative paths are read from.</summary>
    public string CurrentDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>True when the screen can redraw (progress bars); false for logs, pipes and tests.</summary>
    public bool Interactive { get; init; }

    /// <summary>True when standard error goes to a file or pipe (no width to wrap at).</summary>
    public bool ErrorRedirected { get; init; } = true;

    /// <summary>The value of environment variable <paramref name="name"/>, or null when it is unset or empty.</summary>
    public string? Variable(string name) => Variables.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    /// <summary>This process: the system console, its standard streams and environment, the system clock.</summary>
    public static CliEnvironment ForProcess()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            // Logs and pipes have no width; wrapping at Spectre's default 80 columns would split paths.
            console.Profile.Width = 250;
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            variables[(string)e.Key] = (string?)e.Value ?? string.Empty;
        }

        return new CliEnvironment(console, System.Console.Out, System.Console.Error, TimeProvider.System)
        {
            In = System.Console.In,
            Variables = variables,
            CurrentDirectory = Environment.CurrentDirectory,
            Interactive = !System.Console.IsOutputRedirected && console.Profile.Capabilities.Interactive,
            ErrorRedirected = System.Console.IsErrorRedirected,
        };
    }
}
