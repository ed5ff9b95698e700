using Microsoft.Extensions.Hosting;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Web;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SalesKpi.Cli.Commands;

internal sealed class ServeSettings : WorkspaceCommandSettings
{
    [CommandOption("--urls <URLS>")]
    [LocDescription("Where to listen, separated by ';' (default http://127.0.0.1:5080: this machine only; port 0 picks a free port).", "Где слушать, через «;» (по умолчанию http://127.0.0.1:5080 — только этот компьютер; порт 0 — любой свободный).")]
    public string Urls { get; init; } = ServerOptions.DefaultUrl;

    [CommandOption("--admin-password-file <FILE>")]
    [LocDescription("On a workspace with no users: the password of the user admin it creates, from the first line of FILE (default: generated and printed once).", "Для рабочей области без пользователей: пароль создаваемого пользователя admin из первой строки файла (по умолчанию создаётся и выводится один раз).")]
    public string? AdminPasswordFile { get; init; }

    [CommandOption("--rate-limit <N>")]
    [LocDescription("Requests per minute for one user (or one address before sign-in); default 600.", "Запросов в минуту от одного пользователя (или адреса до входа); по умолчанию 600.")]
    public int RateLimit { get; init; } = 600;

    [CommandOption("--sign-in-limit <N>")]
    [LocDescription("Password sign-in attempts per minute from one address; default 10.", "Попыток входа по паролю в минуту с одного адреса; по умолчанию 10.")]
    public int SignInLimit { get; init; } = 10;

    [CommandOption("--oidc-authority <URL>")]
    [LocDescription("Sign people in through this OpenID Connect provider too (its issuer address, https).", "Также входить через этого провайдера OpenID Connect (адрес издателя, https).")]
    public string? OidcAuthority { get; init; }

    [CommandOption("--oidc-client-id <ID>")]
    [LocDescription("This server's client id at the OpenID Connect provider.", "Идентификатор клиента этого сервера у провайдера OpenID Connect.")]
    public string? OidcClientId { get; init; }

    [CommandOption("--oidc-client-secret <SECRET>")]
    [LocDescription("The client secret (better: the variable SALESKPI_OIDC_CLIENT_SECRET, which process lists do not show).", "Секрет клиента (лучше — переменная SALESKPI_OIDC_CLIENT_SECRET, её не видно в списке процессов).")]
    public string? OidcClientSecret { get; init; }

    [CommandOption("--oidc-name-claim <CLAIM>")]
    [LocDescription("The provider's claim that holds the SalesKpi user name (default preferred_username).", "Утверждение провайдера с именем пользователя SalesKpi (по умолчанию preferred_username).")]
    public string OidcNameClaim { get; init; } = "preferred_username";

    [CommandOption("--log-requests")]
    [LocDescription("Log every request as one JSON line on standard output: method, path, status, milliseconds, user, trace id.", "Записывать каждый запрос одной строкой JSON в стандартный вывод: метод, путь, статус, миллисекунды, пользователь, trace id.")]
    public bool LogRequests { get; init; }

    [CommandOption("--max-upload-mb <MB>")]
    [LocDescription("The largest upload (import, targets CSV, KPI-system YAML) the server accepts, in MB (default 200).", "Наибольшая загрузка (импорт, CSV целей, YAML системы KPI), которую принимает сервер, в МБ (по умолчанию 200).")]
    public int MaxUploadMb { get; init; } = 200;

    [CommandOption("--upload-dir <DIR>")]
    [LocDescription("Where uploads wait for their import and their rejects and warnings files stay (default: saleskpi-uploads in the system temp folder; env SALESKPI_UPLOAD_DIR). Several servers of one PostgreSQL workspace behind a load balancer need one shared folder.", "Где загрузки ждут импорта и хранятся их файлы отказов и предупреждений (по умолчанию saleskpi-uploads во временной папке системы; переменная SALESKPI_UPLOAD_DIR). Нескольким серверам одной рабочей области PostgreSQL за балансировщиком нужна одна общая папка.")]
    public string? UploadDir { get; init; }

    [CommandOption("--trusted-proxy <ADDRESS>")]
    [LocDescription("A load balancer whose X-Forwarded-For is believed: its address (10.0.0.5) or network (10.0.0.0/8); repeat for several (env SALESKPI_TRUSTED_PROXIES, comma-separated). Without it every client behind the balancer shares its address and its request and sign-in limits.", "Балансировщик, чьему X-Forwarded-For можно верить: его адрес (10.0.0.5) или сеть (10.0.0.0/8); повторите для нескольких (переменная SALESKPI_TRUSTED_PROXIES, через запятую). Без этого все клиенты за балансировщиком делят его адрес и его лимиты запросов и входов.")]
    public string[] TrustedProxies { get; init; } = [];

    public override ValidationResult Validate() =>
        RateLimit < 1 || SignInLimit < 1
            ? ValidationResult.Error(Loc.T("--rate-limit and --sign-in-limit must be at least 1.", "--rate-limit и --sign-in-limit должны быть не меньше 1."))
            : (OidcAuthority is null) != (OidcClientId is null)
                ? ValidationResult.Error(Loc.T("OpenID Connect needs both --oidc-authority and --oidc-client-id.", "Для OpenID Connect нужны и --oidc-authority, и --oidc-client-id."))
                : MaxUploadMb is < 1 or > 100_000
                    ? ValidationResult.Error(Loc.T("--max-upload-mb must be from 1 to 100000.", "--max-upload-mb должно быть от 1 до 100000."))
                    : base.Validate();
}

