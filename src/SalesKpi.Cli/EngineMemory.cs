using SalesKpi.Storage.DuckDb;

namespace SalesKpi.Cli;

/// <summary>
/// How the engine's memory is taken, chosen once per process by the command it runs (docs/cli.md). The server keeps
/// the C heap's freed pages for its next query (<see cref="NativeHeap"/>). Every other command, except an import and
/// the demo (which imports), asks for huge pages for the engine's own memory from its first workspace file on
/// (<see cref="EngineHugePages"/>), since all its memory is touched for the first time. The import gained 8 % in time
/// with them but peaked about 5 % higher, against a memory goal.
/// </summary>
internal static class EngineMemory
{
    /// <summary>
    /// <c>off</c> asks for no huge pages in any command; <c>on</c>, the default, leaves the choice above (it cannot give
    /// huge pages to an import, the demo or the server).
    /// </summary>
    public const string HugePagesVariable = "SALESKPI_HUGE_PAGES";

    /// <summary>
    /// Applies the choice for <paramref name="command"/> (as <see cref="StartupProfile.Command"/> names it; null for help
    /// or an unknown command, which run no query and change nothing).
    /// </summary>
    public static void Choose(string? command, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        switch (command)
        {
            case null or "import" or "demo":
                return;
            case "serve":
                NativeHeap.KeepFreedMemory();
                return;
            default:
                if (!OnOff.IsOff(variable(HugePagesVariable)))
                {
                    EngineHugePages.AdviseAtFirstOpen();

                    // SIGTERM ends the process through ProcessExit without Main's finally, while queries may run.
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => EngineHugePages.Withdraw();
                }

                return;
        }
    }

    /// <summary>The process's last step: jemalloc gets its own hooks back before the runtime shuts down.</summary>
    public static void Finish() => EngineHugePages.Withdraw();
}

/// <summary>A switch of the environment: unset, empty, <c>on</c> or <c>off</c> in any case; anything else is refused at start.</summary>
internal static class OnOff
{
    /// <summary>True for unset, empty, <c>on</c> and <c>off</c>.</summary>
    public static bool IsValid(string? value) => string.IsNullOrEmpty(value) || IsOn(value) || IsOff(value);

    /// <summary>True only for <c>off</c>: unset means the default.</summary>
    public static bool IsOff(string? value) => string.Equals(value, "off", StringComparison.OrdinalIgnoreCase);

    private static bool IsOn(string value) => string.Equals(value, "on", StringComparison.OrdinalIgnoreCase);
}
