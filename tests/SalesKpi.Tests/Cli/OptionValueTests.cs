namespace SalesKpi.Tests.Cli;

/// <summary>A mistyped option value names the option and the expected form, in the run's language.</summary>
public sealed class OptionValueTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_value_that_is_not_a_number_names_the_option_and_the_form_expected()
    {
        var r = InProcessCli.Run(dir.Path, "targets", "suggest", "win_rate", "--tolerance", "abc", "--db", dir.File("w.duckdb"), "--lang", "en");

        r.Exit.ShouldNotBe(0);
        r.Err.ShouldContain("--tolerance 'abc' is not valid: give a number, with '.' as the decimal separator (e.g. 12.5).");
        r.Err.ShouldNotContain("Failed to convert");
    }

    [Fact]
    public void The_same_mistake_in_russian_is_told_in_russian()
    {
        var r = InProcessCli.Run(dir.Path, "status", "--imports", "x", "--db", dir.File("w.duckdb"), "--lang", "ru");

        r.Exit.ShouldNotBe(0);
        r.Err.ShouldContain("«x» — недопустимое значение: оно должно быть");
    }

    [Fact]
    public void The_language_may_come_before_the_command()
    {
        var r = InProcessCli.Run(dir.Path, "--lang", "ru", "init", "--db", dir.File("w.duckdb"));

        r.Exit.ShouldBe(0, r.Err);
        r.Out.ShouldContain("Создана рабочая область");
    }
}
