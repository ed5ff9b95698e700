using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Dashboard;
using SalesKpi.Dashboard.Pages;
using SalesKpi.Import;

namespace SalesKpi.Web;

/// <summary>
/// The dashboard's import page (role head or above): the first submit saves the files under the upload folder (as
/// <c>POST /api/v1/imports</c> does, with the same code) and runs a dry run that keeps them; "Import for real" imports
/// those kept files by the upload's id. Both pass through the server's <see cref="WriteGate"/> and the import is
/// audited with the signed-in user as author, as an API upload is.
/// </summary>
internal static class ImportPageEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/import", (HttpContext http) => DashboardEndpoints.Page(http, "/import", (_, frame) => Render(http, frame, null), ApiRole.Head));

        // Antiforgery is checked by PostPage (for cookie sessions), after the upload limit is applied to the form.
        pages.MapPost("/import", Post).DisableAntiforgery();

        pages.MapGet("/import/{upload}/rejects", (HttpContext http, string upload, int? file) =>
            DashboardEndpoints.Page(http, "/import", (_, _) => ApiWrites.Report(http, upload, string.Create(CultureInfo.InvariantCulture, $"rejects-{file ?? 1}.csv")), ApiRole.Head));
    }

    private static async Task<IResult> Post(HttpContext http, ImportService imports)
    {
        // The form is read within the upload limit before the checks read it; only for a user who may import, so
        // nobody else makes the server buffer a large body.
        if (http.Request.HasFormContentType && ApiAuth.SignedInUser(http) is { } user && ApiAuth.RoleOf(user.User.Role) >= ApiRole.Head)
        {
            try
            {
                await ApiWrites.ReadUploadFormAsync(http).ConfigureAwait(false);
            }
            catch (SalesKpiException ex)
            {
                return DashboardEndpoints.Page(http, "/import", (_, _) => throw new SalesKpiException(ex.Text, ex), ApiRole.Head);
            }
        }

        return await DashboardEndpoints.PostPage(http, "/import", (ctx, frame, form) => new Deferred(frame, () => Run(http, imports, ctx, frame, form)), ApiRole.Head).ConfigureAwait(false);
    }

    private static async Task<IResult> Run(HttpContext http, ImportService imports, RequestContext ctx, PageFrame frame, IFormCollection form)
    {
        var strict = ApiWrites.Flag(form, "strict");
        var kept = form["upload"].ToString();
        using var gate = await ApiWrites.EnterGateAsync(http).ConfigureAwait(false);
        if (kept.Length > 0)
        {
            // Claimed in the upload folder, not only behind this process's gate: the confirm may reach any server sharing it.
            var profile = ApiWrites.BuiltInProfile(form["profile"].ToString());
            using var claim = ApiWrites.ClaimKeptUpload(http, kept);
            var upload = claim.Upload;
            var report = await ApiWrites.ImportAsync(imports, ctx, upload, profile, strict, dryRun: false, keepFiles: false).ConfigureAwait(false);
            claim.Keep();
            return Render(http, frame, new ImportOutcome(upload.Id, profile, Detected: false, strict, report, upload.Labels));
        }

        var saved = await ApiWrites.SaveFilesAsync(http, form).ConfigureAwait(false);
        try
        {
            var asked = form["profile"].ToString();
            var detected = asked == ImportView.AutoDetect;
            var profile = detected ? ImportView.Detect(saved.Paths) : ApiWrites.BuiltInProfile(asked);
            var report = await ApiWrites.ImportAsync(imports, ctx, saved, profile, strict, dryRun: true, keepFiles: true).ConfigureAwait(false);
            return Render(http, frame, new ImportOutcome(saved.Id, profile, detected && profile is not null, strict, report, saved.Labels));
        }
        catch
        {
            // A dry run that could not run keeps nothing behind.
            Directory.Delete(saved.Folder, recursive: true);
            throw;
        }
    }

    private static RazorComponentResult<ImportPage> Render(HttpContext http, PageFrame frame, ImportOutcome? outcome) =>
        new(new { Frame = frame, View = new ImportView(MappingProfile.BuiltInNames, ApiWrites.UploadLimit(http), outcome) });

    /// <summary>A page computed when the result executes, so it may await (the write gate, the import); a refusal becomes the problem page (400).</summary>
    private sealed class Deferred(PageFrame frame, Func<Task<IResult>> compute) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            IResult result;
            try
            {
                result = await compute().ConfigureAwait(false);
            }
            catch (SalesKpiException ex)
            {
                result = new RazorComponentResult<ProblemPage>(new { Frame = frame, Message = ex.Render(frame.Language) }) { StatusCode = StatusCodes.Status400BadRequest };
            }

            await result.ExecuteAsync(httpContext).ConfigureAwait(false);
        }
    }
}
