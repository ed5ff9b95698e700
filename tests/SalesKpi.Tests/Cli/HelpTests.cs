using SalesKpi.Cli;

namespace SalesKpi.Tests.Cli;

/// <summary>Every command's help, as a new user reaches it.</summary>
public sealed class HelpTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Help_works_for_every_command_and_subcommand_in_English_and_Russian()
    {
        // Commands are discovered from the help itself, so a command added later is covered too.
        var paths = new List<string[]>();
        var queue = new Queue<string[]>([[]]);
        while (queue.TryDequeue(out var path))
        {
            paths.Add(path);
            var en = InProcessCli.Run(dir.Path, [.. path, "--help"]);
            foreach (var name in Commands(en.Out))
            {
                queue.Enqueue([.. path, name]);
            }
        }

        paths.Select(p => string.Join(' ', p)).ShouldContain("targets import");
        paths.Select(p => string.Join(' ', p)).ShouldContain("config validate");
        paths.Select(p => string.Join(' ', p)).ShouldContain("params");

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(
            paths.SelectMany(p => new[] { "en", "ru" }.Select(lang => (Path: p, Lang: lang))),
            new ParallelOptions { MaxDegreeOfParallelism = 4 },
            run =>
            {
                var r = InProcessCli.Run(dir.Path, [.. run.Path, "--help", "--lang", run.Lang]);
                if (r.Exit != 0 || r.Err.Length > 0 || r.Out.Contains("Unexpected error", StringComparison.Ordinal) || r.Out.Length < 100)
                {
                    failures.Add($"saleskpi {string.Join(' ', run.Path)} --help --lang {run.Lang}: exit {r.Exit}: {r.Err}");
                }
            });
        failures.ShouldBeEmpty();
    }

    [Fact]
    public void The_jit_profile_knows_every_command_and_sub_command_and_no_branch()
    {
        // Commands are discovered from the help, as above; a branch (one with commands of its own) runs nothing.
        var commands = new List<string>();
        var queue = new Queue<string[]>([[]]);
        while (queue.TryDequeue(out var path))
        {
            var below = Commands(InProcessCli.Run(dir.Path, [.. path, "--help"]).Out).ToList();
            if (below.Count == 0)
            {
                commands.Add(string.Join(' ', path));
            }

            foreach (var name in below)
            {
                queue.Enqueue([.. path, name]);
            }
        }

        commands.ShouldContain("report");
        commands.ShouldContain("config apply");
        StartupProfile.Commands.Order(StringComparer.Ordinal).ShouldBe(commands.Order(StringComparer.Ordinal));
    }

    /// <summary>The names listed under COMMANDS: in a help text.</summary>
    private static IEnumerable<string> Commands(string help) =>
        help.Split('\n')
            .SkipWhile(l => l.Trim() != "COMMANDS:")
            .Skip(1)
            .TakeWhile(l => l.Trim().Length > 0)
            .Select(l => l.Trim().Split(' ')[0]);
}
