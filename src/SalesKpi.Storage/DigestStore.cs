using System.Globalization;

namespace SalesKpi.Storage;

/// <summary>A stored digest subscription: whose digest goes where, on which schedule, in which language.</summary>
/// <param name="Id">Increasing id (gaps possible); names the subscription for <c>digest unsubscribe</c>.</param>
/// <param name="User">The server user whose data scope the digest has (a rep's own numbers).</param>
/// <param name="Schedule">The schedule as text, e.g. <c>weekly mon 08:00</c>, <c>daily 08:00</c>, <c>monthly 1 08:00</c> (workspace time zone).</param>
/// <param name="Grain">The period the digest reports: <c>month</c> or <c>quarter</c>.</param>
/// <param name="Channel"><c>email</c> or <c>webhook</c>.</param>
/// <param name="Recipient">The e-mail address or the webhook URL.</param>
/// <param name="Language">The language code of the digest (<c>en</c>, <c>ru</c>).</param>
/// <param name="CreatedAtUtc">When it was made; slots before this are never sent.</param>
/// <param name="CreatedBy">Who made it.</param>
public sealed record DigestSubscription(long Id, string User, string Schedule, string Grain, string Channel, string Recipient, string Language, DateTime CreatedAtUtc, string CreatedBy);

/// <summary>One attempt to deliver a digest.</summary>
/// <param name="Id">Increasing id.</param>
/// <param name="SubscriptionId">The subscription it serves; null for a digest sent by hand.</param>
/// <param name="SlotUtc">The scheduled moment it answers; null for a digest sent by hand.</param>
/// <param name="AtUtc">When the attempt ended.</param>
/// <param name="User">Whose digest it was.</param>
/// <param name="Period">The period label reported.</param>
/// <param name="Channel"><c>email</c> or <c>webhook</c>.</param>
/// <param name="Recipient">The address or URL.</param>
/// <param name="Attempt">1 for the first attempt, 2 for the first retry, and so on.</param>
/// <param name="Status"><c>sent</c>, <c>retrying</c> (failed, another attempt follows) or <c>failed</c> (the last attempt failed).</param>
/// <param name="Error">Why the attempt failed, in English; null when sent.</param>
public sealed record DigestDelivery(long Id, long? SubscriptionId, DateTime? SlotUtc, DateTime AtUtc, string User, string Period, string Channel, string Recipient, int Attempt, string Status, string? Error);

/// <summary>The digest tables of a workspace (schema 7): subscriptions, and delivery attempts that are only ever added; the claims of slots (schema 8).</summary>
public static class DigestStore
{
    /// <summary>The status of an attempt that delivered the digest.</summary>
    public const string Sent = "sent";

    /// <summary>The status of a failed attempt that another attempt follows.</summary>
    public const string Retrying = "retrying";

    /// <summary>The status of a failed last attempt.</summary>
    public const string Failed = "failed";

    /// <summary>Stores a new subscription and returns it with its id.</summary>
    public static DigestSubscription Add(Workspace ws, DigestSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(ws);
        ArgumentNullException.ThrowIfNull(subscription);
        var d = ws.Dialect;
        var id = ws.NextId(IdSequences.DigestSubscriptions);
        ws.Execute(
            $"INSERT INTO digest_subscriptions (id, user_name, schedule, grain, channel, recipient, lang, created_at, created_by) VALUES ({d.Parameter(1)}, {d.Parameter(2)}, {d.Parameter(3)}, {d.Parameter(4)}, {d.Parameter(5)}, {d.Parameter(6)}, {d.Parameter(7)}, {d.Parameter(8)}, {d.Parameter(9)})",
            id,
            subscription.User,
            subscription.Schedule,
            subscription.Grain,
            subscription.Channel,
            subscription.Recipient,
            subscription.Language,
            subscription.CreatedAtUtc,
            subscription.CreatedBy);
        return subscription with { Id = id };
    }

    /// <summary>Removes a subscription; returns whether there was one (its deliveries stay on record).</summary>
    public static bool Remove(Workspace ws, long id)
    {
        ArgumentNullException.ThrowIfNull(ws);
        return ws.Execute($"DELETE FROM digest_subscriptions WHERE id = {ws.Dialect.Parameter(1)}", id) > 0;
    }

