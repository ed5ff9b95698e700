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
        var paths = CommandTree().Select(c => c.Path).ToList();

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
        // A branch (the root, config, targets…: commands of its own below it) runs nothing.
        var commands = CommandTree().Where(c => !c.IsBranch).Select(c => string.Join(' ', c.Path)).ToList();

        commands.ShouldContain("report");
        commands.ShouldContain("config apply");
        StartupProfile.Commands.Order(StringComparer.Ordinal).ShouldBe(commands.Order(StringComparer.Ordinal));
    }

    /// <summary>Every command path from the root (empty) down, as the English help lists them, and whether it is a branch.</summary>
    private List<(string[] Path, bool IsBranch)> CommandTree()
    {
        var tree = new List<(string[] Path, bool IsBranch)>();
        var queue = new Queue<string[]>([[]]);
        while (queue.TryDequeue(out var path))
        {
            var below = Commands(InProcessCli.Run(dir.Path, [.. path, "--help"]).Out).ToList();
            tree.Add((path, below.Count > 0));
            foreach (var name in below)
            {
                queue.Enqueue([.. path, name]);
            }
        }

        return tree;
    }

    /// <summary>The names listed under COMMANDS: in a help text.</summary>
    private static IEnumerable<string> Commands(string help) =>
        help.Split('\n')
            .SkipWhile(l => l.Trim() != "COMMANDS:")
            .Skip(1)
            .TakeWhile(l => l.Trim().Length > 0)
            .Select(l => l.Trim().Split(' ')[0]);
}
