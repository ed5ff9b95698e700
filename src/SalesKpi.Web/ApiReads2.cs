using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Web;

/// <summary>
/// The read endpoints beyond the first slice: velocity, simulate, calibrate, check, history, review, target
/// suggestions, parameters, KPI-system versions (show, diff, validate) and the audit log. Each calls the CLI's
/// application service; validate reads a posted YAML body and changes nothing.
/// </summary>
internal static class ApiReads2
{
    public static void Map(RouteGroupBuilder api)
    {
        Read(api.MapGet("/velocity", (HttpContext http, AnalysisService service, string? period, [FromQuery(Name = "as_of")] string? asOf, string? compare) =>
        {
            var ctx = ApiServer.Context(http);
            var answer = service.Velocity(new AnalysisWindow(period, asOf), YearBefore(compare), ctx);
            return ApiServer.Answer(http, ApiDocs.Velocity(answer, ctx.Language), answer.Warnings);
        }), "velocity", "The change of sales velocity split into deals, win rate, deal size and cycle length (compare=previous|year).");

        Read(api.MapGet("/simulate", (HttpContext http, AnalysisService service, string? period, [FromQuery(Name = "as_of")] string? asOf, string[]? set, int? runs, int? seed) =>
        {
            var n = runs ?? 2000;
            if (n is < 100 or > 1_000_000)
            {
                throw new SalesKpiException(Msg.Of("api.bad_runs", "runs must be between 100 and 1000000, e.g. 2000.", "runs должно быть от 100 до 1000000, например 2000."));
            }

            var ctx = ApiServer.Context(http);
            var changes = set ?? [];
            var answer = service.Simulate(new AnalysisWindow(period, asOf), changes, n, seed ?? 1, ctx);
            return ApiServer.Answer(http, ApiDocs.Simulation(answer, changes, n, seed ?? 1), answer.Warnings);
        }), "simulate", "What-if: lever changes (set=leads=+10%, repeatable) pushed through the funnel, Monte Carlo medians and 90 % intervals.");

        Read(api.MapGet("/calibrate", (HttpContext http, AnalysisService service, string? period, [FromQuery(Name = "as_of")] string? asOf) =>
        {
            var answer = service.Calibrate(new AnalysisWindow(period, asOf), ApiServer.Context(http));
            return ApiServer.Answer(http, ApiDocs.Calibration(answer), answer.Warnings);
        }), "calibrate", "Lead-score calibration: conversion by score decile and the lift of each scoring rule.");

        Read(api.MapGet("/check", (HttpContext http, ScorecardService service, string? period, [FromQuery(Name = "as_of")] string? asOf, [FromQuery(Name = "config_version")] int? configVersion) =>
        {
            var ctx = ApiServer.Context(http);
            var answer = service.Check(new ScorecardQuery(period, asOf, configVersion, null), ctx);
            return ApiServer.Answer(http, ApiDocs.Check(answer, ctx.Language), answer.Warnings);
        }), "check", "Every KPI with a target judged for the period, with the exit code 'saleskpi check' would give (0 on track, 1 at risk, 2 off track).");

        Read(api.MapGet("/history/{kpi}", (HttpContext http, KpiSystemHistoryService service, string kpi, string? by) =>
        {
            var ctx = ApiServer.Context(http);
            return ApiServer.Answer(http, ApiDocs.History(service.History(kpi, by, ctx), ctx.Language), []);
        }), "history", "The stored series of a KPI: the latest snapshot of each period (and slice with by=DIM), with the snapshot ids.");

        Read(api.MapGet("/review", (HttpContext http, KpiSystemHistoryService service, int? periods, string? grain, [FromQuery(Name = "as_of")] string? asOf) =>
        {
            var g = grain ?? "quarter";
            if (g is not ("month" or "quarter" or "year"))
            {
                throw new SalesKpiException(Msg.Of("api.bad_grain", "grain={0} is not known: use month, quarter or year.", "grain={0} — неизвестное значение: используйте month, quarter или year.", g));
            }

            var ctx = ApiServer.Context(http);
            var (review, warnings) = service.Review(periods ?? 4, g, asOf, ctx);
            return ApiServer.Answer(http, ApiDocs.Review(review, ctx.Language), warnings);
        }), "review", "Review of the KPI system over the last complete periods: targets always met or missed, thin samples, unlinked KPIs and goals, changed definitions.");

        Read(api.MapGet("/targets/suggest", (HttpContext http, TargetsService service, string kpi, string? period, string? by, double? probability, decimal? tolerance) =>
        {
            var ctx = ApiServer.Context(http);
            var answer = service.Suggest(new SuggestTargetsRequest(kpi, period, by, Probability(probability), tolerance ?? 5m, Apply: false, new ChangeNote(null, null)), ctx);
            return ApiServer.Answer(http, ApiDocs.Suggestions(answer, ctx.Language), []);
        }), "targets_suggest", "Targets suggested from history for a KPI (per slice with by=DIM) with the wanted chance of reaching them; stores nothing.");

        Read(api.MapGet("/params", (HttpContext http, ParamsService service) =>
            ApiServer.Answer(http, ApiDocs.Params(service.Run("show", null, null, ApiServer.Context(http))), [])), "params", "The definition parameters in force, each with its default, and the business calendar.");

        Read(api.MapGet("/versions/{version:int}", (HttpContext http, ConfigService service, int version) =>
        {
            var ctx = ApiServer.Context(http);
            return ApiServer.Answer(http, ApiDocs.Shown(version, service.Show(version, ctx), ctx.Language), []);
        }), "version_show", "One KPI-system version as YAML (document), with why it cannot be read when it cannot.");

        Read(api.MapGet("/versions/current", (HttpContext http, ConfigService service) =>
        {
            var ctx = ApiServer.Context(http);
            return ApiServer.Answer(http, ApiDocs.Shown(null, service.Show(null, ctx), ctx.Language), []);
        }), "version_current", "The KPI system in force now as YAML (document).");

        Read(api.MapGet("/versions/diff", (HttpContext http, ConfigService service, int from, int? to) =>
            ApiServer.Answer(http, ApiDocs.Diff(service.Diff(from, to, ApiServer.Context(http))), [])), "version_diff", "The changed lines between two KPI-system versions (to = the latest when left out).");

        Read(api.MapPost("/versions/validate", async (HttpContext http, ConfigService service) =>
        {
            var ctx = ApiServer.Context(http);
            await using var file = await ApiWrites.SaveBodyAsync(http, ".yaml").ConfigureAwait(false);
            var checkedFile = service.Validate(file.Path, ctx);
            return ApiServer.Answer(http, ApiDocs.Validated(checkedFile.Parsed, ctx.Language), []);
        }), "version_validate", "Checks a posted KPI-system YAML (the request body) and lists every error with line and column; changes nothing.")
            .Body("application/yaml", "text/yaml", "text/plain");
    }

    internal static bool YearBefore(string? compare) => compare switch
    {
        null or "previous" => false,
        "year" => true,
        _ => throw new SalesKpiException(Msg.Of("api.bad_compare", "compare={0} is not known: use previous or year.", "compare={0} — неизвестное значение: используйте previous или year.", compare)),
    };

    internal static double Probability(double? probability)
    {
        var p = probability ?? 0.5;
        return p is > 0 and < 1 ? p : throw new SalesKpiException(Msg.Of(
            "api.bad_probability",
            "probability must be between 0 and 1, e.g. 0.7 (given {0}).",
            "probability должно быть между 0 и 1, например 0.7 (задано {0}).",
            p.ToString(CultureInfo.InvariantCulture)));
    }

    private static RouteHandlerBuilder Read(RouteHandlerBuilder route, string name, string summary) =>
        ApiServer.Document(route, name, summary);
}
