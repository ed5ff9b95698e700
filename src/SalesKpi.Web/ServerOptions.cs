namespace SalesKpi.Web;

/// <summary>How a server is started: which workspace it serves, where it listens and where "now" comes from.</summary>
/// <param name="WorkspacePath">The workspace file every request reads.</param>
/// <param name="Urls">The addresses to listen on, e.g. <c>http://127.0.0.1:5080</c>; port 0 picks a free port.</param>
/// <param name="Clock">Where each request's "now" comes from (a fixed clock in tests).</param>
public sealed record ServerOptions(string WorkspacePath, IReadOnlyList<string> Urls, TimeProvider Clock)
{
    /// <summary>The address <c>saleskpi serve</c> listens on unless told otherwise: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>How long a request waits while another process writes the workspace (an import from the CLI).</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Request limits and the optional OpenID Connect sign-in.</summary>
    public ServerSecurity Security { get; init; } = new();

    /// <summary>How long a change or import waits for the one running before it is refused (503, <c>api.writer_busy</c>).</summary>
    public TimeSpan WriteWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest request body an upload may have, in bytes (default 200 MB); a larger one gets 413.</summary>
    public long MaxUploadBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>Where uploads are kept under generated names; null for a <c>saleskpi-uploads</c> folder in the system temp folder.</summary>
    public string? UploadDirectory { get; init; }

    /// <summary>The headless Chromium the dashboard prints PDFs with (<c>SALESKPI_CHROMIUM</c> or chromium on the PATH); null: a PDF download says what to install.</summary>
    public string? Chromium { get; init; }

    /// <summary>Whether every request is logged as one JSON line on standard output (<see cref="RequestLog"/>); off by default.</summary>
    public bool RequestLog { get; init; }

    /// <summary>Where scheduled digests go out from (<see cref="DigestScheduler"/>): public URL, SMTP, retries. The host reads them from its environment.</summary>
    public SalesKpi.Application.Services.DigestSettings Digests { get; init; } = new(null, null);

    /// <summary>How often the digest scheduler looks for due subscriptions (default once a minute, on <see cref="Clock"/>).</summary>
    public TimeSpan DigestTick { get; init; } = TimeSpan.FromMinutes(1);
}
