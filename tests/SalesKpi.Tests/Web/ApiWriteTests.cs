using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;
using SalesKpi.Web;

namespace SalesKpi.Tests.Web;

/// <summary>The change endpoints over a demo workspace of their own: targets, KPI system, params, imports, the one writer, the audit log.</summary>
public class ApiWriteTests(DemoServer server) : IClassFixture<DemoServer>
{
    private HttpClient Client => server.Client;

    private RequestContext Ctx => new(Language.En, DemoServer.Clock, "test", server.Db);

    [SkippableFact]
    public async Task Setting_a_target_stores_a_version_by_the_requests_user_and_an_audit_row_in_the_same_change()
    {
        var before = new ConfigService().Log(Ctx).Versions.Count;

        using var response = await Client.PostAsync(Uri("/api/v1/targets?kpi=leads&period=2027-Q1&value=1234&reason=plan%202027"), null);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var root = JsonDocument.Parse(body).RootElement;
        root.GetProperty("changed").GetBoolean().ShouldBeTrue();
        var version = root.GetProperty("version").GetInt32();
        version.ShouldBe(before + 1);
        root.GetProperty("targets")[0].GetProperty("value").GetDecimal().ShouldBe(1234m);
        var stored = new ConfigService().Log(Ctx).Versions[^1];
        stored.Number.ShouldBe(version);
        stored.Author.ShouldBe("admin", "the signed-in user whose token made the change");
        stored.Reason.ShouldBe("plan 2027");

        var audit = new AuditService().List(50, Ctx).Entries.First(e => e.Action == "targets.set" && e.Target == "leads|2027-Q1|");
        audit.User.ShouldBe(stored.Author);
        audit.AtUtc.ShouldBe(DemoServer.Clock.GetUtcNow().UtcDateTime);
        JsonDocument.Parse(audit.Details).RootElement.GetProperty("version").GetInt32().ShouldBe(version);
    }

    [SkippableFact]
    public async Task The_audit_endpoint_answers_the_json_of_saleskpi_audit()
    {
        using (var set = await Client.PutAsync(Uri("/api/v1/params/lead_to_sql_window_days?value=41"), null))
        {
            set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
            JsonDocument.Parse(await set.Content.ReadAsStringAsync()).RootElement.GetProperty("parameters").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "lead_to_sql_window_days").GetProperty("value").GetString().ShouldBe("41");
        }

        var cli = InProcessCli.Run(server.Dir, null, DemoServer.Clock, "audit", "--limit", "5", "--format", "json", "--db", server.Db);
        cli.Exit.ShouldBe(0, cli.Err);

        var body = await Client.GetStringAsync(Uri("/api/v1/audit?limit=5"));

