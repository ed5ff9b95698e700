using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using SalesKpi.Core;

namespace SalesKpi.Application.Services;

/// <summary>How an SMTP connection is secured.</summary>
public enum SmtpTls
{
    /// <summary>Plain text (a relay on this machine or a trusted network only).</summary>
    None,

    /// <summary>Plain connect, then STARTTLS, refusing to go on without it (usually port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, usually port 465).</summary>
    Tls,
}

/// <summary>The SMTP server digests are sent through.</summary>
/// <param name="Host">The server's host name or address.</param>
/// <param name="Port">Its port.</param>
/// <param name="Tls">How the connection is secured.</param>
/// <param name="User">The user to authenticate as; null sends without authentication.</param>
/// <param name="Password">The password (never printed, never stored in the workspace); null without <paramref name="User"/>.</param>
/// <param name="From">The sender address.</param>
public sealed record SmtpSettings(string Host, int Port, SmtpTls Tls, string? User, string? Password, string From)
{
    /// <summary>The settings without the password, for messages and logs.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port} ({Tls.ToString().ToLowerInvariant()}{(User is null ? string.Empty : ", user " + User)}, from {From})");

    /// <summary>Parses a TLS mode: <c>none</c>, <c>starttls</c> or <c>tls</c>.</summary>
    public static SmtpTls ParseTls(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => SmtpTls.None,
        "starttls" => SmtpTls.StartTls,
        "tls" or "ssl" => SmtpTls.Tls,
        _ => throw new SalesKpiException(Msg.Of("digest.bad_tls", "SMTP TLS mode '{0}' is not known: use none, starttls or tls.", "Режим TLS для SMTP «{0}» неизвестен: используйте none, starttls или tls.", text)),
    };
}

/// <summary>
/// Where digests go out from and how hard delivery tries: the dashboard's public address for links, the SMTP server,
/// and the retry policy (attempts and the first backoff, doubled after each failure; a Retry-After is honoured up to
/// <see cref="MaxRetryAfter"/>).
/// </summary>
/// <param name="PublicUrl">The dashboard's base address (e.g. https://kpi.example.com); null: digests carry no link.</param>
/// <param name="Smtp">The SMTP server; null: e-mail cannot be sent.</param>
public sealed record DigestSettings(Uri? PublicUrl, SmtpSettings? Smtp)
{
    /// <summary>How many times one digest is tried at most (the first attempt included).</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>The wait before the first retry; each next retry waits twice as long.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest Retry-After (429, 503) that is waited for; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The names of the environment variables read by <see cref="From"/>.</summary>
    public static readonly IReadOnlyList<string> Variables =
        ["SALESKPI_PUBLIC_URL", "SALESKPI_SMTP_HOST", "SALESKPI_SMTP_PORT", "SALESKPI_SMTP_TLS", "SALESKPI_SMTP_USER", "SALESKPI_SMTP_PASSWORD", "SALESKPI_SMTP_FROM"];

