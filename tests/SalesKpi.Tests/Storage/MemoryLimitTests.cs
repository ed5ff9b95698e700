using DuckDB.NET.Data;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Storage;

/// <summary>
/// A workspace opens with the process's engine memory limit (<see cref="Workspace.MemoryLimit"/>, 1 GB unless the host
/// sets another) instead of DuckDB's 80 % of the machine, and a bulk load gives that limit back when it ends.
/// </summary>
public sealed class MemoryLimitTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_workspace_opens_with_the_process_memory_limit()
    {
        Ws.Create(dir).Dispose();

        using var ws = Workspace.Open(dir.Db, WorkspaceAccess.ReadOnly, null);

        Setting(ws).ShouldBe(AsDuckDbShows(Workspace.DefaultMemoryLimit));
        Setting(ws).ShouldNotBe(AsDuckDbShows(null));
    }

    [Fact]
    public void A_bulk_load_gives_the_process_memory_limit_back_when_it_ends()
    {
        using var ws = Ws.Create(dir);
        using (ws.BeginBulkLoad("256MB"))
        {
            Setting(ws).ShouldBe(AsDuckDbShows("256MB"));
        }

        Setting(ws).ShouldBe(AsDuckDbShows(Workspace.DefaultMemoryLimit));
    }

    private static string Setting(Workspace ws) => (string)ws.Scalar("SELECT current_setting('memory_limit')")!;

    /// <summary>How DuckDB shows a limit (its default when null), read from a scratch in-memory database.</summary>
    private static string AsDuckDbShows(string? limit)
    {
        using var c = new DuckDBConnection("DataSource=:memory:");
        c.Open();
        using var cmd = c.CreateCommand();
        if (limit is not null)
        {
            cmd.CommandText = $"SET memory_limit = '{limit}'";
            cmd.ExecuteNonQuery();
        }

        cmd.CommandText = "SELECT current_setting('memory_limit')";
        return (string)cmd.ExecuteScalar()!;
    }
}
