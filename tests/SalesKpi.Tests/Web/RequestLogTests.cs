using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>The server's structured request log.</summary>
public sealed class RequestLogTests(DemoServer server) : IClassFixture<DemoServer>
{
    [Fact]
    public async Task Each_request_is_logged_once_with_method_path_status_user_and_no_query()
    {
        var lines = new ConcurrentQueue<(string Category, string Text)>();
        var app = ApiServer.Build(new ServerOptions(server.Db, [], DemoServer.Clock), b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.AddProvider(new Capture(lines));
            b.Logging.AddFilter(RequestLog.Category, LogLevel.Information);
        });
        await app.StartAsync();
        try
        {
            using var client = server.Authorized(app.GetTestClient());
            using var ok = await client.GetAsync(new Uri("/api/v1/status?imports=2", UriKind.Relative));
            using var anonymous = await app.GetTestClient().GetAsync(new Uri("/api/v1/kpis", UriKind.Relative));

            var logged = lines.Where(l => l.Category == RequestLog.Category).Select(l => l.Text).ToList();
            logged.Count.ShouldBe(2);
            logged[0].ShouldStartWith("GET /api/v1/status 200 ");
            logged[0].ShouldContain("user=admin");
            logged[0].ShouldNotContain("imports=2");
            logged[1].ShouldStartWith("GET /api/v1/kpis 401 ");
            logged[1].ShouldContain("user=-");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private sealed class Capture(ConcurrentQueue<(string, string)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((category, formatter(state, exception)));
        }
    }
}