        body.ShouldBe(cli.Out.TrimEnd('\r', '\n'));
        var entries = JsonDocument.Parse(body).RootElement.GetProperty("entries");
        entries.EnumerateArray().ShouldContain(e => e.GetProperty("action").GetString() == "params.set" && e.GetProperty("target").GetString() == "lead_to_sql_window_days" && e.GetProperty("details").GetProperty("value").GetString() == "41");
    }

    [SkippableFact]
    public async Task A_posted_kpi_system_with_errors_is_a_400_listing_each_error_without_server_paths_and_changes_nothing()
    {
        var versions = new ConfigService().Log(Ctx).Versions.Count;
        var audits = new AuditService().List(AuditService.MaxLimit, Ctx).Entries.Count;
        const string yaml = "kpis:\n  active: [leads, no_such_kpi]\n";

        using var validate = await Client.PostAsync(Uri("/api/v1/versions/validate"), new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        var checkedBody = JsonDocument.Parse(await validate.Content.ReadAsStringAsync()).RootElement;
        validate.StatusCode.ShouldBe(HttpStatusCode.OK);
        checkedBody.GetProperty("valid").GetBoolean().ShouldBeFalse();
        checkedBody.GetProperty("errors")[0].GetProperty("line").GetInt32().ShouldBe(2);

        using var apply = await Client.PostAsync(Uri("/api/v1/versions?reason=try&lang=ru"), new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        var problem = await apply.Content.ReadAsStringAsync();
        apply.StatusCode.ShouldBe(HttpStatusCode.BadRequest, problem);
        var root = JsonDocument.Parse(problem).RootElement;
        root.GetProperty("code").GetString().ShouldBe("config.file_invalid");
        root.GetProperty("errors").GetArrayLength().ShouldBe(checkedBody.GetProperty("errors").GetArrayLength());
        problem.ShouldNotContain(Path.GetTempPath().TrimEnd('/'));
        root.GetProperty("detail").GetString()!.ShouldContain("ничего не изменено");

        new ConfigService().Log(Ctx).Versions.Count.ShouldBe(versions);
        new AuditService().List(AuditService.MaxLimit, Ctx).Entries.Count.ShouldBe(audits);
    }

    [SkippableFact]
    public async Task Applying_a_posted_kpi_system_stores_it_as_the_next_version()
    {
        string changed;
        using (var ws = Workspace.Open(server.Db, WorkspaceAccess.ReadOnly, null))
        {
            var config = ConfigStore.Current(ws);
            changed = KpiSystemWriter.Write(config with { Parameters = config.Parameters.Set("response_sla_hours", "7.5") });
        }

        var versions = new ConfigService().Log(Ctx).Versions.Count;

        using var apply = await Client.PostAsync(Uri("/api/v1/versions?reason=api%20apply"), new StringContent(changed, Encoding.UTF8, "application/yaml"));
        var body = await apply.Content.ReadAsStringAsync();

        apply.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        JsonDocument.Parse(body).RootElement.GetProperty("version").GetInt32().ShouldBe(versions + 1);
        var audit = new AuditService().List(1, Ctx).Entries[0];
        audit.Action.ShouldBe("config.apply");
        audit.Target.ShouldBe("v" + (versions + 1));
    }

    [SkippableFact]
    public async Task A_change_the_kpi_system_refuses_inside_its_transaction_leaves_no_audit_row()
    {
        var audits = new AuditService().List(AuditService.MaxLimit, Ctx).Entries.Count;
        var versions = new ConfigService().Log(Ctx).Versions.Count;

        // A win rate of 150 % passes the request's parsing and is refused by the version check inside the change.
        using var response = await Client.PostAsync(Uri("/api/v1/targets?kpi=win_rate&period=2027-Q2&value=150%25&reason=x"), null);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        new ConfigService().Log(Ctx).Versions.Count.ShouldBe(versions);
        new AuditService().List(AuditService.MaxLimit, Ctx).Entries.Count.ShouldBe(audits);
    }

    [SkippableFact]
    public async Task Removing_a_target_that_is_not_there_is_a_404_problem_with_its_code()
    {
        using var response = await Client.DeleteAsync(Uri("/api/v1/targets?kpi=leads&period=2031-Q1"));
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound, body);
        JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe("targets.none_to_remove");
    }

    [SkippableFact]
    public async Task An_upload_reports_read_equals_stored_plus_rejected_per_file_and_serves_its_rejects()
    {
        var leads = "lead_id,created_at,channel\nU-1,2026-10-01T10:00:00Z,referral\nU-2,not a date,referral\nU-3,2026-10-02T11:00:00Z,organic\n";
        using var form = new MultipartFormDataContent { { Csv(leads), "file", "leads.csv" } };

        using var response = await Client.PostAsync(Uri("/api/v1/imports"), form);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var root = JsonDocument.Parse(body).RootElement;
        var file = root.GetProperty("files")[0];
        file.GetProperty("name").GetString().ShouldBe("leads.csv");
        file.GetProperty("entity").GetString().ShouldBe("leads");
        (file.GetProperty("read").GetInt64(), file.GetProperty("stored").GetInt64(), file.GetProperty("rejected").GetInt64()).ShouldBe((3L, 2L, 1L));
        root.GetProperty("import_id").GetInt32().ShouldBeGreaterThan(0);

        var rejects = await Client.GetStringAsync(Uri(file.GetProperty("rejects").GetString()!));
        rejects.ShouldContain("U-2");
        rejects.ShouldNotContain("U-1");
        new AuditService().List(AuditService.MaxLimit, Ctx).Entries.ShouldContain(e => e.Action == "import" && e.Target == "#" + root.GetProperty("import_id").GetInt32());
    }

    [SkippableFact]
    public async Task An_uploaded_name_like_dot_dot_etc_passwd_is_only_a_label_and_nothing_lands_outside_the_upload_folder()
    {
        using var dir = new TempDir();
        var uploads = dir.File("uploads");
        await using var app = Start(new ServerOptions(server.Db, [], DemoServer.Clock) { UploadDirectory = uploads });
        using var client = server.Authorized(app.GetTestClient());
        using var form = new MultipartFormDataContent();
        var content = Csv("root:x:0:0:root:/root:/bin/bash\n");
        form.Add(content, "file", "x");
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"../../etc/passwd\"" };

        using var response = await client.PostAsync(Uri("/api/v1/imports"), form);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var file = JsonDocument.Parse(body).RootElement.GetProperty("files")[0];
        file.GetProperty("name").GetString().ShouldBe("../../etc/passwd");
        file.GetProperty("stored").GetInt64().ShouldBe(0);
        Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).ShouldAllBe(f => Path.GetFullPath(f).StartsWith(Path.GetFullPath(uploads) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        File.Exists(Path.Combine(dir.Path, "etc", "passwd")).ShouldBeFalse();
        ApiWrites.Leaf("../../etc/passwd", 1).ShouldBe("passwd");
        ApiWrites.Leaf("..\\..\\..", 2).ShouldBe("upload-2");
    }

    [SkippableFact]
    public async Task An_upload_over_the_limit_is_a_413_problem_that_says_the_limit()
    {
        await using var app = Start(new ServerOptions(server.Db, [], DemoServer.Clock) { MaxUploadBytes = 1024 * 1024 });
        using var client = server.Authorized(app.GetTestClient());
        using var form = new MultipartFormDataContent { { Csv("lead_id,created_at\n" + new string('x', 1100 * 1024)), "file", "leads.csv" } };

        using var response = await client.PostAsync(Uri("/api/v1/imports?lang=en"), form);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge, body);
        var root = JsonDocument.Parse(body).RootElement;
        root.GetProperty("code").GetString().ShouldBe("api.too_large");
        root.GetProperty("detail").GetString()!.ShouldContain("1 MB");
    }

    [SkippableFact]
    public async Task A_second_writer_is_refused_with_409_while_another_change_holds_the_gate_and_gets_through_after()
    {
        await using var app = Start(new ServerOptions(server.Db, [], DemoServer.Clock) { WriteWait = TimeSpan.Zero });
        using var client = server.Authorized(app.GetTestClient());
        var gate = app.Services.GetRequiredService<WriteGate>();

        using (await gate.EnterAsync(TimeSpan.Zero, CancellationToken.None))
        {
            using var refused = await client.PostAsync(Uri("/api/v1/snapshots?period=2026-Q2&as_of=2026-09-30"), null);
            var body = await refused.Content.ReadAsStringAsync();
            refused.StatusCode.ShouldBe(HttpStatusCode.Conflict, body);
            JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe("api.writer_busy");
            refused.Headers.RetryAfter.ShouldNotBeNull();

            // Readers do not pass through the gate.
            using var read = await client.GetAsync(Uri("/api/v1/status"));
            read.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var taken = await client.PostAsync(Uri("/api/v1/snapshots?period=2026-Q2&as_of=2026-09-30"), null);
        var snapshot = await taken.Content.ReadAsStringAsync();
        taken.StatusCode.ShouldBe(HttpStatusCode.OK, snapshot);
        var id = JsonDocument.Parse(snapshot).RootElement.GetProperty("snapshot").GetInt32();
        (await client.GetAsync(Uri("/api/v1/snapshots/" + id))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task A_reader_during_an_import_sees_all_of_it_or_none_of_it()
    {
        const int rows = 30_000;

        // The reader polls as fast as it can for as long as the import runs (longer on a busy machine or another
        // engine): through a server of its own without a request limit, so the fixture's admin keeps their allowance.
        await using var app = Start(new ServerOptions(server.Db, [], DemoServer.Clock) { Security = new ServerSecurity { RequestsPerWindow = int.MaxValue } });
        using var client = server.Authorized(app.GetTestClient());
        var before = await Leads(client);
        var csv = new StringBuilder("lead_id,created_at,channel\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append("BIG-").Append(i).Append(",2026-10-03T10:00:00Z,referral\n");
        }

        using var form = new MultipartFormDataContent { { Csv(csv.ToString()), "file", "leads.csv" } };
        var import = client.PostAsync(Uri("/api/v1/imports"), form);
        var seen = new List<long>();
        while (!import.IsCompleted)
        {
            seen.Add(await Leads(client));
        }

        using var response = await import;
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        seen.Add(await Leads(client));
        seen.ShouldAllBe(n => n == before || n == before + rows);
        seen[^1].ShouldBe(before + rows);
    }

    [SkippableFact]
    public async Task Every_change_endpoint_declares_role_head_and_every_read_role_rep()
    {
        // Sign-in, the caller's own tokens and user administration have roles of their own (AuthTests pins them).
        string[] account = ["/session", "/me", "/antiforgery", "/tokens", "/users"];
        var endpoints = server.App.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith(ApiServer.Prefix, StringComparison.Ordinal))
            .Where(e => !account.Any(a => e.RoutePattern.RawText![ApiServer.Prefix.Length..].StartsWith(a, StringComparison.Ordinal)))
            .ToList();
        endpoints.Count.ShouldBeGreaterThan(30);
        foreach (var e in endpoints)
        {
            var method = e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Single();
            var roles = e.Metadata.GetOrderedMetadata<RequiresRole>();
            var role = roles[^1].Minimum;
            var expected = method == "GET" && !e.RoutePattern.RawText!.Contains("/imports", StringComparison.Ordinal) && !e.RoutePattern.RawText.EndsWith("/audit", StringComparison.Ordinal)
                || e.RoutePattern.RawText!.EndsWith("/versions/validate", StringComparison.Ordinal)
                ? ApiRole.Rep
                : ApiRole.Head;
            role.ShouldBe(expected, method + " " + e.RoutePattern.RawText);
        }
    }

    private static Uri Uri(string path) => new(path, UriKind.Relative);

    private static ByteArrayContent Csv(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }

    private static async Task<long> Leads(HttpClient client)
    {
        var status = JsonDocument.Parse(await client.GetStringAsync(Uri("/api/v1/status"))).RootElement;
        return status.GetProperty("entities").EnumerateArray().Single(e => e.GetProperty("entity").GetString() == "leads").GetProperty("rows").GetInt64();
    }

    private static WebApplication Start(ServerOptions options)
    {
        var app = ApiServer.Build(options with { Wait = TimeSpan.FromSeconds(10) }, b => b.WebHost.UseTestServer());
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }
}