    /// <summary>
    /// The settings from the environment (<paramref name="variable"/>), else from the workspace's stored digest settings
    /// (<paramref name="stored"/>, keys <c>digest.public_url</c>, <c>digest.smtp_host</c>, <c>_port</c>, <c>_tls</c>,
    /// <c>_user</c>, <c>_from</c>). The password only ever comes from SALESKPI_SMTP_PASSWORD: the workspace file is
    /// shared and must not hold a credential. Port defaults by TLS mode (25, 587, 465); TLS defaults to starttls.
    /// </summary>
    public static DigestSettings From(Func<string, string?> variable, IReadOnlyDictionary<string, string> stored)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(stored);
        string? Get(string env, string key) => Blank(variable(env)) ?? (stored.TryGetValue(key, out var v) ? Blank(v) : null);
        Uri? url = null;
        if (Get("SALESKPI_PUBLIC_URL", "digest.public_url") is { } u)
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
            {
                throw new SalesKpiException(Msg.Of("digest.bad_public_url", "The public URL '{0}' is not an http(s) address.", "Публичный адрес «{0}» — не адрес http(s).", u));
            }
        }

        SmtpSettings? smtp = null;
        if (Get("SALESKPI_SMTP_HOST", "digest.smtp_host") is { } host)
        {
            var tls = Get("SALESKPI_SMTP_TLS", "digest.smtp_tls") is { } t ? SmtpSettings.ParseTls(t) : SmtpTls.StartTls;
            var portText = Get("SALESKPI_SMTP_PORT", "digest.smtp_port");
            var port = tls switch { SmtpTls.None => 25, SmtpTls.StartTls => 587, _ => 465 };
            if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                throw new SalesKpiException(Msg.Of("digest.bad_port", "The SMTP port '{0}' is not a port number (1–65535).", "Порт SMTP «{0}» — не номер порта (1–65535).", portText));
            }

            var user = Get("SALESKPI_SMTP_USER", "digest.smtp_user");
            var from = Get("SALESKPI_SMTP_FROM", "digest.smtp_from") ?? (user is not null && user.Contains('@', StringComparison.Ordinal) ? user : "saleskpi@" + host);
            smtp = new SmtpSettings(host, port, tls, user, Blank(variable("SALESKPI_SMTP_PASSWORD")), from);
        }

        return new DigestSettings(url, smtp);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Where one digest goes: by e-mail to addresses, or to a chat webhook.</summary>
/// <param name="Channel"><c>email</c> or <c>webhook</c>.</param>
/// <param name="Recipients">The addresses (e-mail), or the one URL (webhook).</param>
public sealed record DigestTarget(string Channel, IReadOnlyList<string> Recipients)
{
    /// <summary>The e-mail channel's name.</summary>
    public const string Email = "email";

    /// <summary>The webhook channel's name.</summary>
    public const string Webhook = "webhook";

    /// <summary>The recipients as stored and shown: addresses joined by commas, or the URL.</summary>
    public string Recipient => string.Join(", ", Recipients);
}

/// <summary>The end of one delivery attempt.</summary>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="AtUtc">When it ended.</param>
/// <param name="Status"><c>sent</c>, <c>retrying</c> or <c>failed</c> (see <see cref="Storage.DigestStore"/>).</param>
/// <param name="Error">Why it failed, in English (the technical reason); null when sent.</param>
public sealed record DigestAttempt(int Attempt, DateTime AtUtc, string Status, string? Error);

