using System.Globalization;
using MimeKit;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>A new subscription.</summary>
/// <param name="User">The server user whose digest it is (their role scope applies: a rep gets their own numbers).</param>
/// <param name="Schedule">When it is due.</param>
/// <param name="Grain"><c>month</c> or <c>quarter</c>; null for the schedule's default (<see cref="DigestSchedule.DefaultGrain"/>).</param>
/// <param name="Target">Where it goes (one address or one URL).</param>
/// <param name="Language">The digest's language.</param>
public sealed record SubscribeRequest(string User, DigestSchedule Schedule, string? Grain, DigestTarget Target, Language Language);

/// <summary>What one run of the scheduler did with one due slot.</summary>
/// <param name="Subscription">The subscription.</param>
/// <param name="SlotUtc">The slot served.</param>
/// <param name="Sent">Whether the digest was delivered.</param>
public sealed record DueResult(DigestSubscription Subscription, DateTime SlotUtc, bool Sent);

/// <summary>
/// Digests sent by hand and on schedule: subscriptions (add, list, remove), the sending of one digest with every
/// attempt recorded, the deliveries log, and <see cref="SendDueAsync"/>, which the server's scheduler calls to serve
/// every subscription whose latest slot has not been served yet. See docs/digests.md.
/// </summary>
public sealed class DigestSubscriptionsService
{
    /// <summary>The context of <paramref name="user"/>: their name as the acting user and their role's data scope; throws when unknown or disabled.</summary>
    public RequestContext AsUser(string user, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var signed = new UsersService().Find(user, ctx) ?? throw new SalesKpiException(Msg.Of(
            "digest.unknown_user",
            "There is no active user '{0}': 'saleskpi users list' shows the users.",
            "Активного пользователя «{0}» нет: «saleskpi users list» покажет пользователей.",
            user));
        return ctx with { User = signed.User.Name, Scope = signed.Scope };
    }

    /// <summary>Stores a subscription (checking the user, the grain and the recipient) and records it in the audit log.</summary>
    public DigestSubscription Subscribe(SubscribeRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        AsUser(request.User, ctx);
        var grain = request.Grain ?? request.Schedule.DefaultGrain;
        if (grain is not ("month" or "quarter"))
        {
            throw new SalesKpiException(Msg.Of("digest.bad_grain", "A digest reports a month or a quarter, not '{0}'.", "Дайджест отчитывается за месяц или квартал, а не «{0}».", grain));
        }

        CheckTarget(request.Target);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        var stored = DigestStore.Add(ws, new DigestSubscription(0, request.User, request.Schedule.ToString(), grain, request.Target.Channel, request.Target.Recipient, Code(request.Language), ctx.Clock.GetUtcNow().UtcDateTime, ctx.User));
        AuditService.Record(ws, ctx, "digest.subscribe", "#" + stored.Id.ToString(CultureInfo.InvariantCulture), [new("user", stored.User), new("schedule", stored.Schedule), new("channel", stored.Channel), new("recipient", stored.Recipient)]);
        tx.Commit();
        return stored;
    }

    /// <summary>Removes subscription <paramref name="id"/>; throws when there is none.</summary>
    public void Unsubscribe(long id, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        if (!DigestStore.Remove(ws, id))
        {
            throw new SalesKpiException(Msg.Of("digest.no_subscription", "There is no subscription #{0}: 'saleskpi digest subscriptions' lists them.", "Подписки №{0} нет: «saleskpi digest subscriptions» покажет подписки.", id));
        }

        AuditService.Record(ws, ctx, "digest.unsubscribe", "#" + id.ToString(CultureInfo.InvariantCulture), []);
        tx.Commit();
    }

    /// <summary>Every subscription.</summary>
    public IReadOnlyList<DigestSubscription> List(RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        return DigestStore.List(ws);
    }

