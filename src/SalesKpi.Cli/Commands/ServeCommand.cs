using Microsoft.Extensions.Hosting;
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

    [CommandOption("--max-upload-mb <MB>")]
    [LocDescription("The largest upload (import, targets CSV, KPI-system YAML) the server accepts, in MB (default 200).", "Наибольшая загрузка (импорт, CSV целей, YAML системы KPI), которую принимает сервер, в МБ (по умолчанию 200).")]
    public int MaxUploadMb { get; init; } = 200;

    public override ValidationResult Validate() =>
        MaxUploadMb is < 1 or > 100_000 ? ValidationResult.Error(Loc.T("--max-upload-mb must be from 1 to 100000.", "--max-upload-mb должно быть от 1 до 100000.")) : base.Validate();
}

/// <summary>Serves the workspace's REST API until Ctrl+C (docs/server.md).</summary>
internal sealed class ServeCommand(CliHost host) : Command<ServeSettings>
{
    public override int Execute(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        var ctx = host.Context(settings);
        var workspace = Path.GetFullPath(ctx.WorkspacePath);

        // One server per workspace: the lock is taken before anything listens and held until the server stops.
        using var claim = ServeLock.Acquire(ctx.WorkspacePath);

        // A server on a file that does not open would only answer 503s: fail now, with the reason.
        using (ctx.Open(WorkspaceAccess.ReadOnly))
        {
        }

        var urls = settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        using var app = ApiServer.Build(new ServerOptions(workspace, urls, host.Clock) { Wait = ctx.Wait, MaxUploadBytes = settings.MaxUploadMb * 1024L * 1024L });
        app.StartAsync(cancellationToken).GetAwaiter().GetResult();
        host.Console.MarkupLine(Markup.Escape(Loc.F("Serving {0}", "Обслуживается {0}", workspace)));
        foreach (var url in app.Urls)
        {
            host.Console.MarkupLine(Markup.Escape(Loc.F("Listening on {0}", "Адрес: {0}", url)));
            host.Console.MarkupLine(Markup.Escape(Loc.F("  API: {0}{1}/…   OpenAPI: {0}{2}   reference: {0}{3}", "  API: {0}{1}/…   OpenAPI: {0}{2}   справочник: {0}{3}", url, ApiServer.Prefix, ApiServer.OpenApiPath, ApiServer.ReferencePath)));
        }

        host.Console.MarkupLine(Markup.Escape(Loc.T("No sign-in yet, and the server owns the workspace while it runs: keep it on a trusted network. Ctrl+C stops.", "Входа пока нет, и сервер владеет рабочей областью, пока работает: держите его в доверенной сети. Ctrl+C — остановить.")));
        host.Out.Flush();
        app.WaitForShutdownAsync(cancellationToken).GetAwaiter().GetResult();
        return 0;
    }
}