    /// <summary>Every subscription, by id.</summary>
    public static IReadOnlyList<DigestSubscription> List(Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        return [.. ws.Query(
            "SELECT id, user_name, schedule, grain, channel, recipient, lang, created_at, created_by FROM digest_subscriptions ORDER BY id",
            r => new DigestSubscription(
                Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                r.GetString(1),
                r.GetString(2),
                r.GetString(3),
                r.GetString(4),
                r.GetString(5),
                r.GetString(6),
                DateTime.SpecifyKind(r.GetDateTime(7), DateTimeKind.Utc),
                r.GetString(8)))];
    }

    /// <summary>Adds one delivery attempt and returns its id.</summary>
    public static long Record(Workspace ws, DigestDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(ws);
        ArgumentNullException.ThrowIfNull(delivery);
        var d = ws.Dialect;
        var id = ws.NextId(IdSequences.DigestDeliveries);
        ws.Execute(
            $"INSERT INTO digest_deliveries (id, subscription_id, slot_utc, at_utc, user_name, period, channel, recipient, attempt, status, error) VALUES ({d.Parameter(1)}, {d.Parameter(2)}, {d.Parameter(3)}, {d.Parameter(4)}, {d.Parameter(5)}, {d.Parameter(6)}, {d.Parameter(7)}, {d.Parameter(8)}, {d.Parameter(9)}, {d.Parameter(10)}, {d.Parameter(11)})",
            id,
            delivery.SubscriptionId,
            delivery.SlotUtc,
            delivery.AtUtc,
            delivery.User,
            delivery.Period,
            delivery.Channel,
            delivery.Recipient,
            delivery.Attempt,
            delivery.Status,
            delivery.Error);
        return id;
    }

    /// <summary>Whether the slot of a subscription has been served: an attempt of it ended as sent or as failed for good.</summary>
    public static bool Served(Workspace ws, long subscriptionId, DateTime slotUtc)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var d = ws.Dialect;
        var n = ws.Scalar(
            $"SELECT count(*) FROM digest_deliveries WHERE subscription_id = {d.Parameter(1)} AND slot_utc = {d.Parameter(2)} AND status IN ('{Sent}', '{Failed}')",
            subscriptionId,
            slotUtc);
        return Convert.ToInt64(n, CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Claims the delivery of a subscription's slot for <paramref name="by"/> (schema 8): true when this caller may send
    /// it — no process has claimed it, or the last claim was made before <paramref name="staleBefore"/> (its sender
    /// died or hung) — and false when another process holds a live claim. Two callers at the same moment cannot both
    /// win: the insert of the claim row is refused by its key for all but one, and taking over a stale claim is an
    /// update whose condition a second caller re-reads after the first one's commit.
    /// </summary>
    public static bool Claim(Workspace ws, long subscriptionId, DateTime slotUtc, DateTime nowUtc, DateTime staleBefore, string by)
    {
        ArgumentNullException.ThrowIfNull(ws);
        var d = ws.Dialect;
        if (ws.Execute(
            $"INSERT INTO digest_claims (subscription_id, slot_utc, claimed_at, claimed_by) VALUES ({d.Parameter(1)}, {d.Parameter(2)}, {d.Parameter(3)}, {d.Parameter(4)}) ON CONFLICT DO NOTHING",
            subscriptionId,
            slotUtc,
            nowUtc,
            by) > 0)
        {
            return true;
        }

        return ws.Execute(
            $"UPDATE digest_claims SET claimed_at = {d.Parameter(1)}, claimed_by = {d.Parameter(2)} WHERE subscription_id = {d.Parameter(3)} AND slot_utc = {d.Parameter(4)} AND claimed_at < {d.Parameter(5)}",
            nowUtc,
            by,
            subscriptionId,
            slotUtc,
            staleBefore) > 0;
    }

    /// <summary>The latest <paramref name="limit"/> attempts, newest first.</summary>
    public static IReadOnlyList<DigestDelivery> Recent(Workspace ws, int limit)
    {
        ArgumentNullException.ThrowIfNull(ws);
        return [.. ws.Query(
            $"SELECT id, subscription_id, slot_utc, at_utc, user_name, period, channel, recipient, attempt, status, error FROM digest_deliveries ORDER BY id DESC LIMIT {ws.Dialect.Parameter(1)}",
            r => new DigestDelivery(
                Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                r.IsDBNull(1) ? null : Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture),
                r.IsDBNull(2) ? null : DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc),
                DateTime.SpecifyKind(r.GetDateTime(3), DateTimeKind.Utc),
                r.GetString(4),
                r.GetString(5),
                r.GetString(6),
                r.GetString(7),
                Convert.ToInt32(r.GetValue(8), CultureInfo.InvariantCulture),
                r.GetString(9),
                r.IsDBNull(10) ? null : r.GetString(10)),
            (long)limit)];
    }
}
