namespace SalesKpi.Tests;

/// <summary>
/// Which engine the workspaces of the running test live in. A test class runs on PostgreSQL when it is the
/// <c>…OnPostgres</c> twin of a DuckDB test class: the twin's field initializer (which runs before the base class's)
/// calls <see cref="UsePostgres"/>, and from then on every <see cref="TempDir.Db"/> of that test is a fresh workspace in
/// the test cluster named by <c>SALESKPI_TEST_POSTGRES</c> (a <c>postgres://user@host:port/database</c> URL; .ci/run
/// starts that cluster). Without the variable the twins are skipped, unless <c>SALESKPI_REQUIRE_POSTGRES=1</c>, which
/// makes them fail instead (CI sets it, so a cluster that did not start cannot pass unnoticed).
/// </summary>
public static class TestEngine
{
    private static readonly AsyncLocal<bool> OnPostgres = new();

    /// <summary>The test cluster's database URL, or null when none is configured.</summary>
    public static string? PostgresUrl => Environment.GetEnvironmentVariable("SALESKPI_TEST_POSTGRES") is { Length: > 0 } url ? url : null;

    /// <summary>True while the current test runs on PostgreSQL.</summary>
    public static bool Postgres => OnPostgres.Value;

    /// <summary>Switches the current test to PostgreSQL, or skips it when no cluster is configured (see the type's summary).</summary>
    public static bool UsePostgres()
    {
        if (PostgresUrl is null)
        {
            if (Environment.GetEnvironmentVariable("SALESKPI_REQUIRE_POSTGRES") == "1")
            {
                throw new InvalidOperationException("SALESKPI_REQUIRE_POSTGRES=1 but SALESKPI_TEST_POSTGRES names no cluster.");
            }

            throw new SkipException("no PostgreSQL test cluster (set SALESKPI_TEST_POSTGRES=postgres://user@host:port/database; .ci/run starts one)");
        }

        OnPostgres.Value = true;
        return true;
    }

    /// <summary>A new, empty-named PostgreSQL workspace location in the test cluster.</summary>
    public static string NewPostgresWorkspace() =>
        PostgresUrl + (PostgresUrl!.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "workspace=t" + Guid.NewGuid().ToString("N")[..16];
}
