using System.Net;
using System.Text.Json;
using SalesKpi.Tests.Application;

namespace SalesKpi.Tests.Cli;

/// <summary>The digest commands run in-process against the demo workspace of <see cref="DigestFixture"/> and a loopback webhook.</summary>
public sealed class DigestCliTests(DigestFixture fx) : IClassFixture<DigestFixture>
{
    private string[] Args(params string[] args) => [.. args, "--db", fx.Db];

    [Fact]
    public void A_refused_webhook_fails_with_a_russian_sentence_naming_the_webhook_and_the_reason()
    {
        using var hook = new Webhook(HttpStatusCode.Forbidden);
        var r = InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "--period", "2026-Q3", "--webhook", hook.Url, "--lang", "ru"));

        r.Exit.ShouldBe(1);
        r.Err.ShouldContain("Дайджест не доставлен (вебхук) получателю " + hook.Url + " после попыток: 1. Причина: HTTP 403 Forbidden.");
        hook.Bodies.Count.ShouldBe(1);
    }

    [Fact]
    public void A_digest_sent_by_hand_is_listed_among_the_deliveries()
    {
        using var hook = new Webhook(HttpStatusCode.OK);
        var env = new Dictionary<string, string> { ["SALESKPI_PUBLIC_URL"] = "https://kpi.example.com" };
        var sent = InProcessCli.Run(fx.Dir, env, DigestFixture.Clock, Args("digest", "--period", "2026-Q3", "--webhook", hook.Url, "--as-user", "ivan"));
        sent.Exit.ShouldBe(0, sent.Err);
        sent.Out.ShouldContain("Sent the digest of 2026-Q3 to " + hook.Url);
        hook.Bodies.Single().ShouldContain("Your numbers: owner " + fx.Owner);
        hook.Bodies.Single().ShouldContain("https://kpi.example.com/?period=2026-Q3&lang=en");

        var list = InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "deliveries", "--format", "json"));
        list.Exit.ShouldBe(0, list.Err);
        using var json = JsonDocument.Parse(list.Out);
        var mine = json.RootElement.GetProperty("deliveries").EnumerateArray().Where(d => d.GetProperty("recipient").GetString() == hook.Url).ToList();
        mine.Count.ShouldBe(1);
        mine[0].GetProperty("status").GetString().ShouldBe("sent");
        mine[0].GetProperty("user").GetString().ShouldBe("ivan");
        mine[0].GetProperty("subscription").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void A_subscription_is_made_listed_and_removed()
    {
        var made = InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "subscribe", "ivan", "--weekly", "fri 17:30", "--email", "ivan@example.com", "--lang", "ru"));
        made.Exit.ShouldBe(0, made.Err);
        made.Out.ShouldContain("ivan@example.com");

        var list = InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "subscriptions", "--format", "json"));
        using var json = JsonDocument.Parse(list.Out);
        var sub = json.RootElement.GetProperty("subscriptions").EnumerateArray().Single(s => s.GetProperty("recipient").GetString() == "ivan@example.com");
        sub.GetProperty("schedule").GetString().ShouldBe("weekly fri 17:30");
        sub.GetProperty("grain").GetString().ShouldBe("quarter");
        sub.GetProperty("lang").GetString().ShouldBe("ru");

        var id = sub.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "unsubscribe", id)).Exit.ShouldBe(0);
        var again = InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "unsubscribe", id));
        again.Exit.ShouldBe(1);
        again.Err.ShouldContain("There is no subscription #" + id);
    }

    [Fact]
    public void A_subscription_for_an_unknown_user_or_without_a_schedule_is_refused()
    {
        var unknown = InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "subscribe", "nobody", "--daily", "--email", "x@example.com"));
        unknown.Exit.ShouldBe(1);
        unknown.Err.ShouldContain("There is no active user 'nobody'");

        var noSchedule = InProcessCli.Run(fx.Dir, null, DigestFixture.Clock, Args("digest", "subscribe", "anna", "--email", "x@example.com"));
        noSchedule.Exit.ShouldNotBe(0);
        (noSchedule.Out + noSchedule.Err).ShouldContain("Give one schedule");
    }

    [Fact]
    public void The_settings_never_show_the_smtp_password()
    {
        var env = new Dictionary<string, string> { ["SALESKPI_SMTP_HOST"] = "smtp.example.com", ["SALESKPI_SMTP_USER"] = "kpi@example.com", ["SALESKPI_SMTP_PASSWORD"] = "very-secret-word" };
        var r = InProcessCli.Run(fx.Dir, env, DigestFixture.Clock, Args("digest", "settings"));
        r.Exit.ShouldBe(0, r.Err);
        r.Out.ShouldContain("smtp.example.com:587 (starttls, user kpi@example.com");
        r.Out.ShouldContain("SMTP password: set");
        r.Out.ShouldNotContain("very-secret-word");
    }
}
