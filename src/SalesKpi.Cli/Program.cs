using System.Text;
using SalesKpi.Cli;

// First, so that the JIT's head start covers the whole run (StartupProfile).
foreach (var name in new[] { StartupProfile.Variable, EngineMemory.HugePagesVariable })
{
    if (Environment.GetEnvironmentVariable(name) is var value && !OnOff.IsValid(value))
    {
        Console.OutputEncoding = Encoding.UTF8;
        Console.Error.WriteLine($"{name} '{value}' is neither on nor off. / {name} «{value}» — не on и не off.");
        return 2;
    }
}

var command = StartupProfile.Command(args);
StartupProfile.Start(command, Environment.GetEnvironmentVariable);
EngineMemory.Choose(command, Environment.GetEnvironmentVariable);

Console.OutputEncoding = Encoding.UTF8;
// Process-wide, like the engine's buffers it bounds; set before any workspace opens (docs/cli.md).
if (Environment.GetEnvironmentVariable("SALESKPI_MEMORY_LIMIT") is { Length: > 0 } memoryLimit)
{
    if (!System.Text.RegularExpressions.Regex.IsMatch(memoryLimit, @"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant))
    {
        // Before the language is chosen, so both languages.
        Console.Error.WriteLine($"SALESKPI_MEMORY_LIMIT '{memoryLimit}' is not a size: give e.g. 1GB or 512MB. / SALESKPI_MEMORY_LIMIT «{memoryLimit}» — не размер: укажите, например, 1GB или 512MB.");
        return 2;
    }

    SalesKpi.Storage.Workspace.MemoryLimit = memoryLimit;
}

// How many sessions a report's families run on at once (docs/architecture.md); for comparing, not for tuning.
if (Environment.GetEnvironmentVariable("SALESKPI_ENGINE_LANES") is { Length: > 0 } lanes)
{
    if (!int.TryParse(lanes, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n is < 1 or > 64)
    {
        Console.Error.WriteLine($"SALESKPI_ENGINE_LANES '{lanes}' is not a number from 1 to 64. / SALESKPI_ENGINE_LANES «{lanes}» — не число от 1 до 64.");
        return 2;
    }

    SalesKpi.Metrics.Engine.KpiEngine.LanesOverride = n;
}

return CliApp.Run(args, CliEnvironment.ForProcess());
