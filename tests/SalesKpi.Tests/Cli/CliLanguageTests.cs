using SalesKpi.Cli;
using SalesKpi.Core;

namespace SalesKpi.Tests.Cli;

/// <summary>The CLI host's language is per run: two in-process runs at the same time each read their own.</summary>
public sealed class CliLanguageTests
{
    [Fact]
    public async Task Two_scopes_running_at_the_same_time_each_read_their_own_language()
    {
        using var bothInside = new Barrier(2);
        string Speak(Language language)
        {
            using (Loc.Use(language))
            {
                // Both calls are inside their scopes before either reads: a process-wide language would give one of them the other's.
                bothInside.SignalAndWait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
                var text = Loc.T("hello", "привет");
                bothInside.SignalAndWait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
                return text;
            }
        }

        var en = Task.Run(() => Speak(Language.En));
        var ru = Task.Run(() => Speak(Language.Ru));
        (await en).ShouldBe("hello");
        (await ru).ShouldBe("привет");
    }

    [Fact]
    public void A_scope_ends_with_its_using_and_the_process_default_applies_again()
    {
        var before = Loc.Current;
        var other = before == Language.En ? Language.Ru : Language.En;
        using (Loc.Use(other))
        {
            Loc.Current.ShouldBe(other);
        }

        Loc.Current.ShouldBe(before);
    }
}
