using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Storage;
using SalesKpi.Web;

namespace SalesKpi.Tests.Application;

/// <summary>A demo workspace with its KPI system and targets, a manager and a rep (the busiest CRM owner).</summary>
public sealed class DigestFixture : IDisposable
{
    public static readonly FixedClock Clock = FixedClock.At("2026-11-15T09:00:00Z");

    private readonly TempDir dir = new();

    public DigestFixture()
    {
        Db = dir.File("demo.duckdb");
        var ctx = Whole(Language.En);
        DemoData.Fill(ctx, dir.File("demo-data"));
        using (var ws = Workspace.Open(Db, WorkspaceAccess.ReadOnly, null))
        {
            Owner = ws.Query("SELECT owner FROM leads WHERE owner IS NOT NULL GROUP BY owner ORDER BY count(*) DESC, owner", r => r.GetString(0)).First();
        }

        var users = new UsersService();
        users.Add(new AddUserRequest("anna", "manager", null, "password-of-anna"), ctx);
        users.Add(new AddUserRequest("ivan", "rep", Owner, "password-of-ivan"), ctx);
    }

    public string Db { get; }

    public string Dir => dir.Path;

    public string Owner { get; }

    public RequestContext Whole(Language language, TimeProvider? clock = null) => new(language, clock ?? Clock, "head", Db);

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// Digests through real conversations: an SMTP receiver and webhook listeners started on loopback inside the tests
/// (no mock of MailKit or HttpClient), the scheduler driven by a fake clock.
/// </summary>
public sealed class DigestTests(DigestFixture fx) : IClassFixture<DigestFixture>
{
    private const string Quarter = "2026-Q3";

