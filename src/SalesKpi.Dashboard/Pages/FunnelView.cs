using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;

namespace SalesKpi.Dashboard.Pages;

/// <summary>
/// What the funnel page shows for one period: the funnel of the whole company (leads → SQL → opportunity for the
/// leads created in the period, each pipeline stage → won for the deals created in it), and — with
/// <see cref="By"/> — the same steps for every value of that dimension, side by side.
/// </summary>
/// <param name="Answer">The funnel exactly as <c>saleskpi funnel</c> and <c>GET /api/v1/funnel</c> give it.</param>
/// <param name="By">The dimension the slices are by; null for the company only.</param>
public sealed record FunnelView(FunnelAnswer Answer, string? By)
{
    /// <summary>The dimensions the funnel can be split by (lead dimensions split the lead steps, deal dimensions the deal steps).</summary>
    public static readonly IReadOnlyList<string> Dimensions = ["channel", "owner", "segment", "region", "service_line", "campaign", "industry"];

    /// <summary>The funnel's report.</summary>
    public FunnelReport Funnel => Answer.Funnel;

    /// <summary>The steps of one section (<c>leads</c> or <c>deals</c>) of the total, in order.</summary>
    public IReadOnlyList<FunnelStep> Section(string section) => [.. Funnel.Steps.Where(s => s.Section == section)];

    /// <summary>Whether <paramref name="step"/> is a pipeline stage (it has time in stage, losses and stalled deals).</summary>
    public bool IsStage(FunnelStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Section == "deals" && Funnel.Stages.Contains(step.Name);
    }

    /// <summary>
    /// Loads the funnel of <paramref name="period"/> (null: the current year, as the CLI) as of <paramref name="asOf"/>,
    /// split by <paramref name="by"/> when given. Bad periods and unknown dimensions throw with what to fix.
    /// </summary>
    public static FunnelView Load(FunnelService funnels, RequestContext ctx, string? period, string? asOf, string? by)
    {
        ArgumentNullException.ThrowIfNull(funnels);
        var dim = by is null ? null : KpiCatalog.Dimension(by);
        var answer = funnels.Run(new FunnelQuery(period, asOf, dim), ctx);
        return new FunnelView(answer, answer.Funnel.By);
    }
}
