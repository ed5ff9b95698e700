using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesKpi.Storage;

namespace SalesKpi.Web;

/// <summary>
/// The data-protection keys of a server on a PostgreSQL workspace, kept in the workspace's settings (keys
/// <c>dataprotection.key.NAME</c>, the key's XML as ASP.NET Core writes it) instead of the user profile of one machine.
/// Session cookies, antiforgery tokens and the OpenID Connect sign-in state are encrypted with these keys, so with the
/// key ring in the database a cookie issued by one server process is read by every other process behind the same load
/// balancer. Whoever can read the workspace's settings can read the keys, as whoever can read the profile folder could.
/// </summary>
internal sealed class WorkspaceKeyRing(ServerOptions options) : IXmlRepository
{
    /// <summary>The settings prefix of the keys.</summary>
    public const string Prefix = "dataprotection.key.";

    /// <summary>The row every process takes while it looks for a key and makes the first one, so that only one is made.</summary>
    private const string LockKey = "dataprotection.lock";

    /// <summary>The application name every process of one workspace shares, wherever it was started from.</summary>
    private const string Application = "saleskpi";

    /// <summary>Stores the key ring of a server on a PostgreSQL workspace in the workspace; a server on a file keeps ASP.NET Core's default.</summary>
    public static void AddTo(WebApplicationBuilder builder, ServerOptions options)
    {
        if (!WorkspaceLocation.IsServer(options.WorkspacePath))
        {
            return;
        }

        builder.Services.AddDataProtection().SetApplicationName(Application);
        builder.Services.Configure<KeyManagementOptions>(o => o.XmlRepository = new WorkspaceKeyRing(options));

        // Its warning that keys are stored unencrypted is the design here (docs/server.md), not news at every start.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
    }

    /// <summary>
    /// Makes the first key unless the workspace has one, holding a row lock of the workspace while it looks, so that
    /// processes starting together agree on one key instead of each making its own (a cookie encrypted with a key another
    /// process never loaded would not be read there until that process reloads its key ring).
    /// </summary>
    public static void EnsureKey(IServiceProvider services, ServerOptions options)
    {
        if (!WorkspaceLocation.IsServer(options.WorkspacePath))
        {
            return;
        }

        var ring = new WorkspaceKeyRing(options);
        using var ws = ring.Open(WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        ws.WriteSetting(LockKey, "held while the first key is made");
        if (ring.GetAllElements().Count == 0)
        {
            var now = options.Clock.GetUtcNow();
            services.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));
        }

        tx.Commit();
    }

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var ws = Open(WorkspaceAccess.ReadOnly);
        return [.. ws.ReadSettings(Prefix).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => XElement.Parse(kv.Value))];
    }

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var ws = Open(WorkspaceAccess.ReadWrite);
        ws.WriteSetting(Prefix + friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }

    private Workspace Open(WorkspaceAccess access) =>
        Workspace.Open(options.WorkspacePath, access, new WorkspaceWait(options.Wait, _ => { }, options.Clock));
}
