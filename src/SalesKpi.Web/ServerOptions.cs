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
}
