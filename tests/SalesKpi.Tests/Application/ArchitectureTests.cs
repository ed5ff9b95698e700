using System.Text.RegularExpressions;

namespace SalesKpi.Tests.Application;

/// <summary>The layering the folder tree promises: only the CLI host talks to the console or knows Spectre.Console.</summary>
public sealed class ArchitectureTests
{
    private static readonly string Src = Path.Combine(Repo.Root, "src");

    [Fact]
    public void Nothing_below_the_hosts_reads_the_cli_the_console_or_the_process_environment()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(Src, file);
            if (rel.StartsWith("SalesKpi.Cli" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || rel.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || rel.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                if (Regex.IsMatch(line, @"\b(CliApp|CliHost|AnsiConsole)\b|\bConsole\s*\.|using\s+Spectre\b|SalesKpi\.Cli\b|Environment\.GetEnvironmentVariable|Thread\.Sleep"))
                {
                    offenders.Add($"{rel}:{i + 1}: {line}");
                }
            }
        }

        offenders.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("DuckDb", @"^\s*(global\s+)?using\s+(static\s+)?DuckDB\.NET\b|\bDuckDB\.NET\.(Data|Native)\.")]
    [InlineData("Postgres", @"^\s*(global\s+)?using\s+(static\s+)?Npgsql\b|\bNpgsql\.")]
    public void Only_each_provider_uses_its_engines_types(string folder, string usage)
    {
        // The provider seam: engine, import, application and hosts see Workspace, ISqlDialect and IBulkWriter only.
        var provider = Path.Combine("SalesKpi.Storage", folder) + Path.DirectorySeparatorChar;
        var offenders = new List<string>();
        var inProvider = 0;
        foreach (var file in Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(Src, file);
            if (rel.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || rel.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (Regex.IsMatch(lines[i], usage))
                {
                    if (rel.StartsWith(provider, StringComparison.Ordinal))
                    {
                        inProvider++;
                    }
                    else
                    {
                        offenders.Add($"{rel}:{i + 1}: {lines[i].Trim()}");
                    }
                }
            }
        }

        inProvider.ShouldBeGreaterThan(0, "the scan must see the provider's own usings");
        offenders.ShouldBeEmpty();
    }

    [Fact]
    public void Nothing_below_the_hosts_reads_an_ambient_language_clock_or_culture()
    {
        // Language: the ambient Loc lives in the CLI host, so no lower assembly can even name it.
        var lower = new[]
        {
            typeof(SalesKpi.Core.Msg).Assembly,
            typeof(SalesKpi.Storage.Workspace).Assembly,
            typeof(SalesKpi.Import.Importer).Assembly,
            typeof(SalesKpi.Metrics.Engine.KpiEngine).Assembly,
            typeof(SalesKpi.Application.RequestContext).Assembly,
        };
        lower.SelectMany(a => a.GetTypes()).Where(t => t.Name == "Loc").ShouldBeEmpty();

        // Clock and culture: "now" comes from the request's TimeProvider, formatting states its culture.
        var ambient = new Regex(@"DateTime(Offset)?\.(Utc)?Now\b|TimeProvider\.System\b|CultureInfo\.Current(UI)?Culture\b|CurrentThread\.Current(UI)?Culture\b");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(Src, file);
            var sep = Path.DirectorySeparatorChar;
            if (rel.StartsWith("SalesKpi.Cli" + sep, StringComparison.Ordinal) || rel.Contains($"{sep}obj{sep}", StringComparison.Ordinal) || rel.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            offenders.AddRange(lines.Select((l, i) => (l: l.Trim(), i)).Where(x => !x.l.StartsWith("//", StringComparison.Ordinal) && ambient.IsMatch(x.l)).Select(x => $"{rel}:{x.i + 1}: {x.l}"));
        }

        offenders.ShouldBeEmpty();
    }

    [Fact]
    public void Only_the_cli_project_references_spectre_console()
    {
        var projects = Directory.EnumerateFiles(Src, "*.csproj", SearchOption.AllDirectories).ToList();
        projects.Count.ShouldBeGreaterThan(5);
        projects.Where(p => File.ReadAllText(p).Contains("Include=\"Spectre.Console", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ShouldBe(["SalesKpi.Cli.csproj"]);
    }

    [Fact]
    public void The_web_host_references_the_application_layer_and_its_dashboard_pages_only()
    {
        References("SalesKpi.Web").ShouldBe(["SalesKpi.Application.csproj", "SalesKpi.Dashboard.csproj"]);
        References("SalesKpi.Dashboard").ShouldBe(["SalesKpi.Application.csproj"]);
        foreach (var assembly in new[] { typeof(SalesKpi.Web.ApiServer).Assembly, typeof(SalesKpi.Dashboard.PageFrame).Assembly })
        {
            var refs = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
            refs.ShouldNotContain(n => n.StartsWith("Spectre", StringComparison.Ordinal) || n == "saleskpi" || n.StartsWith("DuckDB", StringComparison.Ordinal));
        }

        static List<string> References(string project) =>
            [.. Regex.Matches(File.ReadAllText(Path.Combine(Src, project, project + ".csproj")), @"ProjectReference Include=""([^""]+)""").Select(m => Path.GetFileName(m.Groups[1].Value.Replace('\\', '/')))];
    }

    [Fact]
    public void The_application_assembly_hashes_passwords_without_web_types()
    {
        var refs = typeof(SalesKpi.Application.RequestContext).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        refs.ShouldContain("Microsoft.Extensions.Identity.Core");
        refs.ShouldNotContain(n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void The_application_assembly_does_not_depend_on_the_cli_or_spectre()
    {
        var refs = typeof(SalesKpi.Application.RequestContext).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        refs.ShouldContain("SalesKpi.Metrics");
        refs.ShouldNotContain(n => n.StartsWith("Spectre", StringComparison.Ordinal) || n == "saleskpi");
    }
}

/// <summary>Where the repository is, found from the test's build output.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "SalesKpi.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("SalesKpi.slnx not found above " + AppContext.BaseDirectory);
    }
}
