namespace SalesKpi.BrowserTests;

/// <summary>
/// A test that needs a Chromium browser: <c>SALESKPI_CHROMIUM</c>, else <c>chromium</c> on the PATH. Without one it
/// is skipped with that reason (a fresh clone still passes); with <c>SALESKPI_REQUIRE_BROWSER=1</c> (set by .ci/run,
/// which installs Debian's chromium) it is never skipped, so a missing browser fails the run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    /// <summary>Skips the test when no browser is found and none is required.</summary>
    public BrowserFactAttribute()
    {
        if (Chromium is null && Environment.GetEnvironmentVariable("SALESKPI_REQUIRE_BROWSER") != "1")
        {
            Skip = "no Chromium found (set SALESKPI_CHROMIUM or install Debian's chromium; SALESKPI_REQUIRE_BROWSER=1 fails instead)";
        }
    }

    /// <summary>The browser's executable, or null when there is none.</summary>
    public static string? Chromium
    {
        get
        {
            if (Environment.GetEnvironmentVariable("SALESKPI_CHROMIUM") is { Length: > 0 } path && File.Exists(path))
            {
                return path;
            }

            return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "chromium"))
                .FirstOrDefault(File.Exists);
        }
    }
}