    private static readonly DigestSettings Fast = new(new Uri("https://kpi.example.com/"), null) { Backoff = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task An_emailed_digest_has_html_and_text_parts_with_the_off_track_kpis_first_and_the_scorecards_values()
    {
        using var smtp = new SmtpReceiver();
        var settings = Fast with { Smtp = new SmtpSettings("127.0.0.1", smtp.Port, SmtpTls.None, null, null, "kpi@example.com") };
        var ctx = fx.Whole(Language.En);
        await new DigestSubscriptionsService().SendAsync(new DigestRequest(Quarter), new DigestTarget(DigestTarget.Email, ["head@example.com"]), settings, ctx, CancellationToken.None);

        smtp.Messages.Count.ShouldBe(1);
        var message = smtp.Messages[0];
        message.To.Mailboxes.Single().Address.ShouldBe("head@example.com");
        message.Body!.ContentType.MimeType.ShouldBe("multipart/alternative");
        message.Subject.ShouldStartWith("SalesKpi " + Quarter);

        var answer = new ScorecardService().Run(new ScorecardQuery(Quarter, null, null), ctx);
        var totals = answer.Scorecard.Rows.Where(r => r.Result.IsTotal).ToList();
        var off = totals.Where(r => r.Status == TargetStatus.OffTrack).ToList();
        var on = totals.Where(r => r.Status == TargetStatus.OnTrack).ToList();
        off.ShouldNotBeEmpty("the demo quarter has KPIs off track");
        on.ShouldNotBeEmpty("the demo quarter has KPIs on track");
        foreach (var body in new[] { message.TextBody!, WebUtility.HtmlDecode(message.HtmlBody!)! })
        {
            foreach (var r in off.Concat(on))
            {
                body.ShouldContain(r.Kpi.Def.NameIn(Language.En));
                body.ShouldContain(KpiDisplay.Value(r.Kpi.Def, r.Result.Value, answer.Currency, Language.En));
            }

            var lastOff = off.Max(r => body.IndexOf(r.Kpi.Def.NameIn(Language.En), StringComparison.Ordinal));
            var firstOn = on.Min(r => body.IndexOf(r.Kpi.Def.NameIn(Language.En), StringComparison.Ordinal));
            lastOff.ShouldBeLessThan(firstOn);
            body.ShouldContain("https://kpi.example.com/?period=2026-Q3&lang=en");
        }

        new DigestSubscriptionsService().Deliveries(50, ctx).ShouldContain(d => d.Recipient == "head@example.com" && d.Status == DigestStore.Sent && d.SubscriptionId == null);
    }

    [Fact]
    public async Task A_webhook_answering_503_twice_then_200_gets_the_digest_on_the_third_attempt_and_all_three_are_recorded()
    {
        using var hook = new Webhook(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var ctx = fx.Whole(Language.Ru);
        await new DigestSubscriptionsService().SendAsync(new DigestRequest(Quarter), new DigestTarget(DigestTarget.Webhook, [hook.Url]), Fast, ctx, CancellationToken.None);

        hook.Bodies.Count.ShouldBe(3);
        using var json = JsonDocument.Parse(hook.Bodies[2]);
        var text = json.RootElement.GetProperty("text").GetString()!;
        text.ShouldStartWith("SalesKpi " + Quarter + ": отстают");
        text.ShouldContain("lang=ru");
        json.RootElement.GetProperty("blocks")[0].GetProperty("type").GetString().ShouldBe("section");

        var attempts = new DigestSubscriptionsService().Deliveries(50, ctx).Where(d => d.Recipient == hook.Url).OrderBy(d => d.Id).ToList();
        attempts.Select(d => (d.Attempt, d.Status)).ShouldBe([(1, DigestStore.Retrying), (2, DigestStore.Retrying), (3, DigestStore.Sent)]);
        attempts[0].Error.ShouldBe("HTTP 503 Service Unavailable");
        attempts[2].Error.ShouldBeNull();
    }

    [Fact]
    public async Task A_webhook_answering_400_is_not_retried_and_the_failure_is_recorded_and_named()
    {
        using var hook = new Webhook(HttpStatusCode.BadRequest, HttpStatusCode.OK);
        var ctx = fx.Whole(Language.En);
        var ex = await Should.ThrowAsync<SalesKpiException>(() => new DigestSubscriptionsService().SendAsync(new DigestRequest(Quarter), new DigestTarget(DigestTarget.Webhook, [hook.Url]), Fast, ctx, CancellationToken.None));

        ex.Text.Code.ShouldBe("digest.failed");
        ex.Render(Language.En).ShouldBe($"The digest could not be delivered by webhook to {hook.Url} after 1 attempt(s): HTTP 400 Bad Request.");
        ex.Render(Language.Ru).ShouldContain("Дайджест не доставлен (вебхук) получателю " + hook.Url);
        hook.Bodies.Count.ShouldBe(1);
        var attempts = new DigestSubscriptionsService().Deliveries(50, ctx).Where(d => d.Recipient == hook.Url).ToList();
        attempts.Select(d => (d.Attempt, d.Status, d.Error)).ShouldBe([(1, DigestStore.Failed, "HTTP 400 Bad Request")]);
    }

    [Fact]
    public void A_reps_digest_holds_the_reps_own_numbers_and_not_the_companys()
    {
        var service = new DigestSubscriptionsService();
        var repCtx = service.AsUser("ivan", fx.Whole(Language.En));
        repCtx.Scope.ShouldBe(new DataScope(fx.Owner, false));
        var digest = new DigestService().Build(new DigestRequest(Quarter), null, repCtx);

        var rep = new ScorecardService().Run(new ScorecardQuery(Quarter, null, null), repCtx);
        var company = new ScorecardService().Run(new ScorecardQuery(Quarter, null, null), fx.Whole(Language.En));
        digest.Text.ShouldContain("Your numbers: owner " + fx.Owner + ".");
        var compared = 0;
        foreach (var r in rep.Scorecard.Rows.Where(r => r.Result.IsTotal && r.Result.Value is not null))
        {
            var name = r.Kpi.Def.NameIn(Language.En);
            digest.Text.ShouldContain(name + ": " + KpiDisplay.Value(r.Kpi.Def, r.Result.Value, rep.Currency, Language.En));
            var whole = company.Scorecard.Rows.Single(c => c.Result.IsTotal && c.Kpi.Id == r.Kpi.Id);
            if (whole.Result.Value is { } v && v != r.Result.Value)
            {
                digest.Text.ShouldNotContain(name + ": " + KpiDisplay.Value(r.Kpi.Def, v, company.Currency, Language.En) + "\n");
                digest.Text.ShouldNotContain(name + ": " + KpiDisplay.Value(r.Kpi.Def, v, company.Currency, Language.En) + " ");
                digest.Text.ShouldNotContain(name + ": " + KpiDisplay.Value(r.Kpi.Def, v, company.Currency, Language.En) + ",");
                compared++;
            }
        }

        compared.ShouldBeGreaterThan(0);
        digest.Link.ShouldBeNull();
    }

    [Fact]
    public async Task The_scheduler_sends_a_due_subscription_once_and_not_again_after_a_restart()
    {
        using var hook = new Webhook(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK);

        // Monday 2026-11-16, 07:00 in Moscow (the demo's zone) = 04:00 UTC; the slot is Monday 08:00 Moscow = 05:00 UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 16, 4, 0, 0, TimeSpan.Zero));
        var service = new DigestSubscriptionsService();
        var sub = service.Subscribe(new SubscribeRequest("anna", DigestSchedule.Parse("weekly mon 08:00"), null, new DigestTarget(DigestTarget.Webhook, [hook.Url]), Language.En), fx.Whole(Language.En, clock));
        sub.Grain.ShouldBe("quarter");
        var options = new ServerOptions(fx.Db, [], clock) { Digests = Fast, Wait = TimeSpan.FromSeconds(10) };

        // As in 'serve' (WorkspaceKeeper): the process holds the workspace for writing, so the test's reads and the
        // scheduler's delivery records share one writable database instance.
        using var held = Workspace.Open(fx.Db, WorkspaceAccess.ReadWrite, null);
        using var pool = new WorkspacePool(TimeSpan.FromMinutes(5), clock);

        using (var gate = new WriteGate())
        using (var scheduler = new DigestScheduler(options, gate, pool, NullLogger<DigestScheduler>.Instance))
        {
            await scheduler.StartAsync(CancellationToken.None);
            hook.Bodies.Count.ShouldBe(0);

            // The scheduler waits a minute of the fake clock between rounds; the clock moves a minute per look, so
            // whenever the scheduler's wait began, it ends. Rounds after the slot was sent find it served.
            await WaitFor(() => Sent(hook.Url).Count == 1, () => clock.Advance(TimeSpan.FromMinutes(1)));
            for (var i = 0; i < 5; i++)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                await Task.Delay(100);
            }

            await scheduler.StopAsync(CancellationToken.None);
        }

        // A restarted server finds the slot served: its rounds send nothing.
        using (var gate = new WriteGate())
        using (var scheduler = new DigestScheduler(options, gate, pool, NullLogger<DigestScheduler>.Instance))
        {
            await scheduler.StartAsync(CancellationToken.None);
            (await service.SendDueAsync(Fast, fx.Whole(Language.En, clock), _ => Task.FromResult<IDisposable>(new MemoryStream()), CancellationToken.None)).ShouldBeEmpty();
            await scheduler.StopAsync(CancellationToken.None);
        }

        hook.Bodies.Count.ShouldBe(1);
        var sent = Sent(hook.Url).Single();
        sent.SubscriptionId.ShouldBe(sub.Id);
        sent.SlotUtc.ShouldBe(new DateTime(2026, 11, 16, 5, 0, 0, DateTimeKind.Utc));
        sent.Period.ShouldBe("2026-Q4");
        sent.User.ShouldBe("anna");
        service.Unsubscribe(sub.Id, fx.Whole(Language.En, clock));
    }

    [Theory]
    [InlineData("weekly mon 08:00", "2026-11-16T04:59:00Z", "2026-11-09T05:00:00Z")]
    [InlineData("weekly mon 08:00", "2026-11-16T05:00:00Z", "2026-11-16T05:00:00Z")]
    [InlineData("daily 23:30", "2026-11-16T20:00:00Z", "2026-11-15T20:30:00Z")]
    [InlineData("monthly 1 08:00", "2026-11-16T05:00:00Z", "2026-11-01T05:00:00Z")]
    public void A_schedule_is_read_in_the_workspace_zone(string schedule, string now, string slot)
    {
        var moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
        var parsed = DigestSchedule.Parse(schedule);
        parsed.ToString().ShouldBe(schedule);
        parsed.LastSlot(DateTime.Parse(now, null, System.Globalization.DateTimeStyles.AdjustToUniversal), moscow)
            .ShouldBe(DateTime.Parse(slot, null, System.Globalization.DateTimeStyles.AdjustToUniversal));
    }

    [Fact]
    public void The_first_digest_of_a_quarter_reports_the_quarter_that_just_ended()
    {
        var moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
        DigestSchedule.PeriodOf(new DateTime(2026, 10, 5, 5, 0, 0, DateTimeKind.Utc), "quarter", moscow).Label.ShouldBe("2026-Q4");
        DigestSchedule.PeriodOf(new DateTime(2026, 10, 1, 5, 0, 0, DateTimeKind.Utc), "quarter", moscow).Label.ShouldBe("2026-Q3");
        DigestSchedule.PeriodOf(new DateTime(2026, 11, 1, 5, 0, 0, DateTimeKind.Utc), "month", moscow).Label.ShouldBe("2026-10");
    }

    [Fact]
    public void Smtp_settings_come_from_the_environment_before_the_workspace_and_never_show_the_password()
    {
        var env = new Dictionary<string, string> { ["SALESKPI_SMTP_HOST"] = "smtp.example.com", ["SALESKPI_SMTP_PASSWORD"] = "s3cret-pass", ["SALESKPI_SMTP_USER"] = "kpi@example.com" };
        var stored = new Dictionary<string, string> { ["digest.smtp_host"] = "ignored.example.com", ["digest.smtp_tls"] = "tls", ["digest.public_url"] = "https://kpi.example.com" };
        var s = DigestSettings.From(k => env.GetValueOrDefault(k), stored);
        s.Smtp.ShouldBe(new SmtpSettings("smtp.example.com", 465, SmtpTls.Tls, "kpi@example.com", "s3cret-pass", "kpi@example.com"));
        s.Smtp!.ToString().ShouldNotContain("s3cret");
        s.PublicUrl.ShouldBe(new Uri("https://kpi.example.com"));
    }

    private List<DigestDelivery> Sent(string url) =>
        [.. new DigestSubscriptionsService().Deliveries(100, fx.Whole(Language.En)).Where(d => d.Recipient == url && d.Status == DigestStore.Sent)];

    // Waits for work on other threads (the scheduler's round after the fake clock moved); the limit only ends a hung test.
    private static async Task WaitFor(Func<bool> done, Action step)
    {
        for (var i = 0; i < 600 && !done(); i++)
        {
            step();
            await Task.Delay(100);
        }

        done().ShouldBeTrue();
    }
}

/// <summary>An SMTP server of a few lines on loopback: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; keeps each message.</summary>
internal sealed class SmtpReceiver : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<MimeMessage> messages = [];

