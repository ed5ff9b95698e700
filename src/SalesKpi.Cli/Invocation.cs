namespace SalesKpi.Cli;

/// <summary>
/// How the user started this program, so that commands it suggests run as shown: <c>saleskpi</c> when the
/// installed tool is on the PATH, <c>dotnet run --project src/SalesKpi.Cli --</c> when it runs from the
/// project's build output (as <c>dotnet run</c> does), and otherwise the executable or the
/// <c>dotnet PATH/saleskpi.dll</c> that was actually run.
/// </summary>
public static class Invocation
{
    /// <summary>
    /// The command prefix for a process whose executable is <paramref name="processPath"/>, whose
    /// assemblies are in <paramref name="baseDirectory"/>, run from <paramref name="cwd"/> with
    /// <paramref name="pathVariable"/> as PATH.
    /// </summary>
    public static string Command(string? processPath, string baseDirectory, string cwd, string? pathVariable)
    {
        var exe = processPath is null ? null : Path.GetFullPath(processPath);
        var name = exe is null ? null : Path.GetFileNameWithoutExtension(exe);

        // The executable (an installed tool's shim or the build's apphost) is what "saleskpi" finds on the PATH.
        if (name == "saleskpi" && Resolve("saleskpi", pathVariable) is { } onPath && SameFile(onPath, exe!))
        {
            return "saleskpi";
        }

        // Running from the project's own build output: dotnet run is how the README starts it.
        for (var d = new DirectoryInfo(baseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "SalesKpi.Cli.csproj")))
            {
                var project = Path.GetRelativePath(cwd, d.FullName);
                return "dotnet run --project " + Quote(project.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || project.StartsWith('.') ? project : "." + Path.DirectorySeparatorChar + project) + " --";
            }
        }

        if (name == "saleskpi")
        {
            return Quote(exe!);
        }

        // A host ran the assembly (dotnet exec, dotnet saleskpi.dll).
        return "dotnet " + Quote(Path.Combine(baseDirectory, "saleskpi.dll"));
    }

    /// <summary><paramref name="text"/> as one POSIX-shell word: unchanged when safe, otherwise single-quoted.</summary>
    public static string Quote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+%@".Contains(c, StringComparison.Ordinal))
            ? text
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string? Resolve(string command, string? pathVariable)
    {
        foreach (var dir in (pathVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in OperatingSystem.IsWindows() ? [command + ".exe", command + ".cmd"] : new[] { command })
            {
                var full = Path.Combine(dir, candidate);
                if (File.Exists(full))
                {
                    return full;
                }
            }
        }

        return null;
    }

    // A PATH entry may be a link to the executable (e.g. /usr/local/bin/saleskpi → the tool's shim).
    private static bool SameFile(string a, string b) =>
        string.Equals(Real(a), Real(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static string Real(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}
