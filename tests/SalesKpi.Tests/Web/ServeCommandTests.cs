using SalesKpi.Core;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>One server per workspace: the lock beside the file refuses a second 'serve'.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_second_serve_on_the_same_workspace_fails_with_a_clear_error()
    {
        var db = dir.File("w.duckdb");
        InProcessCli.Run(dir.Path, "init", "--db", db).Exit.ShouldBe(0);
        using (ServeLock.Acquire(db))
        {
            var second = InProcessCli.Run(dir.Path, "serve", "--db", db, "--urls", "http://127.0.0.1:0");

            second.Exit.ShouldBe(1);
            second.Err.ShouldContain("Another 'saleskpi serve' already serves");
            second.Err.ShouldContain(ServeLock.PathFor(db));
        }

        // The lock goes with its holder: the next server takes it.
        using var next = ServeLock.Acquire(db);
        next.Path.ShouldBe(ServeLock.PathFor(db));
    }

    [Fact]
    public void The_lock_refuses_a_second_holder_with_its_code_until_the_first_lets_go()
    {
        var db = dir.File("w.duckdb");
        var first = ServeLock.Acquire(db);
        Should.Throw<SalesKpiException>(() => ServeLock.Acquire(db)).Text.Code.ShouldBe("server.busy");
        first.Dispose();
        File.Exists(ServeLock.PathFor(db)).ShouldBeFalse();
        using var again = ServeLock.Acquire(db);
    }
}