    /// <summary>The latest <paramref name="limit"/> delivery attempts, newest first.</summary>
    public IReadOnlyList<DigestDelivery> Deliveries(int limit, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        return DigestStore.Recent(ws, limit);
    }

    /// <summary>The digest settings stored in the workspace (<c>digest.*</c> keys; never a password).</summary>
    public IReadOnlyDictionary<string, string> StoredSettings(RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = (ctx with { Scope = null }).Open(WorkspaceAccess.ReadOnly);
        return ws.ReadSettings("digest.");
    }

    /// <summary>Stores digest settings (<c>digest.public_url</c>, <c>digest.smtp_host</c>, …); an empty value removes one.</summary>
    public void SaveSettings(IReadOnlyDictionary<string, string?> values, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        foreach (var (key, value) in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                ws.DeleteSetting(key);
            }
            else
            {
                ws.WriteSetting(key, value.Trim());
            }
        }

        DigestSettings.From(_ => null, ws.ReadSettings("digest."));
        AuditService.Record(ws, ctx, "digest.settings", "digest", values.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)));
        tx.Commit();
    }

    /// <summary>
    /// Builds the digest of <paramref name="request"/> in <paramref name="ctx"/> (its user's scope and language) and
    /// delivers it, recording every attempt (a digest sent by hand has no subscription or slot); throws when delivery
    /// failed for good. Recording needs the workspace for writing: the caller must be its only writer.
    /// </summary>
    public async Task<Digest> SendAsync(DigestRequest request, DigestTarget target, DigestSettings settings, RequestContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(ctx);
        CheckTarget(target);
        var digest = new DigestService().Build(request, settings.PublicUrl, ctx);
        await new DigestSender().SendAsync(digest, target, settings, ctx.Clock, a => Record(ctx, new DigestDelivery(0, null, null, a.AtUtc, ctx.User, digest.Period.Label, target.Channel, target.Recipient, a.Attempt, a.Status, a.Error)), cancellationToken).ConfigureAwait(false);
        return digest;
    }

    /// <summary>
    /// How long a claim on a slot (<see cref="DigestStore.Claim"/>) keeps other processes from sending it: longer than a
    /// delivery with all its retries takes, so only the claim of a process that died or hung while sending is taken over.
    /// </summary>
    public static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(30);

    // Names the process in a claim, for whoever reads the table after a takeover.
    private static readonly string Claimant = Environment.MachineName + ":" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Serves every subscription whose latest slot at <paramref name="ctx"/>'s now is not before the subscription was
    /// made and has not been served (sent, or failed for good): builds its user's digest of the slot's period
    /// (<see cref="DigestSchedule.PeriodOf"/>) and delivers it with retries, recording every attempt. A slot missed while
    /// the server was down is served once when it is next checked; older missed slots are not. Each record is written
    /// inside <paramref name="enterWrite"/> (the server's write gate). A slot is sent only after this process has claimed
    /// it in the workspace (<see cref="DigestStore.Claim"/>): of several server processes ticking at once, one sends it
    /// and the others skip it (they return no result for it).
    /// </summary>
    public async Task<IReadOnlyList<DueResult>> SendDueAsync(DigestSettings settings, RequestContext ctx, Func<CancellationToken, Task<IDisposable>> enterWrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(enterWrite);
        var now = ctx.Clock.GetUtcNow().UtcDateTime;
        List<(DigestSubscription Sub, DateTime Slot)> due = [];
        TimeZoneInfo zone;
        using (var ws = ctx.Open(WorkspaceAccess.ReadOnly))
        {
            zone = ws.Settings.Zone;
            foreach (var sub in DigestStore.List(ws))
            {
                var slot = DigestSchedule.Parse(sub.Schedule).LastSlot(now, zone);
                if (slot >= sub.CreatedAtUtc && !DigestStore.Served(ws, sub.Id, slot))
                {
                    due.Add((sub, slot));
                }
            }
        }

        List<DueResult> results = [];
        foreach (var (sub, slot) in due)
        {
            // Several server processes may share the workspace and tick at the same moment: only the one whose claim
            // goes in sends the slot. A claim is re-read as served after it is won, in case the slot was delivered
            // between the reading above and the claim.
            bool mine;
            using (await enterWrite(cancellationToken).ConfigureAwait(false))
            {
                using var ws = (ctx with { Scope = null, Pool = null }).Open(WorkspaceAccess.ReadWrite);
                var at = ctx.Clock.GetUtcNow().UtcDateTime;
                mine = DigestStore.Claim(ws, sub.Id, slot, at, at - ClaimLifetime, Claimant) && !DigestStore.Served(ws, sub.Id, slot);
            }

            if (!mine)
            {
                continue;
            }

            var period = DigestSchedule.PeriodOf(slot, sub.Grain, zone);
            var target = new DigestTarget(sub.Channel, [sub.Recipient]);
            async Task Write(DigestAttempt a)
            {
                using (await enterWrite(cancellationToken).ConfigureAwait(false))
                {
                    Record(ctx, new DigestDelivery(0, sub.Id, slot, a.AtUtc, sub.User, period.Label, sub.Channel, sub.Recipient, a.Attempt, a.Status, a.Error));
                }
            }

            var sent = false;
            try
            {
                var userCtx = AsUser(sub.User, ctx) with { Language = Languages.Parse(sub.Language) ?? Language.En };
                var digest = new DigestService().Build(new DigestRequest(period.Label), settings.PublicUrl, userCtx);
                List<DigestAttempt> attempts = [];
                try
                {
                    await new DigestSender().SendAsync(digest, target, settings, ctx.Clock, attempts.Add, cancellationToken).ConfigureAwait(false);
                    sent = true;
                }
                finally
                {
                    foreach (var a in attempts)
                    {
                        await Write(a).ConfigureAwait(false);
                    }
                }
            }
            catch (SalesKpiException ex) when (!sent)
            {
                // A digest that could not even be built (user gone, no data) is a failed delivery of the slot, recorded once.
                if (ex.Text.Code != "digest.failed")
                {
                    await Write(new DigestAttempt(1, ctx.Clock.GetUtcNow().UtcDateTime, DigestStore.Failed, ex.Text.Render(Language.En))).ConfigureAwait(false);
                }
            }

            results.Add(new DueResult(sub, slot, sent));
        }

        return results;
    }

    private static void Record(RequestContext ctx, DigestDelivery delivery)
    {
        using var ws = (ctx with { Scope = null, Pool = null }).Open(WorkspaceAccess.ReadWrite);
        DigestStore.Record(ws, delivery);
    }

    private static string Code(Language language) => language == Language.Ru ? "ru" : "en";

    private static void CheckTarget(DigestTarget target)
    {
        if (target.Recipients.Count == 0)
        {
            throw new SalesKpiException(Msg.Of("digest.no_recipient", "Say where the digest goes: --email ADDRESS or --webhook URL.", "Укажите, куда отправить дайджест: --email АДРЕС или --webhook URL."));
        }

        foreach (var r in target.Recipients)
        {
            var ok = target.Channel == DigestTarget.Email
                ? MailboxAddress.TryParse(r, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal)
                : Uri.TryCreate(r, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
            if (!ok)
            {
                throw new SalesKpiException(target.Channel == DigestTarget.Email
                    ? Msg.Of("digest.bad_email", "'{0}' is not an e-mail address.", "«{0}» — не адрес электронной почты.", r)
                    : Msg.Of("digest.bad_webhook", "'{0}' is not an http(s) URL.", "«{0}» — не адрес http(s).", r));
            }
        }

        if (target.Channel == DigestTarget.Webhook && target.Recipients.Count > 1)
        {
            throw new SalesKpiException(Msg.Of("digest.one_webhook", "A digest goes to one webhook at a time.", "Дайджест отправляется на один вебхук за раз."));
        }
    }
}
