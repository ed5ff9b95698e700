using SalesKpi.Cli;

namespace SalesKpi.Tests.Cli;

/// <summary>The multicore JIT profile the command line keeps per command in the user's cache folder.</summary>
public sealed class StartupProfileTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Cache => dir.File("cache");

    private string Folder => Path.Combine(Cache, "saleskpi", "jit");

    private string Profile(string name) => Path.Combine(Folder, name + ".jitprofile");

    private CliRunner.Result Process(IDictionary<string, string>? env, params string[] args)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [StartupProfile.Variable] = "on",
            ["XDG_CACHE_HOME"] = Cache,
            ["LOCALAPPDATA"] = Cache,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            variables[k] = v;
        }

        return CliRunner.Run(dir.Path, variables, args);
    }

    [SkippableFact]
    public void Each_command_run_as_a_process_leaves_its_own_profile_in_the_cache_folder()
    {
        // The runtime records only where it can play back: on two or more cores.
        Skip.If(Environment.ProcessorCount < 2, "multicore JIT needs two cores");

        Process(null, "init").Exit.ShouldBe(0);
        Process(null, "status").Exit.ShouldBe(0);
        Process(null, "config", "show").Exit.ShouldBe(0);

        new FileInfo(Profile("init")).Length.ShouldBeGreaterThan(0);
        new FileInfo(Profile("status")).Length.ShouldBeGreaterThan(0);
        new FileInfo(Profile("config-show")).Length.ShouldBeGreaterThan(0);
        Directory.GetFiles(Folder).Length.ShouldBe(3);
    }

    [Fact]
    public void Off_records_nothing()
    {
        Process(new Dictionary<string, string> { [StartupProfile.Variable] = "OFF" }, "init").Exit.ShouldBe(0);

        File.Exists(dir.Db).ShouldBeTrue();
        Directory.Exists(Cache).ShouldBeFalse();
    }

    [Fact]
    public void Another_value_is_refused_before_anything_is_done()
    {
        var r = Process(new Dictionary<string, string> { [StartupProfile.Variable] = "no" }, "init");

        r.Exit.ShouldBe(2);
        r.Err.ShouldContain("SALESKPI_JIT_PROFILE 'no' is neither on nor off.");
        File.Exists(dir.Db).ShouldBeFalse();
    }

    [Fact]
    public void Help_unknown_commands_and_a_branch_alone_record_nothing()
    {
        Process(null, "status", "--help").Exit.ShouldBe(0);
        Process(null, "statsu").Exit.ShouldNotBe(0);
        Process(null, "users").Exit.ShouldNotBe(0);

        Directory.Exists(Cache).ShouldBeFalse();
    }

    [SkippableFact]
    public void A_damaged_profile_changes_no_result_and_is_replaced()
    {
        Skip.If(Environment.ProcessorCount < 2, "multicore JIT needs two cores");
        Process(null, "init").Exit.ShouldBe(0);
        var expected = Process(null, "status");
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(Profile("status"), garbage);

        var r = Process(null, "status");

        r.Exit.ShouldBe(0);
        r.Out.ShouldBe(expected.Out);
        r.Err.ShouldBe(expected.Err);
        File.ReadAllBytes(Profile("status")).ShouldNotBe(garbage);
    }

    [Fact]
    public void The_profile_is_named_after_the_command_or_sub_command_also_behind_a_leading_language()
    {
        StartupProfile.Command(["report", "--period", "2025"]).ShouldBe("report");
        StartupProfile.Command(["--lang", "ru", "scorecard"]).ShouldBe("scorecard");
        StartupProfile.Command(["targets", "suggest", "win_rate"]).ShouldBe("targets suggest");
        StartupProfile.Command(["explain", "win_rate"]).ShouldBe("explain");
        StartupProfile.Command(["config"]).ShouldBeNull();
        StartupProfile.Command(["config", "aply"]).ShouldBeNull();
        StartupProfile.Command(["--version"]).ShouldBeNull();
        StartupProfile.Command([]).ShouldBeNull();
        StartupProfile.Command(["report", "-h"]).ShouldBeNull();
    }

    [SkippableFact]
    public void The_cache_folder_follows_XDG_and_falls_back_to_the_home_folder()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows keeps caches under LOCALAPPDATA, not XDG_CACHE_HOME");

        string? Env(string name, Dictionary<string, string> values) => values.GetValueOrDefault(name);
        StartupProfile.Folder(n => Env(n, new() { ["XDG_CACHE_HOME"] = "/c", ["HOME"] = "/h" })).ShouldBe("/c/saleskpi/jit");
        StartupProfile.Folder(n => Env(n, new() { ["XDG_CACHE_HOME"] = "relative", ["HOME"] = "/h" })).ShouldBe("/h/.cache/saleskpi/jit");
        StartupProfile.Folder(n => Env(n, new() { ["HOME"] = "/h" })).ShouldBe("/h/.cache/saleskpi/jit");
        StartupProfile.Folder(n => Env(n, [])).ShouldBeNull();
    }

    [Fact]
    public void A_cache_folder_that_cannot_be_made_turns_the_profile_off_and_the_command_still_runs()
    {
        dir.Write("cache", "a file where the cache folder would be");

        Process(null, "init").Exit.ShouldBe(0);

        File.Exists(dir.Db).ShouldBeTrue();
    }
}
