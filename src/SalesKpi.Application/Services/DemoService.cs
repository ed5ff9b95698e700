using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Demo;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>What demo workspace to build.</summary>
/// <param name="Out">Where the generated CSV files go (created).</param>
/// <param name="Leads">How many leads to generate.</param>
/// <param name="Seed">The random seed.</param>
/// <param name="Dirty">Plant realistic errors in the files.</param>
public sealed record DemoRequest(string Out, long Leads, int Seed, bool Dirty);

/// <summary>A fresh demo workspace and its generated files, not imported yet.</summary>
/// <param name="Summary">Rows per file, date range, time taken.</param>
/// <param name="Out">The folder of the generated files.</param>
/// <param name="NowLocal">"Now" in the demo's zone, where the history ends.</param>
public sealed record DemoGenerated(DemoSummary Summary, string Out, DateTime NowLocal);

/// <summary>The example KPI system a demo gets.</summary>
/// <param name="File">The KPI-system file written beside the workspace.</param>
/// <param name="Targets">How many targets were suggested from history.</param>
/// <param name="Quarter">The current quarter (targets cover it and the four before).</param>
public sealed record DemoKpiSystem(string File, int Targets, Period Quarter);

/// <summary>The last complete quarter against the one before, as the demo shows it.</summary>
/// <param name="Current">The last complete quarter.</param>
/// <param name="Previous">The quarter before.</param>
/// <param name="Report">Every catalogue KPI for both quarters.</param>
/// <param name="Currency">The workspace currency.</param>
public sealed record DemoScorecard(Period Current, Period Previous, KpiReport Report, string Currency);

/// <summary>
/// The demo use case, in the steps a host shows one by one: generate a workspace and its files, import them
/// (<see cref="ImportService"/>, the same path as users' files), set up the example KPI system, and compare quarters.
/// </summary>
public sealed class DemoService
{
    /// <summary>The demo's time zone: a service company in Moscow.</summary>
    public const string Zone = "Europe/Moscow";

    /// <summary>
    /// Replaces an earlier demo at the context's workspace path (never a workspace with real data), creates the
    /// workspace and writes the generated files.
    /// </summary>
    public DemoGenerated Generate(DemoRequest request, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        var db = WorkspaceLocation.IsServer(ctx.WorkspacePath) ? ctx.WorkspacePath : Path.GetFullPath(ctx.WorkspacePath);
        ReplaceEarlierDemo(db);
        using var ws = Workspace.Create(db, new WorkspaceSettings(Zone, "RUB"), ctx.Clock);
        ws.WriteSetting("demo", "true");
        var nowLocal = TimeZoneInfo.ConvertTimeFromUtc(ctx.Clock.GetUtcNow().UtcDateTime, ws.Settings.Zone);
        var summary = DemoGenerator.Write(request.Out, new DemoOptions { Leads = request.Leads, Seed = request.Seed, Dirty = request.Dirty, Now = nowLocal });
        return new DemoGenerated(summary, request.Out, nowLocal);
    }

    /// <summary>
    /// Writes the example KPI system beside the demo workspace, applies it, and sets targets for the current
    /// quarter and the four before it from each one's own history (what a planner would have suggested then).
    /// </summary>
    public DemoKpiSystem SetUpKpiSystem(RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadWrite);
        var file = KpiSystemFiles.PathFor(ctx.WorkspacePath);
        File.WriteAllText(file, KpiSystemTemplate.Text);
        var config = KpiSystemTemplate.Config;
        ConfigStore.Apply(ws, config, "demo: example KPI system", ctx.User, ctx.Clock);
        var advisor = new TargetAdvisor(ws, ctx.Clock);
        var quarter = TimeRules.ResolvePeriod(null, DefaultPeriod.CurrentQuarter, ws.Settings.Zone, ctx.Clock.GetUtcNow(), ctx.Clock);
        var targets = new List<Target>();
        for (var (p, i) = (quarter, 0); i < 5; (p, i) = (p.Previous(), i + 1))
        {
            targets.AddRange(advisor.Suggest(config, config.ActiveKpis(), p, [], 0.5)
                .Where(s => s.Value is not null && s.Kpi.Def.Direction != KpiDirection.Neutral)
                .Select(s => new Target { Kpi = s.Kpi.Id, Period = p.Label, Value = s.Value!.Value, TolerancePercent = 5 }));
        }

        ConfigStore.Apply(ws, config with { Targets = [.. targets] }, "demo: targets suggested from history", ctx.User, ctx.Clock);
        return new DemoKpiSystem(file, targets.Count, quarter);
    }

    /// <summary>Every catalogue KPI for the last complete quarter and the one before.</summary>
    public DemoScorecard Scorecard(RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var now = ctx.Clock.GetUtcNow();
        var current = TimeRules.LastCompleteQuarter(now, ws.Settings.Zone);
        var previous = current.Previous();
        var report = new KpiEngine(ws).Run(new ReportRequest
        {
            Period = Period.Range(previous.Start, current.End),
            Grain = Grain.Quarter,
            AsOf = now,
            Parameters = ParameterStore.Load(ws),
        });
        return new DemoScorecard(current, previous, report, ws.Settings.Currency);
    }

    private static void ReplaceEarlierDemo(string db)
    {
        if (!Workspace.Exists(db))
        {
            return;
        }

        bool isDemo;
        using (var old = Workspace.Open(db))
        {
            isDemo = old.ReadSettings("demo").ContainsKey(string.Empty);
        }

        if (!isDemo)
        {
            throw new SalesKpiException(Msg.Of(
                "demo.not_a_demo_workspace",
                "{0} is a workspace with your own data, not a demo: give the demo another file with --db.",
                "{0} — рабочая область с вашими данными, а не демо: укажите для демо другой файл через --db.",
                db));
        }

        Workspace.Delete(db);
    }
}
