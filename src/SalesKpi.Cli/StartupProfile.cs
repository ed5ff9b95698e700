using System.Runtime;

namespace SalesKpi.Cli;

/// <summary>
/// The runtime's multicore JIT for the command line. A run of a command records which methods the JIT had to compile
/// (those ReadyToRun code does not cover, mostly generic instantiations over value types, about 700 in a report),
/// and the next run of the same command compiles them on a spare core before the command calls them: a full report
/// at 1 M leads finishes 0.06–0.1 s sooner (docs/benchmarks.md, tenth step).
/// </summary>
/// <remarks>
/// One profile per command (a sub-command of <c>config</c>, <c>targets</c>, <c>digest</c> or <c>users</c> has its
/// own), a few tens of KB each, in <c>saleskpi/jit</c> under the user's cache folder: <c>$XDG_CACHE_HOME</c> (an
/// absolute path) or <c>~/.cache</c>, <c>%LOCALAPPDATA%</c> on Windows. <c>SALESKPI_JIT_PROFILE=off</c> turns it off.
/// The runtime writes the profile when the process ends and plays it back only on two or more cores. A profile
/// that is missing, left by another build (the runtime matches each assembly's identity) or damaged only loses the
/// head start; a folder that cannot be made turns it off for the run. Process-wide, so only the process entry point
/// starts it, never <see cref="CliApp.Run(string[], CliEnvironment)"/>.
/// </remarks>
internal static class StartupProfile
{
    /// <summary>The variable that turns the profile off (<c>off</c>) or leaves it on (<c>on</c>, or unset).</summary>
    public const string Variable = "SALESKPI_JIT_PROFILE";

    /// <summary>
    /// Every command, a sub-command as "branch name"; any other words (a typo, a branch alone, an option) record
    /// nothing, so they leave no file and replace no profile.
    /// </summary>
    // A plain hash set: it is built once per process and asked twice, and a frozen set's analysis of its keys cost
    // 12 ms of every command's start (docs/benchmarks.md, eleventh step).
    internal static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal)
    {
        "demo", "init", "import", "report", "explain", "diagnose", "simulate", "calibrate", "brief", "funnel", "forecast",
        "survival", "velocity", "params", "scorecard", "export", "check", "snapshot", "history", "review", "serve",
        "audit", "status",
        "config validate", "config apply", "config log", "config diff", "config show",
        "targets set", "targets remove", "targets list", "targets import", "targets suggest",
        "digest send", "digest subscribe", "digest subscriptions", "digest unsubscribe", "digest deliveries", "digest settings",
        "users add", "users list", "users disable", "users enable", "users reset-password", "users set-role", "users token",
        "users reps-see-company-totals",
    };

    /// <summary>
    /// Starts recording (and playing back) the profile of <paramref name="command"/> (as <see cref="Command"/> names
    /// it), reading the environment through <paramref name="variable"/>; does nothing when it is off, there is no
    /// command, or the environment names no folder that can be made.
    /// </summary>
    public static void Start(string? command, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (OnOff.IsOff(variable(Variable))
            || command is null
            || Folder(variable) is not { } folder)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return;
        }

        ProfileOptimization.SetProfileRoot(folder);
        ProfileOptimization.StartProfile(command.Replace(' ', '-') + ".jitprofile");
    }

    /// <summary>
    /// The command <paramref name="args"/> name (after a leading <c>--lang xx</c>), as listed in <see cref="Commands"/>,
    /// or null; null too for a request for help, which would otherwise replace the command's profile with the few
    /// methods help needs.
    /// </summary>
    internal static string? Command(string[] args)
    {
        var words = args.Length >= 3 && args[0] == "--lang" ? args[2..] : args;
        if (words.Any(a => a is "-h" or "--help" or "-?"))
        {
            return null;
        }

        return words.Length >= 2 && Commands.Contains(words[0] + " " + words[1]) ? words[0] + " " + words[1]
            : words.Length >= 1 && Commands.Contains(words[0]) ? words[0]
            : null;
    }

    /// <summary>The profiles' folder, or null when the environment names no cache or home folder.</summary>
    internal static string? Folder(Func<string, string?> variable)
    {
        string? cache;
        if (OperatingSystem.IsWindows())
        {
            cache = variable("LOCALAPPDATA");
        }
        else
        {
            // The XDG base directory rules: a relative value is invalid and is ignored.
            cache = variable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
                ? xdg
                : variable("HOME") is { Length: > 0 } home && Path.IsPathRooted(home) ? Path.Combine(home, ".cache") : null;
        }

        return cache is { Length: > 0 } ? Path.Combine(cache, "saleskpi", "jit") : null;
    }
}
