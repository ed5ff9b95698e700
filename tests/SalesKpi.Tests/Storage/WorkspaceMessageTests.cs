using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Storage;

/// <summary>Storage's errors are messages with codes, rendered in the caller's language by the host.</summary>
public sealed class WorkspaceMessageTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_missing_workspace_is_a_coded_message_in_both_languages()
    {
        var ex = Should.Throw<SalesKpiException>(() => Workspace.Open(dir.Db));
        ex.Text.Code.ShouldBe("workspace.missing");
        ex.Render(Language.En).ShouldStartWith($"No workspace at {dir.Db}");
        ex.Render(Language.Ru).ShouldStartWith($"Рабочей области {dir.Db} нет");
    }

    [Fact]
    public void An_empty_file_names_itself_in_the_callers_language()
    {
        dir.Write("empty.duckdb", string.Empty);
        var ex = Should.Throw<SalesKpiException>(() => Workspace.Open(dir.File("empty.duckdb")));
        ex.Text.Code.ShouldBe("workspace.not_duckdb");
        ex.Render(Language.En).ShouldContain("not a DuckDB database file, but an empty file");
        ex.Render(Language.Ru).ShouldContain("не файл базы DuckDB, а пустой файл");
    }

    [Fact]
    public void The_cli_prints_a_storage_error_in_the_chosen_language()
    {
        var r = CliRunner.Run(dir.Path, "status", "--lang", "ru");
        r.Exit.ShouldNotBe(0);
        r.Err.ShouldContain("Рабочей области");
        r.Err.ShouldNotContain("No workspace at");
    }
}
