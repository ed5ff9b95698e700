using System.Text.Json.Nodes;
using SalesKpi.Core;

namespace SalesKpi.Tests.Core;

public sealed class MsgTests
{
    private static readonly Msg Name = Msg.Of("kpi.win_rate", "Win rate", "Коэффициент закрытия");

    [Fact]
    public void A_message_renders_in_the_language_asked_with_that_languages_number_format()
    {
        var m = Msg.Of("median_days", "{0}: median {1:N1} days", "{0}: медиана {1:N1} дн.", Name, 1234.56m);

        m.Render(Language.En).ShouldBe("Win rate: median 1,234.6 days");
        m.Render(Language.Ru).ShouldBe("Коэффициент закрытия: медиана 1\u00a0234,6 дн.");
    }

    [Fact]
    public void A_stored_message_comes_back_equal_and_renders_alike_in_both_languages()
    {
        var m = Msg.Of("x", "{0} {1} {2} {3} {4}", "{4} {3} {2} {1} {0}", Name, 3, 0.25, new DateOnly(2025, 3, 1), null);

        var back = Msg.FromJson(JsonNode.Parse(m.ToJson().ToJsonString())!);

        back.Code.ShouldBe("x");
        back.Render(Language.En).ShouldBe(m.Render(Language.En));
        back.Render(Language.Ru).ShouldBe(m.Render(Language.Ru));
        back.Render(Language.En).ShouldBe("Win rate 3 0.25 3/1/2025 ");
    }

    [Fact]
    public void An_argument_that_could_not_be_stored_is_refused_when_the_message_is_made()
    {
        Should.Throw<ArgumentException>(() => Msg.Of("bad", "{0}", "{0}", new object()));
    }

    [Fact]
    public void A_user_error_keeps_its_message_as_data_and_english_for_logs()
    {
        var ex = new SalesKpiException(Msg.Of("no_version", "No version {0}.", "Нет версии {0}.", 7));

        ex.Message.ShouldBe("No version 7.");
        ex.Render(Language.Ru).ShouldBe("Нет версии 7.");
        ex.Text.Code.ShouldBe("no_version");
    }
}
