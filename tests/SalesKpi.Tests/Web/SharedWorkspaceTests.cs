using System.Net;
using Microsoft.Extensions.Time.Testing;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Tests.Application;

namespace SalesKpi.Tests.Web;

/// <summary>
/// What several server processes sharing one workspace agree on through the workspace itself (docs/server.md,
/// "PostgreSQL and several processes"): the claim of a digest slot and the sign-in attempt windows. On DuckDB one process
/// serves a file, but the same code runs there; the PostgreSQL twin (SharedWorkspaceTestsOnPostgres) runs these on the
/// test cluster.
/// </summary>
public class SharedWorkspaceTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose()
    {
        dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public void A_live_claim_on_a_digest_slot_refuses_others_and_a_stale_one_is_taken_over()
    {
        using var ws = Ws.Create(dir);
        var slot = new DateTime(2026, 11, 16, 5, 0, 0, DateTimeKind.Utc);
        var t0 = slot.AddMinutes(1);
        var life = DigestSubscriptionsService.ClaimLifetime;

        DigestStore.Claim(ws, 7, slot, t0, t0 - life, "a").ShouldBeTrue();
        DigestStore.Claim(ws, 7, slot, t0.AddMinutes(1), t0.AddMinutes(1) - life, "b").ShouldBeFalse();

        // Another subscription's slot, or another slot of the same subscription, is its own claim.
        DigestStore.Claim(ws, 8, slot, t0, t0 - life, "b").ShouldBeTrue();
        DigestStore.Claim(ws, 7, slot.AddDays(7), t0, t0 - life, "b").ShouldBeTrue();

        // 'a' died while sending: once its claim is older than the lifetime, 'b' takes the slot over, and then holds it.
        var later = t0 + life + TimeSpan.FromMinutes(1);
        DigestStore.Claim(ws, 7, slot, later, later - life, "b").ShouldBeTrue();
        DigestStore.Claim(ws, 7, slot, later.AddMinutes(1), later.AddMinutes(1) - life, "a").ShouldBeFalse();
        ws.Scalar("SELECT claimed_by FROM digest_claims WHERE subscription_id = 7 AND slot_utc = $1", slot).ShouldBe("b");
    }

    [SkippableFact]
    public void Sign_in_attempts_count_per_client_and_window_and_a_new_window_starts_at_one()
    {
        using var ws = Ws.Create(dir);
        var w1 = new DateTime(2026, 11, 16, 9, 0, 0, DateTimeKind.Utc);
        var w2 = w1.AddMinutes(1);

        SignInWindows.Count(ws, "ip:10.0.0.1", w1).ShouldBe(1);
        SignInWindows.Count(ws, "ip:10.0.0.1", w1).ShouldBe(2);
        SignInWindows.Count(ws, "ip:10.0.0.2", w1).ShouldBe(1);
        SignInWindows.Count(ws, "ip:10.0.0.1", w1).ShouldBe(3);

        SignInWindows.Count(ws, "ip:10.0.0.1", w2).ShouldBe(1);

        // The first attempt of the new window removed the old window's rows.
        ws.Count("SELECT count(*) FROM sign_in_windows").ShouldBe(1);
    }

    [SkippableFact]
    public async Task Two_schedulers_ticking_at_one_moment_serve_a_slot_once()
    {
        using (var ws = Ws.Create(dir))
        {
        }

        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 16, 5, 0, 30, TimeSpan.Zero));
        RequestContext Ctx() => new(Language.En, clock, "head", dir.Db) { Wait = TimeSpan.FromSeconds(10) };
        using var hook = new Webhook(HttpStatusCode.OK);
        var users = new UsersService();
        users.Add(new AddUserRequest("anna", "manager", null, "password-of-anna"), Ctx());
        var service = new DigestSubscriptionsService();
        var sub = service.Subscribe(new SubscribeRequest("anna", DigestSchedule.Parse("daily 05:00"), "month", new DigestTarget(DigestTarget.Webhook, [hook.Url]), Language.En), Ctx() with { Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)) });

        // As in 'serve' on DuckDB, the process holds the file for writing and its connections share that instance.
        using var held = TestEngine.Postgres ? null : Workspace.Open(dir.Db, WorkspaceAccess.ReadWrite, null);

        // Both processes have read the slot as due before either writes anything: each one's first write waits for the
        // other to arrive. On DuckDB one process's write gate then lets one writer in at a time; on PostgreSQL the two
        // stand for two processes, each with its own gate.
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var gate = new SemaphoreSlim(1, 1);
        async Task<IDisposable> Enter(CancellationToken ct)
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                both.SetResult();
            }

            await both.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            if (TestEngine.Postgres)
            {
                return new MemoryStream();
            }

            await gate.WaitAsync(ct);
            return new Releaser(gate);
        }

        var settings = new DigestSettings(null, null) { Backoff = TimeSpan.FromMilliseconds(10) };
        var runs = await Task.WhenAll(
            Task.Run(() => service.SendDueAsync(settings, Ctx(), Enter, CancellationToken.None)),
            Task.Run(() => service.SendDueAsync(settings, Ctx(), Enter, CancellationToken.None)));

        var served = runs.SelectMany(r => r).ToList();
        served.Count.ShouldBe(1);
        served[0].SlotUtc.ShouldBe(new DateTime(2026, 11, 16, 5, 0, 0, DateTimeKind.Utc));
        var records = service.Deliveries(100, Ctx()).Where(d => d.SubscriptionId == sub.Id).ToList();
        records.Count(d => d.Status is DigestStore.Sent or DigestStore.Failed).ShouldBe(1);
        hook.Bodies.Count.ShouldBeLessThanOrEqualTo(1);
        hook.Bodies.Count.ShouldBe(served[0].Sent ? 1 : 0);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