/// <summary>
/// Sends a digest by e-mail (MailKit over SMTP, a multipart/alternative message of the text and HTML bodies) or to a
/// chat webhook (POST of <see cref="Digest.ChatJson"/>). A connection error, a timeout, HTTP 408, 429 or 5xx, or an
/// SMTP 4xx reply is retried with exponential backoff (<see cref="DigestSettings.Backoff"/>, doubled each time, or the
/// server's Retry-After); any other 4xx or SMTP 5xx reply fails at once. Waiting uses the context's clock.
/// </summary>
public sealed class DigestSender
{
    /// <summary>
    /// Delivers <paramref name="digest"/> to <paramref name="target"/>, telling <paramref name="attempted"/> the end of
    /// every attempt; throws a <see cref="SalesKpiException"/> naming the channel, the recipient and the reason when
    /// no attempt succeeded.
    /// </summary>
    public async Task SendAsync(Digest digest, DigestTarget target, DigestSettings settings, TimeProvider clock, Action<DigestAttempt> attempted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(attempted);
        Func<CancellationToken, Task<Outcome>> once = target.Channel switch
        {
            DigestTarget.Email => ct => Email(digest, target.Recipients, settings.Smtp ?? throw new SalesKpiException(Msg.Of(
                "digest.no_smtp",
                "No SMTP server is configured: set SALESKPI_SMTP_HOST (and _PORT, _TLS, _USER, _PASSWORD, _FROM) or 'saleskpi digest settings --smtp-host'.",
                "SMTP-сервер не настроен: задайте SALESKPI_SMTP_HOST (и _PORT, _TLS, _USER, _PASSWORD, _FROM) или «saleskpi digest settings --smtp-host».")), clock, ct),
            DigestTarget.Webhook => ct => Webhook(digest, new Uri(target.Recipients[0]), clock, ct),
            _ => throw new ArgumentException("unknown channel " + target.Channel, nameof(target)),
        };

        var backoff = settings.Backoff;
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await once(cancellationToken).ConfigureAwait(false);
            var now = clock.GetUtcNow().UtcDateTime;
            if (outcome.Error is null)
            {
                attempted(new DigestAttempt(attempt, now, Storage.DigestStore.Sent, null));
                return;
            }

            var last = !outcome.Transient || attempt >= settings.Attempts;
            attempted(new DigestAttempt(attempt, now, last ? Storage.DigestStore.Failed : Storage.DigestStore.Retrying, outcome.Error));
            if (last)
            {
                throw new SalesKpiException(Msg.Of(
                    "digest.failed",
                    "The digest could not be delivered by {0} to {1} after {2} attempt(s): {3}.",
                    "Дайджест не доставлен ({0}) получателю {1} после попыток: {2}. Причина: {3}.",
                    target.Channel == DigestTarget.Email ? Msg.Of("digest.channel_email", "e-mail", "по почте") : Msg.Of("digest.channel_webhook", "webhook", "вебхук"),
                    target.Recipient,
                    attempt,
                    outcome.Error));
            }

            var wait = outcome.RetryAfter is { } after ? (after > settings.MaxRetryAfter ? settings.MaxRetryAfter : after) : backoff;
            backoff *= 2;
            await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The User-Agent of webhook calls.</summary>
    public static string UserAgent => "saleskpi/" + ScorecardService.ProductVersion;

    private static async Task<Outcome> Webhook(Digest digest, Uri url, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        try
        {
            using var content = new StringContent(digest.ChatJson, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new Outcome(null, false, null);
            }

            var code = (int)response.StatusCode;
            var error = string.Create(CultureInfo.InvariantCulture, $"HTTP {code} {response.ReasonPhrase}");
            var transient = code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            TimeSpan? after = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - clock.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
                _ => null,
            };
            return new Outcome(error, transient, transient ? after : null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new Outcome(ex.Message, true, null);
        }
    }

    private static async Task<Outcome> Email(Digest digest, IReadOnlyList<string> to, SmtpSettings smtp, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var address in to)
        {
            message.To.Add(MailboxAddress.Parse(address));
        }

        message.Subject = digest.Subject;
        message.Date = clock.GetUtcNow();
        message.Body = new BodyBuilder { TextBody = digest.Text, HtmlBody = digest.Html }.ToMessageBody();
        using var client = new SmtpClient { Timeout = 15_000 };
        try
        {
            var security = smtp.Tls switch
            {
                SmtpTls.None => SecureSocketOptions.None,
                SmtpTls.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.SslOnConnect,
            };
            await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken).ConfigureAwait(false);
            if (smtp.User is not null)
            {
                await client.AuthenticateAsync(smtp.User, smtp.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
            return new Outcome(null, false, null);
        }
        catch (SmtpCommandException ex)
        {
            // 4xx replies are the server's "try again later"; 5xx ones are refusals (bad address, relay denied).
            var code = (int)ex.StatusCode;
            return new Outcome(string.Create(CultureInfo.InvariantCulture, $"SMTP {code} {ex.Message}"), code is >= 400 and < 500, null);
        }
        catch (AuthenticationException ex)
        {
            return new Outcome("SMTP authentication failed: " + ex.Message, false, null);
        }
        catch (SslHandshakeException ex)
        {
            return new Outcome("TLS handshake failed: " + ex.Message.Split('\n')[0], false, null);
        }
        catch (Exception ex) when (ex is SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return new Outcome(string.Create(CultureInfo.InvariantCulture, $"SMTP {smtp.Host}:{smtp.Port}: {ex.Message}"), true, null);
        }
    }

    private sealed record Outcome(string? Error, bool Transient, TimeSpan? RetryAfter);
}
