using System.Text;
using SalesKpi.Cli;

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

return CliApp.Run(args, CliEnvironment.ForProcess());
