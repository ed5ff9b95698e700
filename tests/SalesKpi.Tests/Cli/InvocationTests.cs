using SalesKpi.Cli;

namespace SalesKpi.Tests.Cli;

/// <summary>The command prefix the demo prints matches how the program was started.</summary>
public sealed class InvocationTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Touch(string relative) => dir.Write(relative, string.Empty);

    [Fact]
    public void An_installed_tool_found_on_the_path_is_called_by_its_name()
    {
        var shim = Touch("tools/saleskpi");
        Invocation.Command(shim, dir.File("tools/.store/saleskpi/0.1.0/saleskpi/0.1.0/tools/net10.0/any"), dir.Path, "/usr/bin:" + dir.File("tools"))
            .ShouldBe("saleskpi");
    }

    [Fact]
    public void An_installed_tool_not_on_the_path_is_called_by_its_full_path()
    {
        var shim = Touch("my tools/saleskpi");
        Invocation.Command(shim, dir.File("my tools/.store/saleskpi/0.1.0/saleskpi/0.1.0/tools/net10.0/any"), dir.Path, "/usr/bin")
            .ShouldBe("'" + shim + "'");
    }

    [Fact]
    public void The_project_build_output_is_called_through_dotnet_run_relative_to_the_working_directory()
    {
        Touch("repo/src/SalesKpi.Cli/SalesKpi.Cli.csproj");
        var apphost = Touch("repo/src/SalesKpi.Cli/bin/Debug/net10.0/saleskpi");
        var bin = Path.GetDirectoryName(apphost)!;
        Invocation.Command(apphost, bin, dir.File("repo"), "/usr/bin").ShouldBe("dotnet run --project src/SalesKpi.Cli --");
        Invocation.Command(apphost, bin, dir.File("repo/src/SalesKpi.Cli"), "/usr/bin").ShouldBe("dotnet run --project . --");
        // Even with the tool installed on the PATH, a dotnet run stays a dotnet run.
        Touch("tools/saleskpi");
        Invocation.Command(apphost, bin, dir.File("repo"), dir.File("tools")).ShouldBe("dotnet run --project src/SalesKpi.Cli --");
    }

    [Fact]
    public void An_assembly_run_by_the_dotnet_host_is_called_the_same_way()
    {
        var bin = dir.File("out");
        Invocation.Command("/usr/share/dotnet/dotnet", bin, dir.Path, "/usr/bin").ShouldBe("dotnet " + Path.Combine(bin, "saleskpi.dll"));
    }

    [Theory]
    [InlineData("sales.duckdb", "sales.duckdb")]
    [InlineData("/data/q1 plan.duckdb", "'/data/q1 plan.duckdb'")]
    [InlineData("it's.duckdb", "'it'\\''s.duckdb'")]
    public void Paths_are_quoted_for_the_shell_only_when_needed(string text, string quoted) => Invocation.Quote(text).ShouldBe(quoted);
}
