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

                    // ProcessExit runs while the runtime is still whole, after Main returns and on SIGTERM alike.
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => EngineHugePages.Withdraw();
                }

                return;
        }
    }
}
