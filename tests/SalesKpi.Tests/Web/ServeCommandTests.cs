using SalesKpi.Core;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>One server per workspace: the lock beside the file refuses a second 'serve'.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_second_serve_on_the_same_workspace_fails_with_a_clear_error()
    {
        var db = dir.File("w.duckdb");
        InProcessCli.Run(dir.Path, "init", "--db", db).Exit.ShouldBe(0);
        using (ServeLock.Acquire(db))
        {
            var second = InProcessCli.Run(dir.Path, "serve", "--db", db, "--urls", "http://127.0.0.1:0");

            second.Exit.ShouldBe(1);
            second.Err.ShouldContain("Another 'saleskpi serve' already serves");
            second.Err.ShouldContain(ServeLock.PathFor(db));
        }

        // The lock goes with its holder: the next server takes it.
        using var next = ServeLock.Acquire(db);
        next.Path.ShouldBe(ServeLock.PathFor(db));
    }

    [Fact]
    public void The_lock_refuses_a_second_holder_with_its_code_until_the_first_lets_go()
    {
        var db = dir.File("w.duckdb");
        var first = ServeLock.Acquire(db);
        Should.Throw<SalesKpiException>(() => ServeLock.Acquire(db)).Text.Code.ShouldBe("server.busy");
        first.Dispose();
        File.Exists(ServeLock.PathFor(db)).ShouldBeFalse();
        using var again = ServeLock.Acquire(db);
    }
}

/// <summary>'saleskpi serve' as a process: it prints where it listens, answers there, and stops on Ctrl+C (SIGINT).</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    // Bit 2 (SIGINT) of the ignored-signals mask in /proc/self/status; false where there is no such file.
    private static bool SigIntIgnored()
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 0x2) != 0;
    }

    [Fact]
    public async Task Serve_prints_its_address_answers_there_and_stops_on_interrupt_releasing_its_lock()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var db = dir.File("w.duckdb");
        CliRunner.Run(dir.Path, "init", "--db", db).Exit.ShouldBe(0);
        using var server = System.Diagnostics.Process.Start(CliRunner.StartInfo(dir.Path, null, "serve", "--db", db, "--urls", "http://127.0.0.1:0"))!;
        try
        {
            string? url = null;
            var seen = new List<string>();
            while (url is null && await server.StandardOutput.ReadLineAsync() is { } line)
            {
                seen.Add(line);
                var at = line.IndexOf("Listening on ", StringComparison.Ordinal);
                url = at < 0 ? null : line[(at + "Listening on ".Length)..].Trim();
            }

            // Standard error is read only once the server has ended (it has no end while the server runs).
            url.ShouldNotBeNull(string.Join('\n', seen));
            url.ShouldStartWith("http://127.0.0.1:");
            File.Exists(ServeLock.PathFor(db)).ShouldBeTrue();

            // The first start made the admin and printed its password once.
            var password = seen.Select(l => l.Trim()).Single(l => l.StartsWith("admin password (shown only now): ", StringComparison.Ordinal))["admin password (shown only now): ".Length..];
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(url) };
            (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
            (await http.GetAsync(new Uri("/api/v1/status", UriKind.Relative))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
            using (var signIn = await http.PostAsync(new Uri("/api/v1/session", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "admin", ["password"] = password })))
            {
                signIn.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await signIn.Content.ReadAsStringAsync());
            }

            var status = await http.GetStringAsync(new Uri("/api/v1/status", UriKind.Relative));
            System.Text.Json.JsonDocument.Parse(status).RootElement.GetProperty("time_zone").GetString().ShouldBe("UTC");

            // A process started with SIGINT ignored (a background job of a non-interactive shell, e.g. `(bash .ci/run &)`)
            // passes that on to its children, and .NET keeps an inherited ignore of SIGINT as shells do: Ctrl+C cannot
            // reach such a server. Then the test stops it with SIGTERM, which the server handles the same way.
            var signal = SigIntIgnored() ? "-TERM" : "-INT";
            using (var interrupt = System.Diagnostics.Process.Start("kill", [signal, server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            // Both pipes are drained while waiting, so a server that writes on its way out can never block on them.
            var rest = server.StandardOutput.ReadToEndAsync();
            var errors = server.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                server.Kill();
                throw new TimeoutException($"serve did not stop within 60 s of kill {signal}. stdout:\n" + string.Join('\n', seen) + '\n' + await rest + "\nstderr:\n" + await errors);
            }

            server.ExitCode.ShouldBe(0, await errors);
            File.Exists(ServeLock.PathFor(db)).ShouldBeFalse();
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
    }
}

/// <summary>The shared upload folder of several servers (docs/server.md, "PostgreSQL and several processes").</summary>
public sealed class ServeUploadFolderTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void An_upload_folder_that_is_a_file_stops_serve_with_a_clear_error_in_both_languages()
    {
        var db = dir.File("w.duckdb");
        InProcessCli.Run(dir.Path, "init", "--db", db).Exit.ShouldBe(0);
        var file = dir.Write("uploads", "not a folder");

        var en = InProcessCli.Run(dir.Path, "serve", "--db", db, "--urls", "http://127.0.0.1:0", "--upload-dir", file, "--admin-password-file", dir.Write("pw.txt", "admin-password-1\n"));
        en.Exit.ShouldBe(1);
        en.Err.ShouldContain($"The upload folder {file} is a file");

        var ru = InProcessCli.Run(dir.Path, new Dictionary<string, string> { ["SALESKPI_UPLOAD_DIR"] = file }, "serve", "--db", db, "--urls", "http://127.0.0.1:0", "--lang", "ru");
        ru.Exit.ShouldBe(1);
        ru.Err.ShouldContain($"Папка загрузок {file} — это файл");
    }
}