/// <summary>Serves the workspace's REST API until Ctrl+C (docs/server.md).</summary>
internal sealed class ServeCommand(CliHost host) : Command<ServeSettings>
{
    public override int Execute(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        var ctx = host.Context(settings);
        var server = WorkspaceLocation.IsServer(ctx.WorkspacePath);
        var workspace = server ? ctx.WorkspacePath : Path.GetFullPath(ctx.WorkspacePath);

        // One server per workspace file: the lock is taken before anything listens and held until the server stops. A
        // PostgreSQL workspace may be served by several processes (behind a load balancer), so it takes none.
        using var claim = server ? null : ServeLock.Acquire(ctx.WorkspacePath);

        // A server on a file that does not open would only answer 503s: fail now, with the reason.
        using (ctx.Open(WorkspaceAccess.ReadOnly))
        {
        }

        var oidc = settings.OidcAuthority is null
            ? null
            : new OidcSettings(settings.OidcAuthority, settings.OidcClientId!, settings.OidcClientSecret ?? host.Variable("SALESKPI_OIDC_CLIENT_SECRET")) { NameClaim = settings.OidcNameClaim };
        oidc?.Validate();

        var uploads = UploadFolder(settings.UploadDir ?? host.Variable("SALESKPI_UPLOAD_DIR"));
        var proxyText = settings.TrustedProxies.Length > 0
            ? settings.TrustedProxies
            : (host.Variable("SALESKPI_TRUSTED_PROXIES") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        List<System.Net.IPNetwork> proxies = [.. proxyText.Select(ServerSecurity.ParseProxy)];

        // Nobody could sign in to a server without users: the first start makes the admin.
        var admin = new UsersService().EnsureAdmin(UsersText.ReadPassword(host, settings.AdminPasswordFile), ctx);
        var urls = settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var security = new ServerSecurity { RequestsPerWindow = settings.RateLimit, SignInsPerWindow = settings.SignInLimit, Oidc = oidc, TrustedProxies = proxies };
        var digests = DigestText.Settings(host, ctx);
        using var app = ApiServer.Build(new ServerOptions(workspace, urls, host.Clock) { Wait = ctx.Wait, Security = security, MaxUploadBytes = settings.MaxUploadMb * 1024L * 1024L, UploadDirectory = uploads, RequestLog = settings.LogRequests, Digests = digests, Chromium = Dashboard.Brief.BriefPdf.Locate(host.Variable(Dashboard.Brief.BriefPdf.ChromiumVariable), host.Variable("PATH")) });
        app.StartAsync(cancellationToken).GetAwaiter().GetResult();
        if (admin.ByAnotherProcess)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("Another server starting at the same moment created 'admin' (its console shows the password): this one uses it.", "Другой сервер, запущенный в тот же момент, создал «admin» (пароль — в его консоли): этот сервер использует его.")));
        }

        if (admin.Created is { } created)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.T("The workspace had no users: created 'admin'.", "В рабочей области не было пользователей: создан «admin».")));
            if (created.GeneratedPassword is { } password)
            {
                host.Console.MarkupLine(Markup.Escape(Loc.F("admin password (shown only now): {0}", "пароль admin (показан только сейчас): {0}", password)));
            }
        }

        host.Console.MarkupLine(Markup.Escape(Loc.F("Serving {0}", "Обслуживается {0}", WorkspaceLocation.Display(workspace))));
        foreach (var url in app.Urls)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("Listening on {0}", "Адрес: {0}", url)));
            host.Console.MarkupLine(Markup.Escape(Loc.F("  API: {0}{1}/…   OpenAPI: {0}{2}   reference: {0}{3}", "  API: {0}{1}/…   OpenAPI: {0}{2}   справочник: {0}{3}", url, ApiServer.Prefix, ApiServer.OpenApiPath, ApiServer.ReferencePath)));
        }

        host.Console.MarkupLine(Markup.Escape(server
            ? Loc.T("Sign in at /signin or with POST /api/v1/session, or use a token ('saleskpi users token NAME'). Other servers and the CLI may use this workspace at the same time. Ctrl+C stops.", "Вход — /signin или POST /api/v1/session, или токен («saleskpi users token ИМЯ»). Другие серверы и CLI могут работать с этой рабочей областью одновременно. Ctrl+C — остановить.")
            : Loc.T("Sign in at /signin or with POST /api/v1/session, or use a token ('saleskpi users token NAME'). The server owns the workspace while it runs. Ctrl+C stops.", "Вход — /signin или POST /api/v1/session, или токен («saleskpi users token ИМЯ»). Пока сервер работает, рабочая область принадлежит ему. Ctrl+C — остановить.")));
        host.Out.Flush();
        app.WaitForShutdownAsync(cancellationToken).GetAwaiter().GetResult();
        return 0;
    }

    // A shared folder is made when missing (the first server of a group may start before anything was uploaded), but a
    // file of that name is refused rather than written next to.
    private static string? UploadFolder(string? dir)
    {
        if (string.IsNullOrWhiteSpace(dir))
        {
            return null;
        }

        var full = Path.GetFullPath(dir);
        if (File.Exists(full))
        {
            throw new SalesKpiException(Msg.Of("server.upload_dir_file", "The upload folder {0} is a file: give a folder (--upload-dir or SALESKPI_UPLOAD_DIR).", "Папка загрузок {0} — это файл: укажите папку (--upload-dir или SALESKPI_UPLOAD_DIR).", full));
        }

        Directory.CreateDirectory(full);
        return full;
    }
}