    public SmtpReceiver()
    {
        listener.Start();
        _ = Task.Run(Serve);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public IReadOnlyList<MimeMessage> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }

    private async Task Serve()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                await Converse(client.GetStream());
            }
        }
    }

    private async Task Converse(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.Latin1);
        await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost test SMTP");
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                case "HELO":
                    await writer.WriteLineAsync("250 localhost");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } l && l != ".")
                    {
                        data.Append(l.StartsWith("..", StringComparison.Ordinal) ? l[1..] : l).Append("\r\n");
                    }

                    using (var ms = new MemoryStream(Encoding.Latin1.GetBytes(data.ToString())))
                    {
                        var message = await MimeMessage.LoadAsync(ms);
                        lock (messages)
                        {
                            messages.Add(message);
                        }
                    }

                    await writer.WriteLineAsync("250 2.0.0 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    // MAIL FROM, RCPT TO, RSET, NOOP
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }
}

/// <summary>A webhook receiver on loopback answering with the given statuses in turn (the last one after that); keeps each body.</summary>
internal sealed class Webhook : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly HttpStatusCode[] answers;
    private readonly List<string> bodies = [];

    public Webhook(params HttpStatusCode[] answers)
    {
        this.answers = answers;
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/hooks/digest";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hooks/");
        listener.Start();
        _ = Task.Run(Serve);
    }

    public string Url { get; }

    public IReadOnlyList<string> Bodies
    {
        get
        {
            lock (bodies)
            {
                return [.. bodies];
            }
        }
    }

    public void Dispose() => listener.Close();

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext http;
            try
            {
                http = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(http.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            int n;
            lock (bodies)
            {
                bodies.Add(body);
                n = bodies.Count;
            }

            http.Response.StatusCode = (int)answers[Math.Min(n, answers.Length) - 1];
            http.Response.Close();
        }
    }
}
