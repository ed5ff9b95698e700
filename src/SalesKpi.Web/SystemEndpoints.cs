using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Dashboard.Pages;

namespace SalesKpi.Web;

/// <summary>
/// The KPI-system page (<c>/system</c>, role manager or above) and its two forms (role head or above): a target set
/// with a reason, and the suggestions of one KPI applied. A change passes through the server's one
/// <see cref="WriteGate"/> as the API's change endpoints do, is recorded in the audit log with the signed-in user as
/// author, and answers with a redirect back to the page naming the version it stored (post, redirect, get).
/// </summary>
internal static class SystemEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/system", (HttpContext http, ScorecardService scorecards, TargetsService targets, ConfigService configs, KpiSystemHistoryService history, string? period, [FromQuery(Name = "as_of")] string? asOf, string? suggest, string? from, string? to, string? saved) =>
            DashboardEndpoints.Page(http, "/system", (ctx, frame) => new RazorComponentResult<SystemPage>(new
            {
                Frame = frame,
                View = DashboardEndpoints.Cached(http, () => SystemView.Load(scorecards, targets, configs, history, ctx, DashboardEndpoints.Blank(period), DashboardEndpoints.Blank(asOf), DashboardEndpoints.Blank(suggest), Number("from", from), Number("to", to), Number("saved", saved)), v => v.Warnings),
            }), ApiRole.Manager));

        pages.MapPost("/system/targets", (HttpContext http, TargetsService targets) =>
            DashboardEndpoints.PostPage(http, "/system", (ctx, _, form) =>
            {
                var note = Note(form);
                var period = Field(form, "period") ?? throw Missing("period");
                var stored = Change(http, () => targets.Set(new SetTargetRequest(Field(form, "kpi") ?? throw Missing("kpi"), period, Field(form, "value") ?? throw Missing("value"), [.. form["slice"].OfType<string>()], Tolerance(form), note), ctx));
                return Back(ctx, period, stored.Written.Version);
            }, ApiRole.Head)).DisableAntiforgery();

        pages.MapPost("/system/suggest", (HttpContext http, TargetsService targets) =>
            DashboardEndpoints.PostPage(http, "/system", (ctx, _, form) =>
            {
                var note = Note(form);
                var period = Field(form, "period") ?? throw Missing("period");
                var answer = Change(http, () => targets.Suggest(new SuggestTargetsRequest(Field(form, "kpi") ?? throw Missing("kpi"), period, Field(form, "by"), SystemView.SuggestProbability, Tolerance(form), Apply: true, note), ctx));
                return Back(ctx, period, answer.Stored?.Written.Version);
            }, ApiRole.Head)).DisableAntiforgery();
    }

    // The same one-writer-at-a-time rule as the API's changes: the gate is left (and the caches' data version moves on) after the change.
    // It is entered inside the page's checks (role, antiforgery), so a refused post never waits for it; waiting synchronously is
    // safe here (no synchronisation context) and keeps the page helpers' one synchronous render shape.
    private static T Change<T>(HttpContext http, Func<T> change)
    {
        using var gate = ApiWrites.EnterGateAsync(http).GetAwaiter().GetResult();
        return change();
    }

    // Back to the page of the period, naming the version stored (0 when the change changed nothing).
    private static RedirectHttpResult Back(RequestContext ctx, string period, Metrics.KpiSystem.ConfigVersion? version) =>
        TypedResults.Redirect("/system?lang=" + (ctx.Language == Language.Ru ? "ru" : "en") + "&period=" + Uri.EscapeDataString(period)
            + "&saved=" + (version?.Number ?? 0).ToString(CultureInfo.InvariantCulture) + "#versions-h");

    // A change from the page always says why: the reason is stored with the version and shown in its log.
    private static ChangeNote Note(IFormCollection form) =>
        new(Field(form, "reason") ?? throw new SalesKpiException(Msg.Of(
                "system.reason_required",
                "Say why the KPI system changes: the reason is stored with the new version and shown in its log.",
                "Укажите причину изменения системы KPI: она сохраняется с новой версией и видна в журнале версий.")),
            Field(form, "effective"));

    private static decimal Tolerance(IFormCollection form)
    {
        var text = Field(form, "tolerance");
        if (text is null)
        {
            return 5m;
        }

        return decimal.TryParse(text.Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var t) && t is >= 0 and <= 100
            ? t
            : throw new SalesKpiException(Msg.Of("system.bad_tolerance", "The tolerance '{0}' must be a number of percent from 0 to 100, e.g. 5.", "Допуск «{0}» должен быть числом процентов от 0 до 100, например 5.", text));
    }

    private static string? Field(IFormCollection form, string name) => DashboardEndpoints.Blank(form[name].ToString());

    private static SalesKpiException Missing(string name) =>
        new(Msg.Of("system.field_missing", "The form has no {0}: open the page again and repeat the change.", "В форме нет поля {0}: откройте страницу заново и повторите изменение.", name));

    private static int? Number(string name, string? text)
    {
        if (DashboardEndpoints.Blank(text) is not { } t)
        {
            return null;
        }

        return int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new SalesKpiException(Msg.Of("system.bad_number", "{0}={1} must be a version number, e.g. 3.", "{0}={1} должно быть номером версии, например 3.", name, t));
    }
}
