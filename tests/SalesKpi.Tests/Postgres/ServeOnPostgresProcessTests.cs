using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;

using static SalesKpi.Tests.Web.FormSession;

namespace SalesKpi.Tests.Postgres;

/// <summary>
/// Two real <c>saleskpi serve</c> processes on one PostgreSQL workspace with one upload folder, as behind a load balancer
/// without sticky sessions (docs/server.md, "PostgreSQL and several processes"). Processes, not two servers in the test
/// process: those would share every static of the server (a preview or a key held in memory), which two processes do not.
/// </summary>
public sealed partial class ServeOnPostgresProcessTests
{
    private const string Leads = "lead_id,created_at,channel\nP-1,2026-10-01 10:00,events\nP-2,not-a-date,events\nP-3,2026-10-02 11:30,events\n";

    [SkippableFact]
    public async Task The_dashboard_import_previewed_on_one_process_is_confirmed_on_the_other_with_one_sign_in()
    {
        TestEngine.UsePostgres();
        using var dir = new TempDir();
        Ws.Create(dir).Dispose();
        var ctx = new RequestContext(Language.En, TimeProvider.System, "test", dir.Db);
        new UsersService().Add(new AddUserRequest("helga", "head", null, "helga-password-1"), ctx);
        var uploads = dir.File("shared-uploads");
        await using var one = await ServeProcess.StartAsync(dir, "host-a", uploads);
        await using var two = await ServeProcess.StartAsync(dir, "host-b", uploads);
        using var a = one.Client();
        using var b = two.Client();
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);

        // The sign-in form (and its antiforgery cookie) from one process, the sign-in itself through the other.
        var form = await Send(a, jar, HttpMethod.Get, "/signin?lang=en", null);
        form.Status.ShouldBe(HttpStatusCode.OK, form.Body);
        var signedIn = await Send(b, jar, HttpMethod.Post, "/signin", new Dictionary<string, string>
        {
            ["name"] = "helga",
            ["password"] = "helga-password-1",
            ["return_url"] = "/import",
            ["__RequestVerificationToken"] = Token(form.Body),
        });
        signedIn.Status.ShouldBe(HttpStatusCode.Redirect, signedIn.Body);

        // The import page from the second process, the dry run (files kept in the upload folder) on the first.
        var page = await SendContent(b, jar, HttpMethod.Get, "/import?lang=en", null);
        page.Status.ShouldBe(HttpStatusCode.OK, page.Body);
        var dry = await SendContent(a, jar, HttpMethod.Post, "/import?lang=en", Upload(Token(page.Body), ("leads.csv", Leads)));
        dry.Status.ShouldBe(HttpStatusCode.OK, dry.Body);
        WebUtility.HtmlDecode(dry.Body).ShouldContain("Read 3 = would store 2 + rejected 1.");
        LeadCount(dir.Db).ShouldBe(0);
        var upload = UploadField().Match(dry.Body).Groups[1].Value;
        upload.Length.ShouldBe(32);

        // "Import for real", the form of the first process's page, posted to the second.
        var real = await Send(b, jar, HttpMethod.Post, "/import?lang=en", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(dry.Body),
            ["upload"] = upload,
            ["profile"] = string.Empty,
        });
        real.Status.ShouldBe(HttpStatusCode.OK, real.Body);
        WebUtility.HtmlDecode(real.Body).ShouldContain("Read 3 = stored 2 + rejected 1.");
        LeadCount(dir.Db).ShouldBe(2);
        new AuditService().List(5, ctx).Entries.ShouldContain(e => e.Action == "import" && e.User == "helga");

        // The rejects link of the second process's answer, through the first; and the upload cannot be imported twice there.
        var rejects = await SendContent(a, jar, HttpMethod.Get, "/import/" + upload + "/rejects?file=1", null);
        rejects.Status.ShouldBe(HttpStatusCode.OK, rejects.Body);
        rejects.Body.ShouldContain("P-2,not-a-date,events");
        var again = await Send(a, jar, HttpMethod.Post, "/import?lang=en", new Dictionary<string, string> { ["__RequestVerificationToken"] = Token(real.Body), ["upload"] = upload });
        again.Status.ShouldBe(HttpStatusCode.BadRequest);
        LeadCount(dir.Db).ShouldBe(2);
    }

    private static long LeadCount(string db)
    {
        using var ws = Workspace.Open(db, WorkspaceAccess.ReadOnly, null);
        return ws.Count("SELECT count(*) FROM leads");
    }

    private static MultipartFormDataContent Upload(string token, params (string Name, string Text)[] files)
    {
        var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(string.Empty), "profile" },
        };
        foreach (var (name, text) in files)
        {
            content.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", name);
        }

        return content;
    }

    [GeneratedRegex("name=\"upload\" value=\"([0-9a-f]+)\"")]
    private static partial Regex UploadField();

    /// <summary>One <c>saleskpi serve</c> child process on any free port; disposing kills it.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly Task<string> errors;
        private Task<string>? rest;
        private bool disposed;

        private ServeProcess(Process process)
        {
            this.process = process;
            errors = process.StandardError.ReadToEndAsync();
        }

        public Uri? Url { get; private set; }

        /// <summary>
        /// Starts <c>serve</c> as if on its own machine: a home and a temp folder of its own (where ASP.NET Core would keep
        /// its data-protection keys, and where the default upload folder is), only the workspace and <paramref name="uploads"/> shared.
        /// </summary>
        public static async Task<ServeProcess> StartAsync(TempDir dir, string host, string uploads)
        {
            var home = Directory.CreateDirectory(dir.File(host)).FullName;
            var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = home, ["TMPDIR"] = Directory.CreateDirectory(Path.Combine(home, "tmp")).FullName };
            var serve = new ServeProcess(Process.Start(CliRunner.StartInfo(dir.Path, env, "serve", "--db", dir.Db, "--urls", "http://127.0.0.1:0", "--upload-dir", uploads))!);
            try
            {
                var seen = new List<string>();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
                while (await serve.process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    seen.Add(line);
                    var at = line.IndexOf("Listening on ", StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        serve.Url = new Uri(line[(at + "Listening on ".Length)..].Trim());
                        break;
                    }
                }

                // The request log goes on to standard output: it is drained so that the server never blocks on the pipe.
                serve.rest = serve.process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                if (serve.Url is null)
                {
                    await serve.DisposeAsync();
                    throw new InvalidOperationException("serve did not start. stdout:\n" + string.Join('\n', seen) + "\nstderr:\n" + await serve.errors);
                }

                return serve;
            }
            catch
            {
                await serve.DisposeAsync();
                throw;
            }
        }

        public HttpClient Client() =>
            new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Url!, Timeout = TimeSpan.FromSeconds(120) };

        public async ValueTask DisposeAsync()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            await errors;
            if (rest is not null)
            {
                await rest;
            }

            process.Dispose();
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"serve {process.Id} on {Url}");
    }
}
